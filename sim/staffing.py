"""The least staffing that meets the service norms, and the business case built on it.

**Norms** are targets on KPIs (:class:`Target`). The defaults, from the sources in the domain notes:

- ``reachability >= 0.80``: calls answered within the norm (the call-centre "80% within 20 s"; the VNG
  charter and Katwijk ask 20-25 s);
- ``calls_abandoned <= 0.05``: at most 5% abandoned calls (Tilburg, 2018);
- ``service_level.<type> >= 0.85`` for every back-office type of the config (call-backs, e-mail, post, ...,
  minutes): 85% within its norm, as Tilburg (2020) asks of e-mail within 2 working days.

A norm *holds with confidence* when the whole two-sided t-interval (95% by default) of the KPI's mean over
the replications lies on the right side of the target: the lower bound at or above a ``>=`` target, the upper
bound at or below a ``<=`` target. A KPI that no replication could measure (no requests of that type) sets no
norm.

**Staffing changes** keep the organisation valid and are made in whole secretary-days (one weekday of one
secretary; 0.2 FTE for a 7.2-hour day in a 36-hour week). A *group* is a department in the decentralised setup
and a cluster in the central one (each must keep a secretary, as the config schema demands).

- *Removing* a day from a group: the weekday on which most of the group's secretaries work, taken from the one
  of them who works the fewest days (so part-timers go first and whole people leave rather than everyone
  becoming part-time); a secretary with no days left leaves the organisation; the group keeps at least one.
- *Adding* a day to a group: on the weekday on which fewest of its secretaries work, to the part-timer with
  the most days who does not yet work then; if there is none, a new secretary (``<group>+N``) joins with that
  one day, serving the departments of the group's first secretary, on the shift (hours and lunch) of the
  organisation that the group has least of.

**The search** reuses common random numbers (every candidate is run on the same replication seeds) and
simulates a path and a neighbourhood, never the whole grid:

1. *Along a path, by bisection.* Step ``k`` of the path removes (``k > 0``) or adds (``k < 0``) ``|k|`` days,
   each from the group with the most (or to the one with the fewest) present hours per unit of demand (its
   departments' staff times their demand factor), so that staffing stays proportional to the work. The config
   is step 0. If it meets the norms, bisection finds the last step that still does; if not, the steps double
   (1, 2, 4, ... added days) until one does and bisection finds the first.
2. *Greedy removal.* From there, every group's next day-removal is simulated (in parallel); the one that keeps
   all norms with the largest worst margin is taken; until no removal keeps them.
3. *Exchange.* When no removal keeps the norms, a day moves from one group to another if that widens the
   worst margin (every pair of groups when there are at most four, else the three groups with the most slack
   in the per-department table give to the three with the least), and greedy removal resumes. Staffing need
   not follow demand: a small department needs someone present as much as a large one, which a proportional
   path cannot know.

The answer is a local optimum over these moves: the least FTE found, and how it is spread over the groups.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import WEEKDAYS, ConfigError, Scenario, Secretary, clock_minutes, parse_scenario
from sim.experiment import Runner, Unit
from sim.stats import ALPHA, Summary, summarize

#: The article's expected saving of the business case (Amersfoort, sector SOB): at least 15%.
ARTICLE_SAVING = 0.15
#: Days of staffing the path may add before the search gives up (relative to the config's days).
MAX_ADD_FACTOR = 2.0
#: Exchanges of a day between groups the search may make before it stops.
MAX_EXCHANGES = 10


# ------------------------------------------------------------------------------------------------ norms
@dataclass(frozen=True)
class Target:
    """A service norm: ``kpi op value`` with op ``>=`` or ``<=``."""

    kpi: str
    op: str
    value: float

    def margin(self, s: Summary) -> float | None:
        """How far the interval lies on the right side of the target (negative: the norm does not hold);
        None if the KPI was not measured. An interval that is not defined (fewer than 2 values) does not
        hold."""
        if s.n == 0:
            return None
        if s.ci_low is None or s.ci_high is None:
            return -math.inf
        return s.ci_low - self.value if self.op == ">=" else self.value - s.ci_high

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.value:g}"

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "op": self.op, "value": self.value}


#: Default targets: reachability (80% within the call norm), abandoned calls (Tilburg 2018: at most 5%),
#: and for each back-office type 85% within its norm (Tilburg 2020: 85% of e-mail within 2 working days).
DEFAULT_REACHABILITY = 0.80
DEFAULT_ABANDONED = 0.05
DEFAULT_SERVICE_LEVEL = 0.85

_TARGET = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|=)\s*(\S+)\s*$")


def default_targets(scenario: Scenario) -> list[Target]:
    """The default norms for ``scenario``'s request types."""
    from sim.demand import apply_hnw

    demand = apply_hnw(scenario.demand, scenario.hnw)
    targets = [Target("reachability", ">=", DEFAULT_REACHABILITY),
               Target("calls_abandoned", "<=", DEFAULT_ABANDONED)]
    targets += [Target(f"service_level.{t}", ">=", DEFAULT_SERVICE_LEVEL)
                for t in demand.type_names() if t != "phone"]
    return targets


def parse_target(text: str) -> tuple[str, Target | None]:
    """``kpi=0.8`` or ``kpi>=0.8`` (at least), ``kpi<=0.05`` (at most), ``kpi=off`` (no norm)."""
    m = _TARGET.match(text)
    if not m:
        raise ConfigError("--target", f"{text!r}: expected KPI=VALUE, KPI>=VALUE, KPI<=VALUE or KPI=off")
    kpi, op, raw = m.groups()
    if raw.lower() in ("off", "none"):
        return kpi, None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("--target", f"{text!r}: {raw!r} is not a number") from None
    return kpi, Target(kpi, ">=" if op == "=" else op, value)


def targets_for(scenario: Scenario, specs: Sequence[str] = ()) -> list[Target]:
    """The default norms, with ``specs`` (``--target``) replacing, adding or switching off norms."""
    targets = {t.kpi: t for t in default_targets(scenario)}
    for spec in specs:
        kpi, target = parse_target(spec)
        if target is None:
            targets.pop(kpi, None)
        else:
            targets[kpi] = target
    if not targets:
        raise ConfigError("--target", "every norm is switched off; there is nothing to staff for")
    return list(targets.values())


# --------------------------------------------------------------------------------------------- staffing
def group_of(scenario: Scenario, sec: Secretary) -> str:
    """The group a secretary staffs: her department (decentralised) or her cluster (central)."""
    org = scenario.organisation
    if org.setup == "decentralised":
        return sec.departments[0]
    cluster_of = {d.name: d.cluster for d in org.departments}
    return sec.cluster or str(cluster_of[sec.departments[0]])


def _days(scenario: Scenario, sec: Secretary) -> list[str]:
    cal = scenario.calendar.working_days
    return [d for d in WEEKDAYS if d in cal and (sec.days is None or d in sec.days)]


def _hours_per_day(scenario: Scenario, sec: Secretary) -> float:
    cal = scenario.calendar
    minutes = clock_minutes(sec.end or cal.close) - clock_minutes(sec.start or cal.open) - sec.lunch_minutes
    return minutes / 60


def _shift(sec: Secretary) -> tuple[Any, ...]:
    return (sec.start, sec.end, sec.lunch_start, sec.lunch_minutes)


@dataclass(frozen=True)
class Staffing:
    """Who works which weekdays: the secretaries of a candidate organisation (same sector and demand)."""

    secretaries: tuple[Secretary, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Staffing:
        return cls(tuple(s.model_copy(update={"days": _days(scenario, s)})
                         for s in scenario.organisation.secretaries))

    def key(self) -> str:
        blob = json.dumps([s.model_dump(mode="json") for s in self.secretaries], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def apply(self, scenario: Scenario) -> Scenario:
        """``scenario`` with this staffing (validated like any config)."""
        data = scenario.model_dump(mode="json")
        data["organisation"]["secretaries"] = [s.model_dump(mode="json") for s in self.secretaries]
        return parse_scenario(data, f"{scenario.name} (staffing {self.key()})")

    def hours(self, scenario: Scenario) -> float:
        return sum(len(s.days or []) * _hours_per_day(scenario, s) for s in self.secretaries)

    def fte(self, scenario: Scenario) -> float:
        return self.hours(scenario) / scenario.calendar.full_time_hours_per_week

    def group_hours(self, scenario: Scenario) -> dict[str, float]:
        out = {g: 0.0 for g in groups(scenario)}
        for s in self.secretaries:
            out[group_of(scenario, s)] += len(s.days or []) * _hours_per_day(scenario, s)
        return out

    def spread(self, scenario: Scenario) -> dict[str, dict[str, Any]]:
        """Per group: FTE and each secretary's weekdays."""
        week = scenario.calendar.full_time_hours_per_week
        out: dict[str, dict[str, Any]] = {g: {"fte": 0.0, "secretaries": {}} for g in groups(scenario)}
        for s in self.secretaries:
            g = out[group_of(scenario, s)]
            g["fte"] += len(s.days or []) * _hours_per_day(scenario, s) / week
            g["secretaries"][s.name] = list(s.days or [])
        return out

    # -- moves -------------------------------------------------------------------------------------------
    def remove_day(self, scenario: Scenario, group: str) -> Staffing | None:
        """One secretary-day less in ``group`` (see the module docstring), or None if it has one left."""
        mine = [(i, s) for i, s in enumerate(self.secretaries) if group_of(scenario, s) == group and s.days]
        if sum(len(s.days or []) for _, s in mine) <= 1:
            return None
        count = {d: sum(d in (s.days or []) for _, s in mine) for d in scenario.calendar.working_days}
        order = [d for d in WEEKDAYS if d in count]
        day = max(reversed(order), key=lambda d: count[d])  # ties: the latest weekday
        on_day = [(i, s) for i, s in mine if day in (s.days or [])]
        i, sec = min(reversed(on_day), key=lambda p: len(p[1].days or []))  # ties: the last listed
        days = [d for d in (sec.days or []) if d != day]
        secs = list(self.secretaries)
        if days:
            secs[i] = sec.model_copy(update={"days": days})
        else:
            del secs[i]
        return Staffing(tuple(secs))

    def add_day(self, scenario: Scenario, group: str) -> Staffing:
        """One secretary-day more in ``group`` (see the module docstring)."""
        cal_days = [d for d in WEEKDAYS if d in scenario.calendar.working_days]
        mine = [(i, s) for i, s in enumerate(self.secretaries) if group_of(scenario, s) == group]
        count = {d: sum(d in (s.days or []) for _, s in mine) for d in cal_days}
        day = min(cal_days, key=lambda d: count[d])  # ties: the earliest weekday
        free = [(i, s) for i, s in mine if day not in (s.days or [])]
        secs = list(self.secretaries)
        if free:
            i, sec = max(free, key=lambda p: len(p[1].days or []))  # ties: the first listed
            days = [d for d in cal_days if d in (sec.days or []) or d == day]
            secs[i] = sec.model_copy(update={"days": days})
            return Staffing(tuple(secs))
        secs.append(self._newcomer(scenario, group, mine, day))
        return Staffing(tuple(secs))

    def _newcomer(self, scenario: Scenario, group: str, mine: list[tuple[int, Secretary]],
                  day: str) -> Secretary:
        names = {s.name for s in self.secretaries}
        n = 1
        while f"{group}+{n}" in names:
            n += 1
        shifts: dict[tuple[Any, ...], Secretary] = {}
        for s in scenario.organisation.secretaries:
            shifts.setdefault(_shift(s), s)
        held = {k: sum(len(s.days or []) for _, s in mine if _shift(s) == k) for k in shifts}
        template = shifts[min(shifts, key=lambda k: held[k])]  # ties: the first in the config
        home = mine[0][1] if mine else next(s for s in scenario.organisation.secretaries
                                            if group_of(scenario, s) == group)
        return template.model_copy(update={
            "name": f"{group}+{n}", "departments": list(home.departments), "cluster": home.cluster,
            "days": [day],
        })


def groups(scenario: Scenario) -> list[str]:
    """Group names in config order: departments (decentralised) or clusters (central)."""
    return scenario.organisation.clusters()


def group_demand(scenario: Scenario) -> dict[str, float]:
    """Each group's share of demand: its departments' staff times their demand factor."""
    org = scenario.organisation
    out = {g: 0.0 for g in groups(scenario)}
    for d in org.departments:
        out[d.name if org.setup == "decentralised" else str(d.cluster)] += d.staff * d.demand_factor
    return out


# ------------------------------------------------------------------------------------------- evaluation
@dataclass
class Evaluation:
    """A candidate staffing, its KPIs over the replications, and whether every norm holds."""

    staffing: Staffing
    unit: str
    fte: float
    summaries: dict[str, Summary]
    margins: dict[str, float | None]
    phase: str = ""
    step: int = 0

    @property
    def feasible(self) -> bool:
        return all(m is None or m >= 0 for m in self.margins.values())

    @property
    def worst_margin(self) -> float:
        known = [m for m in self.margins.values() if m is not None]
        return min(known) if known else math.inf

    def trail_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"phase": self.phase, "step": self.step, "unit": self.unit,
                               "fte": round(self.fte, 6), "feasible": self.feasible,
                               "worst_margin": None if math.isinf(self.worst_margin) else self.worst_margin}
        for kpi, m in self.margins.items():
            row[f"margin.{kpi}"] = m
        return row


@dataclass
class StaffingSearch:
    """The search for one scenario. :meth:`run` returns the least-FTE staffing that meets the norms."""

    scenario: Scenario
    targets: list[Target]
    runner: Runner
    replications: int
    seed: int
    name: str = ""
    alpha: float = ALPHA
    evaluations: list[Evaluation] = field(default_factory=list)
    _cache: dict[str, Evaluation] = field(default_factory=dict)
    _round: int = 0

    def __post_init__(self) -> None:
        self.name = self.name or self.scenario.name

    def unit(self, staffing: Staffing) -> Unit:
        key = f"{self.name}:{staffing.key()}"
        fte = round(staffing.fte(self.scenario), 6)
        labels = {"setup": self.name, "staffing": staffing.key(), "fte": fte}
        return Unit(key, staffing.apply(self.scenario), labels)

    def evaluate(self, staffings: Sequence[Staffing], phase: str, step: int) -> list[Evaluation]:
        """Run every candidate on the same replication seeds (in one parallel batch) and judge the norms."""
        new = {s.key(): s for s in staffings if s.key() not in self._cache}
        units = [self.unit(s) for s in new.values()]
        self.runner.ensure(units, self.replications, self.seed)
        for u, s in zip(units, new.values(), strict=True):
            records = self.runner.store.records([u.key], self.replications)
            kpis = {k for r in records for k in r.kpis}
            sums = {k: summarize([r.kpis.get(k) for r in records], self.alpha) for k in sorted(kpis)}
            empty = Summary(None, None, None, None, 0)
            margins = {t.kpi: t.margin(sums.get(t.kpi, empty)) for t in self.targets}
            ev = Evaluation(s, u.key, s.fte(self.scenario), sums, margins, phase, step)
            self._cache[s.key()] = ev
            self.evaluations.append(ev)
        return [self._cache[s.key()] for s in staffings]

    # -- the search ---------------------------------------------------------------------------------------
    def path(self, start: Staffing, k: int) -> Staffing | None:
        """Step ``k`` of the proportional path (None past its end)."""
        demand = group_demand(self.scenario)
        s = start
        for _ in range(abs(k)):
            hours = s.group_hours(self.scenario)
            if k > 0:
                options = [(hours[g] / demand[g] if demand[g] else math.inf, g) for g in hours
                           if s.remove_day(self.scenario, g) is not None]
                if not options:
                    return None
                g = max(options, key=lambda o: o[0])[1]
                nxt = s.remove_day(self.scenario, g)
                assert nxt is not None
                s = nxt
            else:
                options = [(hours[g] / demand[g], g) for g in hours if demand[g] > 0]
                g = min(options, key=lambda o: o[0])[1]
                s = s.add_day(self.scenario, g)
        return s

    def run(self) -> Evaluation:
        start = Staffing.of(self.scenario)
        base = self.evaluate([start], "config", 0)[0]
        best = self._along_path(start, base)
        return self._improve(best)

    def _along_path(self, start: Staffing, base: Evaluation) -> Evaluation:
        """The step of the path with the least staff that meets the norms (by doubling, then bisection)."""
        step = 1
        if base.feasible:  # remove: 1, 2, 4, ... days until the norms fail or the path ends
            good, good_ev, k = 0, base, 1
            while True:
                ev = self._at(start, k, step)
                step += 1
                if ev is None or not ev.feasible:
                    return self._bisect(start, good, good_ev, k, step)
                good, good_ev, k = k, ev, 2 * k
        days = sum(len(s.days or []) for s in start.secretaries)
        limit = max(1, int(MAX_ADD_FACTOR * days))
        bad, k = 0, 1  # add: 1, 2, 4, ... days until the norms hold
        while True:
            ev = self._at(start, -k, step)
            step += 1
            assert ev is not None  # adding never runs out
            if ev.feasible:
                return self._bisect(start, -k, ev, bad, step)
            if k >= limit:
                raise ConfigError(self.name, f"the norms are not met even with {k} more secretary-days "
                                  f"({ev.fte:.1f} FTE); worst: {_worst(ev)}")
            bad, k = -k, min(2 * k, limit)

    def _at(self, start: Staffing, k: int, step: int) -> Evaluation | None:
        s = self.path(start, k)
        return None if s is None else self.evaluate([s], "path", step)[0]

    def _bisect(self, start: Staffing, good: int, good_ev: Evaluation, bad: int, step: int) -> Evaluation:
        """Step ``good`` meets the norms and ``bad`` does not: narrow until they are adjacent."""
        while abs(bad - good) > 1:
            mid = (good + bad) // 2
            ev = self._at(start, mid, step)
            step += 1
            if ev is not None and ev.feasible:
                good, good_ev = mid, ev
            else:
                bad = mid
        return good_ev

    def _improve(self, best: Evaluation) -> Evaluation:
        """Greedy removal; when it is stuck, one exchange of a day between groups, then removal again."""
        for _ in range(MAX_EXCHANGES):
            best = self._greedy(best)
            moved = self._exchange(best)
            if moved is None:
                return best
            best = moved
        return self._greedy(best)

    def _greedy(self, best: Evaluation) -> Evaluation:
        """Take the day-removal that keeps every norm with the largest worst margin, while there is one."""
        while True:
            self._round += 1
            options = [best.staffing.remove_day(self.scenario, g) for g in groups(self.scenario)]
            candidates = [s for s in options if s is not None]
            if not candidates:
                return best
            ok = [e for e in self.evaluate(candidates, "greedy", self._round) if e.feasible]
            if not ok:
                return best
            best = max(ok, key=lambda e: (e.worst_margin, -e.fte))

    def _exchange(self, best: Evaluation) -> Evaluation | None:
        """Move one day from a group with slack to one without, if that widens the worst margin (so a
        further removal may become possible). Every ordered pair of groups when there are at most four;
        else the three groups with the most slack give to the three with the least (slack judged from the
        per-department table)."""
        names = groups(self.scenario)
        if len(names) <= 4:
            pairs = [(a, b) for a in names for b in names if a != b]
        else:
            slack = self.group_slack(best)
            order = sorted(names, key=lambda g: slack.get(g, 0.0))
            pairs = [(a, b) for a in reversed(order[-3:]) for b in order[:3] if a != b]
        candidates = []
        for a, b in pairs:
            less = best.staffing.remove_day(self.scenario, a)
            if less is not None:
                candidates.append(less.add_day(self.scenario, b))
        if not candidates:
            return None
        self._round += 1
        ok = [e for e in self.evaluate(candidates, "exchange", self._round)
              if e.feasible and e.fte <= best.fte + 1e-9 and e.worst_margin > best.worst_margin]
        return max(ok, key=lambda e: (e.worst_margin, -e.fte)) if ok else None

    def group_slack(self, ev: Evaluation) -> dict[str, float]:
        """Each group's own margin against the norms, from the per-department table summed over the
        replications: calls within the norm and abandoned, and requests within their norms (against the
        strictest service-level target). A guide for choosing exchanges, not a verdict."""
        org = self.scenario.organisation
        dept_group = {d.name: d.name if org.setup == "decentralised" else str(d.cluster)
                      for d in org.departments}
        sums: dict[str, list[float]] = {}
        for rec in self.runner.store.iter_records([ev.unit], self.replications, tables=True):
            for row in (rec.tables or {}).get("per_department", []):
                acc = sums.setdefault(dept_group.get(row["department"], ""), [0.0] * 5)
                offered, requests = row.get("calls_offered") or 0, row.get("requests") or 0
                acc[0] += offered
                acc[1] += (row.get("reachability") or 0) * offered
                acc[2] += (row.get("calls_abandoned") or 0) * offered
                acc[3] += requests
                acc[4] += (row.get("within_norm") or 0) * requests
        by_kpi = {t.kpi: t for t in self.targets}
        service = [t.value for t in self.targets if t.kpi.startswith("service_level.") and t.op == ">="]
        out = {}
        for g, (offered, within, abandoned, requests, req_within) in sums.items():
            margins = []
            if offered and "reachability" in by_kpi:
                margins.append(within / offered - by_kpi["reachability"].value)
            if offered and "calls_abandoned" in by_kpi:
                margins.append(by_kpi["calls_abandoned"].value - abandoned / offered)
            if requests and service:
                margins.append(req_within / requests - max(service))
            out[g] = min(margins) if margins else 0.0
        return out


def _worst(ev: Evaluation) -> str:
    known = {k: m for k, m in ev.margins.items() if m is not None}
    if not known:
        return "-"
    k = min(known, key=lambda x: known[x])
    return f"{k} short by {-known[k]:.3f}"


def business_case(results: Sequence[tuple[str, Scenario, Evaluation, Evaluation]]) -> dict[str, Any]:
    """Least FTE and cost per setup, and the saving of each against the first (the article: >= 15%).

    ``results``: (name, scenario, evaluation of the config's staffing, least staffing) per setup.
    """
    rows: dict[str, Any] = {}
    ref_name, ref_scn, _, ref_best = results[0]
    cost = ref_scn.organisation.cost_per_fte_per_year
    for name, scn, base, best in results:
        unit_cost = scn.organisation.cost_per_fte_per_year
        rows[name] = {
            "fte_config": base.fte, "config_meets_norms": base.feasible, "fte": best.fte,
            "cost_per_year": best.fte * unit_cost,
            "saving_fte_vs_reference": ref_best.fte - best.fte,
            "saving_share_vs_reference": (ref_best.fte - best.fte) / ref_best.fte if ref_best.fte else None,
            "saving_euro_vs_reference": ref_best.fte * cost - best.fte * unit_cost,
            "saving_share_vs_config": (base.fte - best.fte) / base.fte if base.fte else None,
        }
    return {"reference": ref_name, "article_saving": ARTICLE_SAVING, "setups": rows}


__all__ = [
    "ARTICLE_SAVING", "Target", "default_targets", "parse_target", "targets_for", "Staffing", "groups",
    "group_demand", "group_of", "Evaluation", "StaffingSearch", "business_case",
]
