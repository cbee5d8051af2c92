"""The search for the least staffing that meets the norms.

An :class:`Evaluator` simulates candidate staffings on common random numbers (every candidate on the same
replication seeds, in parallel batches), caches them and judges the norms (:func:`sim.decisions.staffing.norms.judge`).
A candidate first runs a third of the replications; one whose interval already lies wholly on the wrong side
of a sector norm is rejected on those (:meth:`Evaluator.clearly_infeasible`), the others run the rest.

:class:`StaffingSearch` moves through staffings (:mod:`sim.decisions.staffing.moves`) and simulates a few, never the
whole grid:

1. *Group by group* (when departments have norms of their own, the default): every group goes to the least
   staffing at which its own departments meet their norms, all groups at once, so each round is one
   simulation. Groups that break their norms get days (1, 2, 4, ... in consecutive rounds); when none does,
   every group that may lose a day loses one, and a group that then breaks its norms keeps that day and loses
   no more. In the decentralised setup groups share no work, so one simulation answers for all of them.
2. *Along the proportional path* until the sector's norms hold too: step ``k`` adds ``|k|`` days (``k < 0``)
   or removes them (``k > 0``), each to the group with the fewest (from the one with the most) present hours
   per unit of demand. Days are added as the worst margin's secant says are missing, then the last step that
   fails and the first that holds are narrowed by bisection guided by the margins.
3. Without norms per department: along the path from the config (doubling, then bisection), then *greedy
   removal* (each group's next removal, the one with the largest worst margin kept) and *exchange* of a day
   between groups when that widens the worst margin.

The answer is a local optimum over these moves: the least FTE found, and how it is spread over the groups.
The norms that stopped it (a group's next removal, the path's step short of it) are its binding norms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sim.config import ConfigError, Scenario, option
from sim.decisions.staffing.control import expected_coverage
from sim.decisions.staffing.moves import Staffing, day_fte, group_demand, group_of, groups
from sim.decisions.staffing.norms import Target, department_sums, judge, pooled_share
from sim.experiments.experiment import Runner, Unit
from sim.experiments.seeds import replication_seed
from sim.experiments.stats import ALPHA, Summary, summarize
from sim.experiments.store import ReplicationRecord

#: How the norms' option is named in a message (``--target`` on the command line)
TARGET = option("target")

#: Days of staffing the path may add before the search gives up (relative to the config's days).
MAX_ADD_FACTOR = 4.0
#: ... but always at least this many days more per group.
MIN_ADD_DAYS = 10
#: Exchanges of a day between groups the search may make before it stops.
MAX_EXCHANGES = 10
#: Rounds of the group-wise search (each one simulated staffing) before it stops.
MAX_ROUNDS = 60


class Infeasible(ConfigError):
    """No staffing within the search's bound meets the norms (one line: which group, which norms, the bound)."""


def block_seed(seed: int, block: int) -> int:
    """The base seed of independent block ``block`` of replications: ``seed`` itself for block 0, else a
    child of ``SeedSequence(seed)`` on a spawn key that replication seeds never use."""
    if block == 0:
        return seed
    return replication_seed(seed, block, stream=1_000_003)


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
class Evaluator:
    """Simulates and judges candidate staffings of one scenario on one block of replication seeds, and keeps
    every evaluation (:attr:`evaluations`, in order) and a cache by staffing."""

    scenario: Scenario
    targets: list[Target]
    runner: Runner
    replications: int
    seed: int
    name: str = ""
    alpha: float = ALPHA
    block: int = 0
    early_reject: bool = True
    rule: str = ""  # "mean" or "confident"; default: the config's norms.rule
    evaluations: list[Evaluation] = field(default_factory=list)
    _cache: dict[str, Evaluation] = field(default_factory=dict)
    _expected: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = self.name or self.scenario.name
        self.rule = self.rule or self.scenario.norms.rule

    @property
    def block_seed(self) -> int:
        """The base seed of this search's block of replications (block 0: the experiment's seed)."""
        return block_seed(self.seed, self.block)

    def expected(self, staffing: Staffing) -> dict[str, float] | None:
        """Each department's expected coverage at ``staffing`` (the control variate's mean), if the config
        asks for the control variate and there are department norms; computed once per staffing."""
        if not self.scenario.norms.control_variate or not any(t.department for t in self.targets):
            return None
        key = staffing.key()
        if key not in self._expected:
            self._expected[key] = expected_coverage(staffing.apply(self.scenario))
        return self._expected[key]

    def judge(self, records: Sequence[ReplicationRecord], staffing: Staffing,
              targets: Sequence[Target] | None = None) -> tuple[dict[str, Summary], dict[str, float | None]]:
        """``staffing``'s KPIs and norms' margins over ``records`` (:func:`sim.decisions.staffing.norms.judge`), against
        this search's targets or ``targets``."""
        return judge(records, self.targets if targets is None else targets, self.alpha, self.rule,
                     self.expected(staffing))

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

    def evaluate(self, staffings: Sequence[Staffing], phase: str, step: int,
                 early: bool = True) -> list[Evaluation]:
        """Run every candidate on the same replication seeds (in one parallel batch) and judge the norms.
        Candidates run a first stage of replications; those clearly infeasible on it stop there (judged on
        those replications), the others run the rest (all of them at once with ``early=False``)."""
        new = {s.key(): s for s in staffings if s.key() not in self._cache}
        units = [self.unit(s) for s in new.values()]
        r0 = self.first_stage() if early else self.replications
        self.runner.ensure(units, r0, self.block_seed)
        runs = {}
        for u in units:
            first = self.runner.store.records([u.key], r0, tables=True)
            runs[u.key] = r0 if r0 < self.replications and self.clearly_infeasible(first) else self.replications
        rest = [u for u in units if runs[u.key] > r0]
        self.runner.ensure(rest, self.replications, self.block_seed)
        for u, s in zip(units, new.values(), strict=True):
            records = self.runner.store.records([u.key], runs[u.key], tables=True)
            sums, margins = self.judge(records, s)
            ev = Evaluation(s, u.key, s.fte(self.scenario), sums, margins, phase, step, len(records))
            self._cache[s.key()] = ev
            self.evaluations.append(ev)
        return [self._cache[s.key()] for s in staffings]


@dataclass
class StaffingSearch(Evaluator):
    """The search for one scenario. :meth:`run` returns the least-FTE staffing that meets the norms."""

    max_exchanges: int = MAX_EXCHANGES
    #: The norms that stopped the search, each with how often: those a group broke when it lost its next
    #: day, and those the path's first staffing short of the answer broke.
    stopped_by: dict[str, int] = field(default_factory=dict)
    #: The group-wise search's answer before the sector's norms were met (a good start for a new block).
    floor: Evaluation | None = None
    _round: int = 0

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
        """The least staffing from ``start`` (default: the config's). With norms per department: group by
        group (:meth:`_groupwise`), then along the path until the sector's norms hold too; without them, along
        the path, then improved by removals and exchanges (:meth:`_improve`)."""
        phase = "config" if start is None and not self.evaluations else "start"  # the trail's label
        start = start or Staffing.of(self.scenario)
        base = self.evaluate([start], phase, 0,
                             early=not self.department_groups)[0]
        if self.department_groups:
            best = self.floor = self._groupwise(base)
            if not best.feasible:
                self.stopped_by = {}  # the path adds days above every group's floor: only what stops it binds
                best = self._along_path(best.staffing, best)
        else:
            best = self._improve(self._along_path(start, base))
        return self.least_feasible(best)

    def least_feasible(self, best: Evaluation) -> Evaluation:
        """The least-FTE staffing among every one this search judged feasible on all its replications (the
        same seeds for all), ``best`` where none is smaller: a staffing that passed is never lost to a later
        repair or a path that overshot (ties: the wider worst margin)."""
        passed = [e for e in self.evaluations if e.feasible and e.replications >= self.replications]
        if not passed:
            return best
        least = min(passed, key=lambda e: (round(e.fte, 6), -e.worst_margin))
        return least if least.fte < best.fte - 1e-9 else best

    # -- group by group ------------------------------------------------------------------------------------
    @cached_property
    def department_groups(self) -> dict[str, str]:
        """Department -> the group that staffs it, for the departments with norms of their own (the scenario
        and the norms never change during a search)."""
        org = self.scenario.organisation
        names = set(groups(self.scenario))
        held = {t.department for t in self.targets if t.department is not None}
        out = {}
        for d in org.departments:
            g = org.group_of_department(d)
            if d.name in held and g in names:
                out[d.name] = g
        return out

    def group_margins(self, ev: Evaluation) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Each group's worst margin over its departments' norms, and the norms each group breaks."""
        dept_group = self.department_groups
        worst: dict[str, float] = {}
        broken: dict[str, list[str]] = {}
        for t in self.targets:
            m = ev.margins.get(t.key)
            if t.department is None or t.department not in dept_group or m is None:
                continue
            g = dept_group[t.department]
            worst[g] = min(worst.get(g, math.inf), m)
            if m < 0:
                broken.setdefault(g, []).append(t.key)
        return worst, broken

    def _group_days(self, staffing: Staffing, group: str) -> int:
        return sum(len(s.days or []) for s in staffing.secretaries if group_of(self.scenario, s) == group)

    def _stopped(self, ev: Evaluation, keys: Iterable[str] | None = None) -> None:
        wanted = None if keys is None else set(keys)
        for k, m in ev.margins.items():
            if m is not None and m < 0 and (wanted is None or k in wanted):
                self.stopped_by[k] = self.stopped_by.get(k, 0) + 1

    def _groupwise(self, ev: Evaluation) -> Evaluation:
        """Every group to the least staffing at which its own departments meet their norms, all groups at
        once: each round simulates one staffing. Groups that break their norms get days (1, 2, 4, ... in
        consecutive rounds); when none does, every group that may lose a day loses one; a group that then
        breaks its norms keeps that day and loses no more (the others go on without it). In the
        decentralised setup groups share no work, so one simulation answers for every group at once; where
        they do share (clusters, buddy cover), the next round repairs what a removal elsewhere broke."""
        sc = self.scenario
        fail_at: dict[str, int] = {}  # the most days at which the group broke its norms
        step: dict[str, int] = {}  # the days the group's next repair adds
        first = {g: self._group_days(ev.staffing, g) for g in groups(sc)}
        spare: dict[str, set[str]] = {}  # per group: departments whose own secretaries keep their days
        for rnd in range(1, MAX_ROUNDS + 1):
            worst, broken = self.group_margins(ev)
            st = ev.staffing
            if broken:
                for g in broken:
                    limit = max(int(MAX_ADD_FACTOR * first.get(g, 0)), first.get(g, 0) + MIN_ADD_DAYS)
                    if self._group_days(st, g) >= limit:
                        raise Infeasible(self.name, f"infeasible: {g} still breaks {', '.join(broken[g][:3])} with "
                                         f"{self._group_days(st, g)} secretary-days a week (from {first.get(g, 0)};"
                                         f" the search stops at {limit}), so more staff does not meet it; ask "
                                         f"with another target for that norm ({TARGET} KPI>=VALUE or KPI=off)")
                    # continuity only the department's own secretaries can give: the day goes to one of them, and
                    # they keep their days (a later removal in the group is made elsewhere); other norms: the
                    # group does not come back to the days at which it broke them
                    own = own_departments(broken[g])
                    spare.setdefault(g, set()).update(own)
                    if len(own) < len(broken[g]):
                        fail_at[g] = max(fail_at.get(g, 0), self._group_days(st, g))
                    k = step.get(g, 1)
                    for j in range(k):
                        if self._group_days(st, g) >= limit:
                            break
                        st = self.repair(st, g, broken[g], j)
                    step[g] = 2 * k
                step = {g: k for g, k in step.items() if g in broken}
                ev = self.evaluate([st], "repair", rnd, early=False)[0]
                continue
            step.clear()
            trim = [g for g in worst if (less := st.remove_day(sc, g, spare.get(g, ()))) is not None
                    and self._group_days(less, g) > fail_at.get(g, 0)]  # a leaver: several days
            if not trim:
                return ev
            new = self._removed(st, trim, rnd, spare)
            _, broke = self.group_margins(new)
            bad = [g for g in trim if g in broke]
            retry = []
            for g in bad:
                # the departments whose norms broke keep their own secretaries' days from now on; the group
                # tries a removal elsewhere before it stops
                depts = {k.split(":", 1)[0] for k in broke[g] if ":" in k} - spare.get(g, set())
                if depts and st.remove_day(sc, g, spare.get(g, set()) | depts) is not None:
                    spare.setdefault(g, set()).update(depts)
                    retry.append(g)
                    continue
                fail_at[g] = max(fail_at.get(g, 0), self._group_days(new.staffing, g))
                self._stopped(new, broke[g])
            if bad:
                ok = [g for g in trim if g not in bad]
                if not ok:
                    if retry:
                        continue
                    return ev
                new = self._removed(st, ok, rnd, spare)  # where groups share work, the next round repairs
            ev = new
        return ev

    def repair(self, staffing: Staffing, group: str, broken: Sequence[str], j: int = 0) -> Staffing:
        """``staffing`` with a day more in ``group``, which breaks the norms ``broken``: where one of them is a
        department's continuity (which only its own secretaries can give), for one of those departments (the
        ``j``-th, in turn), else anywhere in the group."""
        own = own_departments(broken)
        return staffing.add_day(self.scenario, group, own[j % len(own)] if own else None)

    def _removed(self, staffing: Staffing, names: Sequence[str], rnd: int,
                 spare: dict[str, set[str]] | None = None) -> Evaluation:
        st: Staffing | None = staffing
        for g in names:
            st = st.remove_day(self.scenario, g, (spare or {}).get(g, ())) if st is not None else None
        assert st is not None  # each group was checked to have a day to lose
        return self.evaluate([st], "trim", rnd, early=False)[0]

    def binding(self, best: Evaluation) -> dict[str, int]:
        """The binding norms at ``best``: those that stopped the search (a group's next removal, the path's
        next step short of the answer) or, for the path-and-removal search, those that the candidates with one
        secretary-day less than it break, each with how many times."""
        if self.stopped_by and self.department_groups:
            return dict(sorted(self.stopped_by.items(), key=lambda kv: -kv[1]))
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
        """The step of the path with the least staff that meets the norms: by doubling (removing) or by the
        secant of the worst margin (adding), then by bisection guided by the margins (:meth:`_bisect`)."""
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
        # add days until the norms hold: as many as the worst margin's secant over the last two steps says
        # are missing (at least one more, at most five times as many), or 1, 2, 4, ... where it cannot say
        bad, bad_m, k = 0, base.worst_margin, 1
        while True:
            ev = self._at(start, -k, step)
            step += 1
            assert ev is not None  # adding never runs out
            if ev.feasible:
                return self._bisect(start, -k, ev, bad, step)
            if k >= limit:
                raise Infeasible(self.name, f"infeasible: the norms are not met even with {k} more secretary-days "
                                 f"({ev.fte:.1f} FTE), so more staff does not meet them; worst: {_worst(ev)}; ask "
                                 f"with another target for that norm ({TARGET} KPI>=VALUE or KPI=off)")
            slope = (ev.worst_margin - bad_m) / (k + bad) if math.isfinite(ev.worst_margin - bad_m) else 0.0
            more = math.ceil(-ev.worst_margin / slope) if slope > 0 else k
            bad, bad_m, k = -k, ev.worst_margin, min(k + max(1, min(more, 4 * k)), limit)

    def _known(self, start: Staffing, k: int) -> bool:
        s = self.path(start, k)
        return s is not None and s.key() in self._cache

    def _at(self, start: Staffing, k: int, step: int) -> Evaluation | None:
        s = self.path(start, k)
        return None if s is None else self.evaluate([s], "path", step)[0]

    def _bisect(self, start: Staffing, good: int, good_ev: Evaluation, bad: int, step: int) -> Evaluation:
        """Step ``good`` meets the norms and ``bad`` does not: narrow until they are adjacent. The next step
        tried is where the worst margin, drawn straight between the two, crosses zero (rounded toward
        ``good``: the first step expected to hold), but the midpoint after two moves of the same end."""
        bad_ev = self._at(start, bad, step) if bad == 0 or self._known(start, bad) else None
        last, same = "", 0  # which end moved last, and how many times in a row
        while abs(bad - good) > 1:
            mid = (good + bad) // 2
            if bad_ev is not None and same < 2 and math.isfinite(bad_ev.worst_margin) \
                    and math.isfinite(good_ev.worst_margin) and good_ev.worst_margin > bad_ev.worst_margin:
                cross = bad + (good - bad) * -bad_ev.worst_margin / (good_ev.worst_margin - bad_ev.worst_margin)
                guess = math.ceil(cross - 1e-9) if good > bad else math.floor(cross + 1e-9)
                if min(good, bad) < guess < max(good, bad):
                    mid = guess
            ev = self._at(start, mid, step)
            step += 1
            end = "good" if ev is not None and ev.feasible else "bad"
            same = same + 1 if end == last else 1
            last = end
            if end == "good":
                assert ev is not None
                good, good_ev = mid, ev
            else:
                bad, bad_ev = mid, ev
        short = self.path(start, bad)
        if short is not None and short.key() in self._cache:
            self._stopped(self._cache[short.key()])
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
        dept_group = {d.name: org.group_of_department(d) for d in org.departments}
        sums = department_sums(self.runner.store.iter_records([ev.unit], self.replications, tables=True),
                                lambda name: dept_group.get(name, ""))
        by_kpi = {t.kpi: t for t in self.targets if t.department is None}
        service = [t.value for t in self.targets
                   if t.department is None and t.kpi.startswith("service_level.") and t.op == ">="]
        out = {}
        for g, by in sums.items():
            within, offered = by["reachability"]
            abandoned, _ = by["calls_abandoned"]
            req_within, requests = by["within_norm"]
            margins = []
            if offered and "reachability" in by_kpi:
                margins.append(within / offered - by_kpi["reachability"].value)
            if offered and "calls_abandoned" in by_kpi:
                margins.append(by_kpi["calls_abandoned"].value - abandoned / offered)
            if requests and service:
                margins.append(req_within / requests - max(service))
            out[g] = min(margins) if margins else 0.0
        return out


def own_departments(broken: Iterable[str]) -> list[str]:
    """The departments among the broken norms' keys whose continuity is broken (``Groen:continuity``)."""
    return [key.split(":", 1)[0] for key in broken if key.endswith(":continuity")]


def _worst(ev: Evaluation) -> str:
    known = {k: m for k, m in ev.margins.items() if m is not None}
    if not known:
        return "-"
    k = min(known, key=lambda x: known[x])
    return f"{k} short by {-known[k]:.3f}"
