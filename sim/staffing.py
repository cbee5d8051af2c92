"""The least staffing that meets the service norms, and the business case built on it.

**Norms** are targets on KPIs (:class:`Target`), read from the config's ``norms`` section
(:class:`sim.config.Norms`; ``--target`` overrides). The schema's defaults, from the sources in the domain notes:

- ``reachability >= 0.80``: calls answered within the norm (the call-centre "80% within 20 s"; the VNG
  charter and Katwijk ask 20-25 s);
- ``calls_abandoned <= 0.05``: at most 5% abandoned calls (Tilburg, 2018);
- ``service_level.<type> >= 0.85`` for every back-office type of the config (call-backs, e-mail, post, ...,
  minutes): 85% within its norm, as Tilburg (2020) asks of e-mail within 2 working days;
- ``utilisation <= 0.85``: the occupancy ceiling (ASSUMPTION: workforce-management convention);
- per department (``norms.per_department``): each department's reachability, abandoned calls and requests
  within norm from the per-department table, against the sector's targets, judged on the department's pooled
  share (a point estimate; see :func:`department_targets`).

Each candidate first runs a third of the replications; one whose interval already lies wholly on the wrong side
of a sector norm is rejected on those (:meth:`StaffingSearch.clearly_infeasible`), the others run the rest.
Independent blocks of replications, the business case and its intervals are in :mod:`sim.business`.

A norm *holds with confidence* when the whole two-sided t-interval (95% by default) lies on the right side of
the target: the lower bound at or above a ``>=`` target, the upper bound at or below a ``<=`` target. Norms on
shares of events (reachability, abandoned calls, each type's service level) are judged on the *pooled* share
over all replications (all calls, all e-mails: as a municipality reports its norm), with the ratio estimator's
t-interval (:func:`sim.stats.ratio_estimate`), so that a replication with two call-backs weighs less than one
with two hundred; other KPIs on the mean over replications. A KPI that no replication could measure (no
requests of that type) sets no norm.

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
2. *Greedy removal.* From there, each group's next day-removal is simulated, groups with the most slack (in
   the per-department table) first, as many at a time as run in parallel; if several of a batch keep all
   norms, all of them together are tried as one step, repeated while it keeps them (big steps while far from
   the answer), else the one with the largest worst margin is taken; until no removal keeps the norms.
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import WEEKDAYS, ConfigError, Scenario, SecretarySpec, clock_minutes, parse_scenario
from sim.experiment import (
    DEFAULT_REPLICATIONS,
    ExperimentResult,
    Runner,
    Unit,
    experiment_hash,
    session,
    setup_names,
)
from sim.stats import ALPHA, Summary, ratio_estimate, summarize
from sim.store import ReplicationRecord, ResultStore

#: The article's expected saving of the business case (Amersfoort, sector SOB): at least 15%.
ARTICLE_SAVING = 0.15
#: Days of staffing the path may add before the search gives up (relative to the config's days).
MAX_ADD_FACTOR = 4.0
#: Exchanges of a day between groups the search may make before it stops.
MAX_EXCHANGES = 10


# ------------------------------------------------------------------------------------------------ norms
@dataclass(frozen=True)
class Target:
    """A service norm: ``kpi op value`` with op ``>=`` or ``<=``; with ``department``, the norm for that one
    department, on its column ``kpi`` of the per-department table (judged on the pooled point estimate)."""

    kpi: str
    op: str
    value: float
    department: str | None = None

    @property
    def key(self) -> str:
        """Unique among a search's norms: ``reachability`` or ``Groen:reachability``."""
        return self.kpi if self.department is None else f"{self.department}:{self.kpi}"

    def margin(self, s: Summary) -> float | None:
        """How far the interval lies on the right side of the target (negative: the norm does not hold);
        None if the KPI was not measured. An interval that is not defined (fewer than 2 values) does not
        hold."""
        if s.n == 0:
            return None
        if s.ci_low is None or s.ci_high is None:
            return -math.inf
        return s.ci_low - self.value if self.op == ">=" else self.value - s.ci_high

    def estimate_margin(self, estimate: float | None) -> float | None:
        """The margin of a point estimate (per-department norms)."""
        if estimate is None:
            return None
        return estimate - self.value if self.op == ">=" else self.value - estimate

    def __str__(self) -> str:
        return f"{self.key} {self.op} {self.value:g}"

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "op": self.op, "value": self.value, "department": self.department}


#: Default targets: reachability (80% within the call norm), abandoned calls (Tilburg 2018: at most 5%),
#: and for each back-office type 85% within its norm (Tilburg 2020: 85% of e-mail within 2 working days).
DEFAULT_REACHABILITY = 0.80
DEFAULT_ABANDONED = 0.05
DEFAULT_SERVICE_LEVEL = 0.85

_TARGET = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|=)\s*(\S+)\s*$")


#: Per-department norms: the norm's field in the config, the per-department table's column, and direction.
DEPARTMENT_NORMS = (("reachability_min", "reachability", ">="), ("abandoned_max", "calls_abandoned", "<="),
                    ("service_level_min", "within_norm", ">="))


def default_targets(scenario: Scenario) -> list[Target]:
    """The norms of ``scenario`` (its ``norms`` section; the schema's defaults are the sourced ones above) for
    its request types, without the per-department ones (see :func:`department_targets`)."""
    from sim.demand import apply_hnw

    demand = apply_hnw(scenario.demand, scenario.hnw)
    norms = scenario.norms
    targets = []
    if norms.reachability_min is not None:
        targets.append(Target("reachability", ">=", norms.reachability_min))
    if norms.abandoned_max is not None:
        targets.append(Target("calls_abandoned", "<=", norms.abandoned_max))
    if norms.service_level_min is not None:
        targets += [Target(f"service_level.{t}", ">=", norms.service_level_min)
                    for t in demand.type_names() if t != "phone"]
    if norms.occupancy_max is not None:
        targets.append(Target("utilisation", "<=", norms.occupancy_max))
    return targets


def department_targets(scenario: Scenario, sector: Sequence[Target]) -> list[Target]:
    """Every department held to the sector's reachability and abandoned-call norms (after ``--target``) and to
    the service-level norm on its requests within norm (the strictest service-level target), if
    ``norms.per_department``."""
    if not scenario.norms.per_department:
        return []
    by_kpi = {t.kpi: t for t in sector if t.department is None}
    service = [t.value for t in sector if t.kpi.startswith("service_level.") and t.op == ">="]
    out = []
    for d in scenario.organisation.departments:
        for _, column, op in DEPARTMENT_NORMS:
            if column == "within_norm":
                if service:
                    out.append(Target(column, op, max(service), d.name))
            elif column in by_kpi:
                out.append(Target(column, by_kpi[column].op, by_kpi[column].value, d.name))
    return out


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
    sector = list(targets.values())
    return sector + department_targets(scenario, sector)


# --------------------------------------------------------------------------------------------- staffing
def group_of(scenario: Scenario, sec: SecretarySpec) -> str:
    """The group a secretary staffs: her department (decentralised) or her cluster (central)."""
    org = scenario.organisation
    if org.setup == "decentralised":
        return sec.departments[0]
    cluster_of = {d.name: d.cluster for d in org.departments}
    return sec.cluster or str(cluster_of[sec.departments[0]])


def _days(scenario: Scenario, sec: SecretarySpec) -> list[str]:
    cal = scenario.calendar.working_days
    return [d for d in WEEKDAYS if d in cal and (sec.days is None or d in sec.days)]


def _hours_per_day(scenario: Scenario, sec: SecretarySpec) -> float:
    cal = scenario.calendar
    minutes = clock_minutes(sec.end or cal.close) - clock_minutes(sec.start or cal.open) - sec.lunch_minutes
    return minutes / 60


def day_fte(scenario: Scenario) -> float:
    """One secretary-day in FTE: the median working day of the config's secretaries over the full-time
    week (7.2 h of 36 h: 0.2 FTE in the shipped configs)."""
    hours = sorted(_hours_per_day(scenario, s) for s in scenario.organisation.secretaries)
    return hours[len(hours) // 2] / scenario.calendar.full_time_hours_per_week


def _shift(sec: SecretarySpec) -> tuple[Any, ...]:
    return (sec.start, sec.end, sec.lunch_start, sec.lunch_minutes)


@dataclass(frozen=True)
class Staffing:
    """Who works which weekdays: the secretaries of a candidate organisation (same sector and demand)."""

    secretaries: tuple[SecretarySpec, ...]

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

    def _newcomer(self, scenario: Scenario, group: str, mine: list[tuple[int, SecretarySpec]],
                  day: str) -> SecretarySpec:
        names = {s.name for s in self.secretaries}
        n = 1
        while f"{group}+{n}" in names:
            n += 1
        shifts: dict[tuple[Any, ...], SecretarySpec] = {}
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
def block_seed(seed: int, block: int) -> int:
    """The base seed of independent block ``block`` of replications: ``seed`` itself for block 0, else a
    child of ``SeedSequence(seed)`` on a spawn key that replication seeds never use."""
    if block == 0:
        return seed
    from sim.experiment import replication_seed

    return replication_seed(seed, block, stream=1_000_003)


def event_counts(tables: dict[str, list[dict[str, Any]]], kpi: str) -> tuple[float, float] | None:
    """(events in the norm, events) behind a share KPI in one replication's tables; None for other KPIs."""
    if kpi in ("reachability", "service_level.phone", "calls_abandoned"):
        rows = tables.get("per_hour", [])
        field = "abandoned" if kpi == "calls_abandoned" else "answered_within_norm"
        return float(sum(r[field] for r in rows)), float(sum(r["offered"] for r in rows))
    if kpi.startswith("service_level."):
        name = kpi.split(".", 1)[1]
        for r in tables.get("per_type", []):
            if r["type"] == name:
                return float(r["done_within_norm"]), float(r["done"] + r["open_overdue_at_end"])
        return 0.0, 0.0
    return None


def pooled_share(records: Sequence[ReplicationRecord], kpi: str, alpha: float = ALPHA) -> Summary | None:
    """The pooled share of ``kpi`` over the replications with its ratio-estimator interval, or None if
    ``kpi`` is not a share of events."""
    counts = [event_counts(r.tables or {}, kpi) for r in records]
    if not counts or any(c is None for c in counts):
        return None
    ys = [c[0] for c in counts if c is not None]
    xs = [c[1] for c in counts if c is not None]
    return ratio_estimate(ys, xs, alpha)



def _department_sums(records: Iterable[ReplicationRecord], key: Callable[[str], str]) -> dict[str, list[float]]:
    """The per-department tables summed over the replications, by ``key(department)``: calls offered, within
    the norm and abandoned, requests, and requests within their norms."""
    sums: dict[str, list[float]] = {}
    for rec in records:
        for row in (rec.tables or {}).get("per_department", []):
            acc = sums.setdefault(key(row["department"]), [0.0] * 5)
            offered, requests = row.get("calls_offered") or 0, row.get("requests") or 0
            acc[0] += offered
            acc[1] += (row.get("reachability") or 0) * offered
            acc[2] += (row.get("calls_abandoned") or 0) * offered
            acc[3] += requests
            acc[4] += (row.get("within_norm") or 0) * requests
    return sums


def department_shares(records: Sequence[ReplicationRecord]) -> dict[str, dict[str, float | None]]:
    """Each department's pooled shares over the replications: reachability and abandoned calls (of its calls
    offered) and requests within norm (of its requests)."""
    sums = _department_sums(records, lambda name: name)
    return {d: {"reachability": a[1] / a[0] if a[0] else None, "calls_abandoned": a[2] / a[0] if a[0] else None,
                "within_norm": a[4] / a[3] if a[3] else None} for d, a in sums.items()}


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
    replications: int = 0

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
                               "worst_margin": None if math.isinf(self.worst_margin) else self.worst_margin,
                               "replications": self.replications}
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
    block: int = 0
    early_reject: bool = True
    max_exchanges: int = MAX_EXCHANGES
    evaluations: list[Evaluation] = field(default_factory=list)
    _cache: dict[str, Evaluation] = field(default_factory=dict)
    _round: int = 0

    def __post_init__(self) -> None:
        self.name = self.name or self.scenario.name

    @property
    def block_seed(self) -> int:
        """The base seed of this search's block of replications (block 0: the experiment's seed)."""
        return block_seed(self.seed, self.block)

    def unit(self, staffing: Staffing) -> Unit:
        key = f"{self.name}:{staffing.key()}" + (f"#{self.block}" if self.block else "")
        fte = round(staffing.fte(self.scenario), 6)
        labels = {"setup": self.name, "staffing": staffing.key(), "fte": fte}
        return Unit(key, staffing.apply(self.scenario), labels)

    def complete(self, ev: Evaluation) -> None:
        """Run the replications that early rejection left out for ``ev``'s staffing (for tables that show it:
        the config's staffing is often rejected early). Its verdict stays that of the first stage."""
        if ev.replications < self.replications:
            self.runner.ensure([self.unit(ev.staffing)], self.replications, self.block_seed)

    def first_stage(self) -> int:
        """Replications run first on every candidate: a third of them (at least 3), or all if that is not
        fewer; the rest only if the candidate is not already clearly infeasible."""
        r0 = max(3, math.ceil(self.replications / 3))
        return r0 if self.early_reject and r0 < self.replications else self.replications

    def clearly_infeasible(self, records: Sequence[ReplicationRecord]) -> bool:
        """Early rejection (a two-stage sequential test): some sector norm's whole interval, at this
        confidence, already lies on the wrong side of its target (the margin of the *opposite* bound is
        negative), so more replications would only confirm the failure."""
        for t in self.targets:
            if t.department is not None:
                continue
            s = pooled_share(records, t.kpi, self.alpha) or \
                summarize([r.kpis.get(t.kpi) for r in records], self.alpha)
            if s.n < 2 or s.ci_low is None or s.ci_high is None:
                continue
            if (t.op == ">=" and s.ci_high < t.value) or (t.op == "<=" and s.ci_low > t.value):
                return True
        return False

    def evaluate(self, staffings: Sequence[Staffing], phase: str, step: int) -> list[Evaluation]:
        """Run every candidate on the same replication seeds (in one parallel batch) and judge the norms.
        Candidates run a first stage of replications; those clearly infeasible on it stop there (judged on
        those replications), the others run the rest."""
        new = {s.key(): s for s in staffings if s.key() not in self._cache}
        units = [self.unit(s) for s in new.values()]
        r0 = self.first_stage()
        self.runner.ensure(units, r0, self.block_seed)
        runs = {}
        for u in units:
            first = self.runner.store.records([u.key], r0, tables=True)
            runs[u.key] = r0 if r0 < self.replications and self.clearly_infeasible(first) else self.replications
        rest = [u for u in units if runs[u.key] > r0]
        self.runner.ensure(rest, self.replications, self.block_seed)
        for u, s in zip(units, new.values(), strict=True):
            records = self.runner.store.records([u.key], runs[u.key], tables=True)
            kpis = {k for r in records for k in r.kpis}
            sums = {k: summarize([r.kpis.get(k) for r in records], self.alpha) for k in sorted(kpis)}
            sector = [t for t in self.targets if t.department is None]
            for t in sector:
                pooled = pooled_share(records, t.kpi, self.alpha)
                if pooled is not None:
                    sums[t.kpi] = pooled
            empty = Summary(None, None, None, None, 0)
            margins = {t.key: t.margin(sums.get(t.kpi, empty)) for t in sector}
            shares = department_shares(records)
            for t in self.targets:
                if t.department is not None:
                    est = shares.get(t.department, {}).get(t.kpi)
                    margins[t.key] = t.estimate_margin(est)
                    sums[t.key] = Summary(est, None, None, None, 0 if est is None else len(records))
            ev = Evaluation(s, u.key, s.fte(self.scenario), sums, margins, phase, step, len(records))
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

    def run(self, start: Staffing | None = None) -> Evaluation:
        """The least staffing from ``start`` (default: the config's): along the path, then improved."""
        start = start or Staffing.of(self.scenario)
        base = self.evaluate([start], "config" if not self.evaluations else "start", 0)[0]
        best = self._along_path(start, base)
        return self._improve(best)

    def binding(self, best: Evaluation) -> dict[str, int]:
        """The binding norms at ``best``: those that the candidates with one secretary-day less than it (the
        removals the search tried from it) break, each with how many of them it breaks."""
        day = day_fte(self.scenario)
        out: dict[str, int] = {}
        for ev in self.evaluations:
            if ev.feasible or not best.fte - 1.5 * day < ev.fte < best.fte - 1e-9:
                continue
            for k, m in ev.margins.items():
                if m is not None and m < 0:
                    out[k] = out.get(k, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

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
        for _ in range(self.max_exchanges):
            best = self._greedy(best)
            moved = self._exchange(best)
            if moved is None:
                return best
            best = moved
        return self._greedy(best)

    def _greedy(self, best: Evaluation) -> Evaluation:
        """Remove days while some removal keeps every norm. Groups are tried in order of their slack in the
        per-department table, as many at a time as run in parallel; of the first batch in which removals keep
        the norms, the one with the largest worst margin is taken (or all of them together, see
        :meth:`_combined`)."""
        while True:
            self._round += 1
            slack = self.group_slack(best)
            order = sorted(groups(self.scenario), key=lambda g: -slack.get(g, 0.0))
            options: list[tuple[str, Staffing]] = []
            for g in order:
                st = best.staffing.remove_day(self.scenario, g)
                if st is not None:
                    options.append((g, st))
            width = max(2, self.runner.parallelism)
            chosen = None
            for i in range(0, len(options), width):
                chunk = options[i:i + width]
                evs = self.evaluate([st for _, st in chunk], "greedy", self._round)
                ok = [(g, e) for (g, _), e in zip(chunk, evs, strict=True) if e.feasible]
                if ok:
                    single = max((e for _, e in ok), key=lambda e: (e.worst_margin, -e.fte))
                    chosen = self._combined(best, [g for g, _ in ok]) or single
                    break
            if chosen is None:
                return best
            best = chosen

    def _combined(self, best: Evaluation, names: list[str]) -> Evaluation | None:
        """Far from the least staffing many groups can each lose a day: try all those removals at once, and
        again while that keeps the norms (one simulation per step of up to one day per group), so the
        descent takes big steps while it can."""
        if len(names) < 2:
            return None
        found = None
        while True:  # repeat the same step while it keeps the norms
            s: Staffing | None = (found or best).staffing
            for g in names:
                s = s.remove_day(self.scenario, g) if s is not None else None
            if s is None:
                return found
            ev = self.evaluate([s], "greedy-all", self._round)[0]
            if not ev.feasible:
                return found
            found = ev

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
        sums = _department_sums(self.runner.store.iter_records([ev.unit], self.replications, tables=True),
                                lambda name: dept_group.get(name, ""))
        by_kpi = {t.kpi: t for t in self.targets if t.department is None}
        service = [t.value for t in self.targets
                   if t.department is None and t.kpi.startswith("service_level.") and t.op == ">="]
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


def business_case(setups: Sequence[SetupStaffing]) -> dict[str, Any]:
    """Least FTE and cost per setup, and the saving of each against the first setup's least staffing (the
    article expects at least 15%) and against its own config."""
    ref = setups[0]
    ref_cost = ref.best.fte * ref.scenario.organisation.cost_per_fte_per_year
    rows: dict[str, Any] = {}
    for st in setups:
        unit_cost = st.scenario.organisation.cost_per_fte_per_year
        cost = st.best.fte * unit_cost
        rows[st.name] = {
            "fte_config": st.base.fte, "config_meets_norms": st.base.feasible,
            "cost_config": st.base.fte * unit_cost, "fte": st.best.fte, "cost_per_year": cost,
            "saving_fte": ref.best.fte - st.best.fte,
            "saving_share": (ref.best.fte - st.best.fte) / ref.best.fte if ref.best.fte else None,
            "saving_euro": ref_cost - cost,
            "saving_share_vs_config": (st.base.fte - st.best.fte) / st.base.fte if st.base.fte else None,
            "meets_article_saving": None if st is ref else (ref_cost - cost) >= ARTICLE_SAVING * ref_cost,
        }
    return {"reference": ref.name, "article_saving": ARTICLE_SAVING, "setups": rows}


@dataclass
class SetupStaffing:
    """The search's answer for one setup."""

    name: str
    scenario: Scenario
    base: Evaluation
    best: Evaluation
    search: StaffingSearch
    more: list[StaffingSearch] = field(default_factory=list)  # the searches on further blocks (sim.business)

    def to_dict(self) -> dict[str, Any]:
        def judged(ev: Evaluation) -> dict[str, Any]:
            return {
                "fte": ev.fte, "meets_norms": ev.feasible, "unit": ev.unit,
                "spread": ev.staffing.spread(self.scenario),
                "norms": {t.key: _norm(t, ev) for t in self.search.targets},
                "kpis": {k: v.to_dict() for k, v in ev.summaries.items()},
            }

        searches = [self.search, *self.more]
        return {"config": judged(self.base), "least": judged(self.best),
                "evaluations": sum(len(s.evaluations) for s in searches),
                "replications_run": sum(e.replications for s in searches for e in s.evaluations)}


_EMPTY = Summary(None, None, None, None, 0)


def _norm(t: Target, ev: Evaluation) -> dict[str, Any]:
    s = ev.summaries.get(t.key, _EMPTY)
    margin = ev.margins[t.key]
    return {**t.to_dict(), "mean": s.mean, "ci_low": s.ci_low, "ci_high": s.ci_high, "margin": margin,
            "holds": None if margin is None else margin >= 0}


@dataclass
class StaffResult:
    """The staffing searches of one ``sim staff`` run and the business case across them."""

    setups: list[SetupStaffing]
    targets: dict[str, list[Target]]
    replications: int
    seed: int
    confidence: float
    store: Any
    case: dict[str, Any] | None = None  # the business case over blocks (sim.business), if it was made
    cases: list[Any] = field(default_factory=list)  # its sim.business.SetupCase per setup

    def summary(self) -> dict[str, Any]:
        return {
            "kind": "staff",
            "setups": {s.name: s.to_dict() for s in self.setups},
            "business_case": self.case if self.case is not None else business_case(self.setups),
            "targets": {name: [t.to_dict() for t in ts] for name, ts in self.targets.items()},
            "confidence": self.confidence,
            "rule": "a norm holds when the two-sided t-interval of the KPI's mean lies on its side of the "
                    "target (lower bound >= a minimum, upper bound <= a maximum)",
            "replications": self.replications, "seed": self.seed, "common_random_numbers": True,
        }

    def units(self) -> list[Unit]:
        """The config's and the least staffing of each setup (one unit if they are the same)."""
        out: list[Unit] = []
        for st in self.setups:
            for role, ev in (("config", st.base), ("least", st.best)):
                if role == "least" and ev.unit == st.base.unit:
                    continue
                u = st.search.unit(ev.staffing)
                out.append(Unit(u.key, u.scenario, {**u.labels, "staffing": role}))
        return out

    def experiment(self) -> ExperimentResult:
        """The config and least staffings as an experiment result (tidy KPIs and tables)."""
        return ExperimentResult("staff", self.units(), self.replications, self.seed, self.store)

    def trail_rows(self) -> list[dict[str, Any]]:
        rows = []
        for st in self.setups:
            for search in [st.search, *st.more]:
                for ev in search.evaluations:
                    rows.append({"setup": st.name, "block": search.block, **ev.trail_row()})
        return rows

    def trail_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.trail_rows())


def staffing_units(scenarios: Sequence[Scenario]) -> list[Unit]:
    names = setup_names(scenarios)
    return [Unit(n, s, {"setup": n}) for n, s in zip(names, scenarios, strict=True)]


def staff(scenarios: Sequence[Scenario], replications: int = DEFAULT_REPLICATIONS, seed: int | None = None, *,
          targets: Sequence[str] = (), confidence: float = 1 - ALPHA, runner: Runner | None = None,
          workers: int | None = None, scheduler: str | None = None,
          progress: bool | None = False) -> StaffResult:
    """The least staffing of each scenario that meets the norms, and the business case (first = reference).

    ``targets`` are ``--target`` specs over the defaults. Without ``runner`` the results store is in memory.
    """
    if not scenarios:
        raise ValueError("staff needs at least one scenario")
    if not 0 < confidence < 1:
        raise ConfigError("--confidence", f"{confidence} is not between 0 and 1")
    if replications < 2:
        raise ConfigError("--replications", "at least 2 replications are needed for an interval")
    base = scenarios[0].run.seed if seed is None else seed
    units = staffing_units(scenarios)
    norms = {u.key: targets_for(u.scenario, targets) for u in units}
    if runner is None:
        exp = staff_experiment_hash(units, base, norms, confidence)
        store = ResultStore.open(None, exp, "staff")
        with session(store, workers=workers, scheduler=scheduler, progress=progress) as own:
            return _staff(units, norms, replications, base, confidence, own)
    return _staff(units, norms, replications, base, confidence, runner)


def staff_experiment_hash(units: Sequence[Unit], seed: int, norms: dict[str, list[Target]],
                          confidence: float) -> str:
    extra = {"targets": {k: [str(t) for t in v] for k, v in norms.items()}, "confidence": confidence}
    return experiment_hash("staff", units, seed, extra)


def _staff(units: Sequence[Unit], norms: dict[str, list[Target]], replications: int, seed: int,
           confidence: float, runner: Runner) -> StaffResult:
    done = []
    for u in units:
        search = StaffingSearch(u.scenario, norms[u.key], runner, replications, seed, name=u.key,
                                alpha=1 - confidence)
        best = search.run()
        search.complete(search.evaluations[0])
        done.append(SetupStaffing(u.key, u.scenario, search.evaluations[0], best, search))
    return StaffResult(done, norms, replications, seed, confidence, runner.store)


__all__ = [
    "ARTICLE_SAVING", "Target", "default_targets", "parse_target", "targets_for", "Staffing", "groups",
    "group_demand", "group_of", "Evaluation", "StaffingSearch", "business_case", "SetupStaffing",
    "StaffResult", "staff", "staffing_units", "staff_experiment_hash",
]
