"""The master problem of ``sim roster``: the least-cost weekly roster that covers the requirements, by CP-SAT.

Why OR-Tools CP-SAT: the choices are integer (which weekdays, which shift start and length, which lunch slot),
the coverage constraints are linear in them, the problem is small (tens of people, five days, a few dozen shift
patterns), and CP-SAT solves such models to proven optimality in seconds; it is free (Apache 2.0), maintained
by Google, installs as a wheel (``pip install ortools``) and reports an optimality gap when it stops on its
time limit. A MIP solver would do as well; a heuristic would give no proof of least cost.

The model, per person ``p`` (today's secretaries, and candidate newcomers per group when
``roster_rules.new_hires``), per weekday ``d`` and shift pattern ``k`` (a start on the grid of
``roster_rules.shift_starts``, a length of ``shift_hours`` paid hours, and a lunch slot in the lunch window when
the shift is longer than ``lunch_after_hours``):

- ``x[p,k]``: her shift (one per person: the secretaries spreadsheet gives each secretary one start, end and
  lunch for all her days, so the roster keeps that form); ``y[p,d]``: she works on ``d``;
  ``z[p,d,k] = x[p,k] and y[p,d]``;
- contract: her paid hours a week within today's plus ``contract_change_hours`` (and at most
  ``max_hours_per_week``), or none at all if ``may_leave``; a newcomer's hours are one of ``new_hire_hours``;
  working days within ``days_per_week``;
- coverage: for every group, weekday and half hour of the covered hours, the minutes its secretaries are
  present (not at lunch) in the half hour add up to at least 30 x the requirement;
- objective: the least paid hours (cost is cost_per_hour x hours), proved optimal (or the gap stated), then,
  among rosters of that cost, the fewest changes against today (days moved, starts moved, newcomers): a second
  solve with the cost fixed, started from the first one's answer.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import MINUTES_PER_DAY, WEEKDAYS, OptionError, Scenario, SecretarySpec, clock_minutes
from sim.core.costs import cost_per_hour
from sim.decisions.rostering.requirements import SLOT, Requirements, cover_hours, group_of_department


class SolverMissing(RuntimeError):
    """OR-Tools is not installed."""


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Shift:
    """A working day's pattern: start, paid minutes, and the lunch (start, minutes) or none."""

    start: int
    paid: int
    lunch: int | None
    lunch_minutes: int

    @property
    def end(self) -> int:
        return self.start + self.paid + (self.lunch_minutes if self.lunch is not None else 0)

    def minutes_in(self, a: int, b: int) -> int:
        """Minutes present (at work, not at lunch) within [a, b)."""
        present = max(0, min(b, self.end) - max(a, self.start))
        if self.lunch is not None:
            present -= max(0, min(b, self.lunch + self.lunch_minutes) - max(a, self.lunch))
        return present

    def label(self) -> str:
        lunch = f", lunch {clock(self.lunch)}" if self.lunch is not None else ""
        return f"{clock(self.start)}-{clock(self.end)}{lunch}"


def shift_patterns(scenario: Scenario) -> list[Shift]:
    """Every shift the rules allow."""
    rules = scenario.roster_rules
    first, last = (int(clock_minutes(c)) for c in rules.shift_starts)
    window = rules.lunch_window or scenario.calendar.lunch_window
    w0, w1 = (int(clock_minutes(c)) for c in window)
    lm = int(round(rules.lunch_minutes))
    out = []
    for start in range(first, last + 1, rules.start_step_minutes):
        for hours in sorted(set(rules.shift_hours)):
            paid = int(round(hours * 60))
            if hours > rules.lunch_after_hours and lm > 0:
                end = start + paid + lm
                lunches = [m for m in range(w0, w1 - lm + 1, SLOT) if start < m and m + lm < end]
                out += [Shift(start, paid, m, lm) for m in lunches]
            else:
                out.append(Shift(start, paid, None, lm))
    if start + paid + lm > MINUTES_PER_DAY:
        raise ValueError("roster_rules: a shift runs past midnight")
    return out


@dataclass
class Person:
    """Someone the roster may schedule: one of today's secretaries (``spec``) or a candidate newcomer."""

    name: str
    group: str
    departments: list[str]
    cluster: str | None
    today_days: list[str]
    today_hours: float
    today_start: int | None
    spec: SecretarySpec | None = None

    @property
    def new(self) -> bool:
        return self.spec is None


def people(scenario: Scenario) -> list[Person]:
    """Today's secretaries and, where the rules allow, candidate newcomers per group."""
    org = scenario.organisation
    cal = scenario.calendar
    out = []
    for i, sec in enumerate(org.secretaries):
        days: list[str] = sec.weekdays(cal)
        out.append(Person(sec.name, org.group_of(sec), list(sec.departments), sec.cluster, days,
                          scenario.secretary_hours_per_week(i), int(sec.shift_minutes(cal)[0]), sec))
    rules = scenario.roster_rules
    if rules.new_hires:
        where = group_of_department(scenario)
        for g in org.clusters():
            depts = [d for d, gg in where.items() if gg == g]
            for j in range(rules.max_new_hires_per_group):
                out.append(Person(f"New-{g}-{j + 1}", g, depts, g if org.setup == "central" else None, [], 0.0,
                                  None))
    return out


@dataclass(frozen=True)
class Keep:
    """A what-if: fix a person's days and/or shift start (``--keep 'Olga.days=[wed,thu,fri]'``)."""

    name: str
    days: tuple[str, ...] | None = None
    start: int | None = None


@dataclass
class Assignment:
    person: Person
    days: list[str]
    shift: Shift | None

    @property
    def hours(self) -> float:
        return 0.0 if self.shift is None else len(self.days) * self.shift.paid / 60

    @property
    def status(self) -> str:
        if self.person.new:
            return "new hire" if self.days else "not hired"
        if not self.days:
            return "leaves"
        change = self.hours - self.person.today_hours
        if abs(change) < 1e-6:
            same = self.days == self.person.today_days and self.shift is not None \
                and self.shift.start == self.person.today_start
            return "kept" if same else "hours kept, shifted"
        return "extended" if change > 0 else "shortened"


@dataclass
class Roster:
    """The solver's answer."""

    assignments: list[Assignment]
    hours: float
    cost: float
    status: str  # OPTIMAL, FEASIBLE
    gap_hours: float
    seconds: float
    changes: int = 0
    coverage: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # group -> day -> minutes per slot

    @property
    def working(self) -> list[Assignment]:
        return [a for a in self.assignments if a.days]

    def secretaries(self) -> list[SecretarySpec]:
        """The roster as the config's secretaries (today's keep their skills and competences)."""
        out = []
        for a in self.working:
            assert a.shift is not None
            s = a.shift
            lunch = clock(s.lunch if s.lunch is not None else s.start)
            update: dict[str, Any] = {"days": list(a.days), "start": clock(s.start), "end": clock(s.end),
                                      "lunch_start": lunch,
                                      "lunch_minutes": float(s.lunch_minutes if s.lunch is not None else 0)}
            if a.person.spec is not None:
                out.append(a.person.spec.model_copy(update=update))
            else:
                out.append(SecretarySpec.model_validate({"name": a.person.name, "departments": a.person.departments,
                                                         "cluster": a.person.cluster, **update}))
        return out


def _deterministic(solver: Any, limit: float, workers: int) -> None:
    """The same answer on every run: one search worker (several race, and which wins a time-limited race
    varies: measured on central, the same requirements gave rosters of different changes and, in the trim
    phase, of 10.1 and 9.2 FTE) and a limit in CP-SAT's deterministic time (about seconds), not wall time.
    ``workers`` is kept for the simulation's processes."""
    del workers
    solver.parameters.max_deterministic_time = limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1


def solve(scenario: Scenario, req: Requirements, keeps: Sequence[Keep] = (), time_limit: float = 30.0,
          workers: int = 2) -> Roster | None:
    """The least-cost roster covering ``req`` under the scenario's ``roster_rules`` (None: no roster exists)."""
    try:  # typed as Any: the solver's own stubs name its methods in two styles across versions
        cp_model: Any = importlib.import_module("ortools.sat.python.cp_model")
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching in the tests
        raise SolverMissing("sim roster needs OR-Tools: pip install 'secretariat-sim[roster]' "
                            "(or pip install ortools)") from exc
    rules = scenario.roster_rules
    cal = scenario.calendar
    days: list[str] = [d for d in WEEKDAYS if d in cal.working_days]
    shifts = shift_patterns(scenario)
    persons = people(scenario)
    by_name = {p.name: p for p in persons}
    for kept in keeps:
        if kept.name not in by_name:
            raise OptionError("keep", f"nobody called {kept.name!r} (today: "
                             f"{', '.join(p.name for p in persons if not p.new)})")
    keep = {kept.name: kept for kept in keeps}
    cover_a, cover_b = cover_hours(scenario)
    cov = {(k, s): shifts[k].minutes_in(max(s * SLOT, cover_a), min((s + 1) * SLOT, cover_b))
           for k in range(len(shifts)) for s in req.slots}
    max_minutes = int(round((rules.max_hours_per_week or cal.full_time_hours_per_week) * 60))
    dmin, dmax = rules.days_per_week[0], min(rules.days_per_week[1], len(days))

    m = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    y: dict[tuple[int, str], Any] = {}
    z: dict[tuple[int, str, int], Any] = {}
    hours: dict[int, Any] = {}
    employed: dict[int, Any] = {}
    change_terms: list[Any] = []
    for pi, p in enumerate(persons):
        e = m.NewBoolVar(f"e{pi}")
        employed[pi] = e
        if not p.new and not rules.may_leave:
            m.Add(e == 1)
        if p.new and not rules.new_hire_hours:
            m.Add(e == 0)
        for k in range(len(shifts)):
            x[pi, k] = m.NewBoolVar(f"x{pi}_{k}")
        m.AddExactlyOne([x[pi, k] for k in range(len(shifts))] + [e.Not()])
        for d in days:
            y[pi, d] = m.NewBoolVar(f"y{pi}_{d}")
            m.AddImplication(y[pi, d], e)
            for k in range(len(shifts)):
                z[pi, d, k] = m.NewBoolVar(f"z{pi}_{d}_{k}")
                m.AddImplication(z[pi, d, k], x[pi, k])
            m.Add(sum(z[pi, d, k] for k in range(len(shifts))) == y[pi, d])
        n_days = sum(y[pi, d] for d in days)
        m.Add(n_days >= dmin * e)
        m.Add(n_days <= dmax * e)
        h = m.NewIntVar(0, 7 * int(MINUTES_PER_DAY), f"h{pi}")
        m.Add(h == sum(shifts[k].paid * z[pi, d, k] for d in days for k in range(len(shifts))))
        hours[pi] = h
        if p.new:
            sizes = sorted({int(round(v * 60)) for v in rules.new_hire_hours})
            pick = [m.NewBoolVar(f"n{pi}_{j}") for j in range(len(sizes))]
            m.Add(sum(pick) == e)
            m.Add(h == sum(sz * b for sz, b in zip(sizes, pick, strict=True)))
            change_terms.append(5 * e)
        else:
            today = int(round(p.today_hours * 60))
            hi = min(max_minutes, today + int(round(rules.contract_change_hours[1] * 60)))
            hi = max(hi, min(today, max_minutes))
            lo = min(max(0, today + int(round(rules.contract_change_hours[0] * 60))), hi)
            m.Add(h >= lo).OnlyEnforceIf(e)
            m.Add(h <= hi)
            for d in days:  # a day moved against today
                change_terms.append(y[pi, d].Not() if d in p.today_days else y[pi, d])
            change_terms += [x[pi, k] for k in range(len(shifts)) if shifts[k].start != p.today_start]
        if p.name in keep:
            kp = keep[p.name]
            if kp.days is not None:
                for d in days:
                    m.Add(y[pi, d] == (1 if d in kp.days else 0))
            if kp.start is not None:
                allowed = [k for k in range(len(shifts)) if shifts[k].start == kp.start]
                if not allowed:
                    raise OptionError("keep", f"{p.name}.start={clock(kp.start)}: not an allowed shift start "
                                     f"({rules.shift_starts[0]}..{rules.shift_starts[1]} every "
                                     f"{rules.start_step_minutes} min)")
                for k in range(len(shifts)):
                    if k not in allowed:
                        m.Add(x[pi, k] == 0)
    # newcomers of a group in order (symmetry)
    for g in {p.group for p in persons}:
        new = [pi for pi, p in enumerate(persons) if p.new and p.group == g]
        for a, b in zip(new, new[1:], strict=False):
            m.Add(employed[a] >= employed[b])
            m.Add(hours[a] >= hours[b])
    for g, need in req.need.items():
        members = [pi for pi, p in enumerate(persons) if req.covers(g, p.group, p.departments)]
        # a redundant cut that tightens the bound: paid time is at least the present time the group needs
        m.Add(sum(hours[pi] for pi in members) >= len(days) * sum(
            n * (min((s + 1) * SLOT, cover_b) - max(s * SLOT, cover_a)) for s, n in zip(req.slots, need, strict=True)))
        for d in days:
            for s, n in zip(req.slots, need, strict=True):
                if n <= 0:
                    continue
                width = min((s + 1) * SLOT, cover_b) - max(s * SLOT, cover_a)
                terms = [cov[k, s] * z[pi, d, k] for pi in members for k in range(len(shifts)) if cov[k, s]]
                m.Add(sum(terms) >= width * n)
    total = sum(hours.values())
    # two phases: the least paid time (proved optimal within the time limit), then, at that time, the fewest
    # changes against today (a short second solve from the first one's answer)
    m.Minimize(total)
    solver = cp_model.CpSolver()
    _deterministic(solver, time_limit, workers)
    code = solver.Solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    least = int(round(solver.ObjectiveValue()))
    bound_minutes = solver.BestObjectiveBound()
    seconds = solver.WallTime()
    m.Add(total <= least)
    m.ClearHints()
    for i in range(len(m.Proto().variables)):  # the whole first answer as the hint: a feasible start
        var = m.GetIntVarFromProtoIndex(i)
        m.AddHint(var, solver.Value(var))
    m.Minimize(sum(change_terms))
    second = cp_model.CpSolver()
    _deterministic(second, max(2.0, time_limit / 3), workers)
    if second.Solve(m) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver = second
        seconds += second.WallTime()
    assignments = []
    for pi, p in enumerate(persons):
        worked: list[str] = [d for d in days if solver.Value(y[pi, d])]
        chosen = next((k for k in range(len(shifts)) if solver.Value(x[pi, k])), None)
        assignments.append(Assignment(p, worked, shifts[chosen] if chosen is not None and worked else None))
    total_h = sum(a.hours for a in assignments)
    coverage: dict[str, dict[str, list[int]]] = {}
    for g in req.need:
        coverage[g] = {}
        for d in days:
            coverage[g][d] = [sum(a.shift.minutes_in(max(s * SLOT, cover_a), min((s + 1) * SLOT, cover_b))
                                  for a in assignments
                                  if req.covers(g, a.person.group, a.person.departments) and d in a.days and a.shift)
                              for s in req.slots]
    changes = 0  # against today: days moved, a start moved, a newcomer (5)
    for done in assignments:
        if done.person.new:
            changes += 5 if done.days else 0
        else:
            changes += len(set(done.days) ^ set(done.person.today_days))
            changes += int(done.shift is not None and done.shift.start != done.person.today_start)
    return Roster(assignments, total_h, total_h * cost_per_hour(scenario),
                  "OPTIMAL" if code == cp_model.OPTIMAL else "FEASIBLE",
                  round(max(0.0, total_h - math.floor(bound_minutes + 1e-6) / 60), 2), seconds, changes, coverage)


def parse_keep(text: str) -> Keep:
    """``NAME.days=[wed,thu,fri]`` or ``NAME.start=09:00``."""
    name, dot, rest = text.partition(".")
    key, eq, value = rest.partition("=")
    key, value = key.strip(), value.strip()
    if not dot or not eq or key not in ("days", "start") or not name.strip():
        raise OptionError("keep", f"{text!r}: give NAME.days=[mon,tue] or NAME.start=HH:MM")
    if key == "days":
        ds = tuple(v.strip().lower()[:3] for v in value.strip("[]").split(",") if v.strip())
        bad = [d for d in ds if d not in WEEKDAYS]
        if bad or not ds:
            raise OptionError("keep", f"{text!r}: unknown weekday {bad[0] if bad else '(none)'}")
        return Keep(name.strip(), days=ds)
    try:
        return Keep(name.strip(), start=int(clock_minutes(value)))
    except (ValueError, TypeError) as exc:
        raise OptionError("keep", f"{text!r}: {value!r} is not a clock time HH:MM") from exc


def merge_keeps(keeps: Sequence[Keep]) -> list[Keep]:
    out: dict[str, Keep] = {}
    for k in keeps:
        old = out.get(k.name, Keep(k.name))
        out[k.name] = Keep(k.name, k.days if k.days is not None else old.days,
                           k.start if k.start is not None else old.start)
    return list(out.values())


def today_hours(scenario: Scenario) -> float:
    return sum(scenario.secretary_hours_per_week(i) for i in range(len(scenario.organisation.secretaries)))


def summary_by_group(roster: Roster) -> Mapping[str, float]:
    out: dict[str, float] = {}
    for a in roster.working:
        out[a.person.group] = out.get(a.person.group, 0.0) + a.hours
    return out


__all__ = ["Assignment", "Keep", "Person", "Roster", "Shift", "SolverMissing", "clock",
           "merge_keeps", "parse_keep", "people", "shift_patterns", "solve", "today_hours"]
