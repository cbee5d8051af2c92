"""Simulation-based scheduling: requirements from theory, corrected where the simulation shows a shortfall.

The loop of ``sim roster`` (after Atlason, Epelman & Henderson 2004, 2008, and Cezik & L'Ecuyer 2008, who
add cuts to a scheduling master problem where the simulated service falls short):

1. requirements per group and half hour from SIPP (:func:`sim.decisions.rostering.requirements.theory_requirements`);
2. the least-cost roster that covers them (:func:`sim.decisions.rostering.solver.solve`);
3. the roster simulated on common random numbers (``replications`` on the config's seed) and judged against
   every norm as ``sim staff`` judges them (:func:`sim.decisions.staffing.norms.judge`, the department call norms with
   the control variate);
4. where a norm fails, one more secretary is required in the groups that fail it (a department norm: the
   department's group; a sector norm: every group) on the half hours where the simulation shows the shortfall:
   those whose simulated reachability (the ``per_half_hour`` table, pooled over replications) is below the
   reachability norm, else the worst third of the half hours; then back to 2;
5. a roster that meets every norm is simulated again on **fresh** seeds (another block of replications); it is
   the answer only if it meets them there too, else its failures there correct the requirements as in 4;
6. from the confirmed roster, the requirement is *trimmed* unit by unit (one fewer in every half hour above
   ``min_present``, the unit with the widest margin first; where the whole day fails, the morning and the
   afternoon on their own) while the cheaper roster still meets every norm on both blocks of seeds
   (:meth:`RosterSearch.trim`): theory's requirement may be more than the norms need.

Units are the groups (clusters; departments) or, in a decentralised setup with buddy cover, the cover rings
and their departments (:mod:`sim.decisions.rostering.requirements`).

Stop rule: at most ``max_rounds`` rosters; a run that ends without a confirmed roster says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import Scenario, SecretarySpec, parse_scenario
from sim.decisions.rostering import MAX_ROUNDS
from sim.decisions.rostering.requirements import SLOT, Requirements, group_of_department, theory_requirements
from sim.decisions.rostering.solver import Keep, Roster, solve
from sim.decisions.staffing.control import expected_coverage
from sim.decisions.staffing.norms import Target, judge, measure_today, targets_for
from sim.decisions.staffing.search import block_seed
from sim.experiments.experiment import Runner, Unit
from sim.experiments.stats import Summary
from sim.experiments.store import ReplicationRecord


def with_secretaries(scenario: Scenario, secretaries: Sequence[SecretarySpec], label: str) -> Scenario:
    data = scenario.model_dump(mode="json")
    data["organisation"]["secretaries"] = [s.model_dump(mode="json") for s in secretaries]
    return parse_scenario(data, f"{scenario.name} ({label})")


@dataclass
class Judged:
    """A roster's KPIs and norms' margins on one block of replications."""

    seeds: str  # "search" or "fresh"
    summaries: dict[str, Summary]
    margins: dict[str, float | None]
    records: list[ReplicationRecord]

    @property
    def failing(self) -> list[str]:
        return [k for k, m in self.margins.items() if m is not None and m < 0]

    @property
    def feasible(self) -> bool:
        return not self.failing

    @property
    def worst(self) -> tuple[str, float] | None:
        known = [(k, m) for k, m in self.margins.items() if m is not None]
        return min(known, key=lambda km: km[1]) if known else None


@dataclass
class Round:
    number: int
    roster: Roster
    judged: list[Judged]
    added: dict[str, dict[int, int]] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        last = self.judged[-1]
        worst = last.worst
        return {"round": self.number, "hours": round(self.roster.hours, 2), "cost": round(self.roster.cost, 2),
                "solver": self.roster.status, "seeds": last.seeds, "meets_norms": last.feasible,
                "failing": "; ".join(last.failing), "worst_norm": worst[0] if worst else None,
                "worst_margin": worst[1] if worst else None,
                "added": "; ".join(f"{g}: {next(iter(v.values())):+d} at {', '.join(_clock(s) for s in sorted(v))}"
                                   for g, v in self.added.items() if v)}


def signature(roster: Roster) -> tuple[Any, ...]:
    """What the simulation sees of a roster: who works which days with which shift."""
    return tuple((a.person.name, tuple(a.days), a.shift) for a in roster.working)


def _clock(slot: int) -> str:
    return f"{slot * SLOT // 60:02d}:{slot * SLOT % 60:02d}"


@dataclass
class RosterSearch:
    """One setup's roster search (see the module docstring)."""

    scenario: Scenario
    runner: Runner
    replications: int = 4
    seed: int | None = None
    specs: Sequence[str] = ()
    keeps: Sequence[Keep] = ()
    max_rounds: int = MAX_ROUNDS
    time_limit: float = 30.0
    workers: int = 2
    log: Callable[[str], None] = lambda msg: None
    #: today's organisation, whose service ``--target today`` asks for (default: this config as staffed; for
    #: the business case, the organisation that exists, e.g. decentral.yaml for central.yaml)
    today_scenario: Scenario | None = None
    rounds: list[Round] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    theory: Requirements | None = None
    requirements: Requirements | None = None

    @property
    def base_seed(self) -> int:
        return self.scenario.run.seed if self.seed is None else self.seed

    def seeds(self, which: str) -> int:
        return self.base_seed if which == "search" else block_seed(self.base_seed, 1)

    def simulate(self, scenario: Scenario, key: str, which: str) -> list[ReplicationRecord]:
        unit = Unit(f"{key}@{which}", scenario, {"setup": self.scenario.name, "roster": key})
        self.runner.ensure([unit], self.replications, self.seeds(which))
        return self.runner.store.records([unit.key], self.replications, tables=True)

    def judge(self, scenario: Scenario, key: str, which: str,
              targets: Sequence[Target] | None = None) -> Judged:
        records = self.simulate(scenario, key, which)
        targets = list(self.targets if targets is None else targets)
        expected = None
        if scenario.norms.control_variate and any(t.department for t in targets):
            expected = expected_coverage(scenario)
        sums, margins = judge(records, targets, rule=scenario.norms.rule, expected=expected)
        return Judged(which, sums, margins, records)

    def today_targets(self, which: str) -> list[Target]:
        """The norms on these seeds: the fixed norms, or today's service measured on the same seeds (common
        random numbers, as ``sim staff --target today`` judges)."""
        from sim.decisions.staffing.norms import target_basis

        if target_basis(self.scenario, self.specs) == "norms":
            return targets_for(self.scenario, self.specs)
        base = self.today_scenario or self.scenario
        records = self.simulate(base, "today" if base is self.scenario else "today-organisation", which)
        expected = expected_coverage(base) if base.norms.control_variate else None
        today = measure_today(records, base.name, base, expected)
        return targets_for(self.scenario, self.specs, today)

    def corrections(self, judged: Judged, req: Requirements) -> dict[str, dict[int, int]]:
        """One more secretary in each failing group on the half hours of shortfall (module docstring, 4); for a
        department of a cover ring, on those of them where it has no desk of its own yet, if any."""
        where = group_of_department(self.scenario)
        groups: set[str] = set()
        call_norm = False
        for key in judged.failing:
            t = next(t for t in self.targets if t.key == key)
            groups |= {where[t.department]} if t.department else set(req.top_units)
            call_norm = call_norm or t.kpi in ("reachability", "calls_abandoned")
        offered: dict[int, float] = {}
        within: dict[int, float] = {}
        for r in judged.records:
            for row in (r.tables or {}).get("per_half_hour", []):
                s = int(float(row["slot"]))
                offered[s] = offered.get(s, 0.0) + float(row["offered"])
                within[s] = within.get(s, 0.0) + float(row["answered_within_norm"])
        reach = {s: within.get(s, 0.0) / offered[s] for s in req.slots if offered.get(s)}
        norm = self.scenario.norms.reachability_min or 0.8
        short = [s for s, v in reach.items() if v < norm] if call_norm else []
        if not short:
            ranked = sorted(req.slots, key=lambda s: reach.get(s, 1.0))
            short = ranked[:max(1, math.ceil(len(ranked) / 3))]
        out: dict[str, dict[int, int]] = {}
        in_ring = {d for ds in req.rings.values() for d in ds}
        for g in sorted(groups):
            where_short = short
            if g in in_ring:  # a ring's department: first its own desk where the ring answers for it now
                gaps = {s for s, n in zip(req.slots, req.need[g], strict=True) if n == 0}
                where_short = [s for s in short if s in gaps] or short
            out[g] = {s: 1 for s in where_short}
        return out

    def run(self) -> Round | None:
        """The rounds until a roster meets every norm on the search's seeds and on fresh ones (that round), or
        None when the rounds ran out or no roster covers the requirements (:attr:`rounds` has them all)."""
        self.theory = req = theory_requirements(self.scenario)
        extra: dict[str, dict[int, int]] = {}
        fresh_targets: list[Target] | None = None
        self.targets = self.today_targets("search")
        for n in range(1, self.max_rounds + 1):
            self.requirements = req = self.theory.plus(extra)
            roster = solve(self.scenario, req, self.keeps, self.time_limit, self.workers)
            if roster is None:
                self.log(f"round {n}: no roster within the rules covers the requirements")
                return None
            scen = with_secretaries(self.scenario, roster.secretaries(), f"roster round {n}")
            judged = self.judge(scen, f"round{n}", "search")
            rnd = Round(n, roster, [judged])
            self.rounds.append(rnd)
            self.log(f"round {n}: {roster.hours:.1f} h/week ({roster.status.lower()}), "
                     + ("meets every norm" if judged.feasible else f"misses {', '.join(judged.failing)}"))
            if judged.feasible:
                if fresh_targets is None:
                    fresh_targets = self.today_targets("fresh")
                fresh = self.judge(scen, f"round{n}", "fresh", fresh_targets)
                rnd.judged.append(fresh)
                self.log(f"round {n}: on fresh seeds " + ("meets every norm" if fresh.feasible
                                                          else f"misses {', '.join(fresh.failing)}"))
                if fresh.feasible:
                    return self.trim(rnd, extra, n)
                judged = fresh
            rnd.added = self.corrections(judged, req)
            for g, slots in rnd.added.items():
                for s, k in slots.items():
                    extra.setdefault(g, {})[s] = extra.get(g, {}).get(s, 0) + k
        return None

    def trim(self, best: Round, extra: dict[str, dict[int, int]], used: int) -> Round:
        """From a confirmed roster, try less, one unit at a time (the one with the widest margin first): one
        secretary fewer required in every half hour where it asks more than its floor; where that fails, the
        same in each half of the covered day on its own (the morning and the afternoon, as the demand has a peak
        in each). A cheaper roster that meets every norm on the search's seeds and on fresh ones is the new
        answer; a trim that fails is not tried again, nor is a roster already found failing simulated again. Within
        the same ``max_rounds``."""
        assert self.theory is not None
        where = group_of_department(self.scenario)
        rings = self.theory.rings
        n = used
        slots = self.theory.slots
        middle = slots[len(slots) // 2]

        def floor(g: str) -> int:
            return 0 if any(g in ds for ds in rings.values()) else self.scenario.roster_rules.min_present

        def slack(g: str) -> float:
            depts = set(rings.get(g, ())) | {d for d, gg in where.items() if gg == g}
            ms = [m for k, m in best.judged[-1].margins.items() if m is not None and
                  (":" not in k or k.split(":")[0] in depts)]
            return min(ms) if ms else 0.0

        failed: set[tuple[Any, ...]] = set()
        # (unit, part): part "day", "am" or "pm"; halves are queued when the whole day fails
        queue = [(g, "day") for g in sorted(self.theory.need, key=slack, reverse=True)]
        while queue and n < self.max_rounds:
            g, part = queue.pop(0)
            req = self.theory.plus(extra)
            keep = {"day": lambda s: True, "am": lambda s: s < middle, "pm": lambda s: s >= middle}[part]
            cut = {s: -1 for s, v in zip(req.slots, req.need[g], strict=True) if v > floor(g) and keep(s)}
            if not cut:
                continue
            trial = {gg: dict(v) for gg, v in extra.items()}
            for s_, k in cut.items():
                trial.setdefault(g, {})[s_] = trial.get(g, {}).get(s_, 0) + k
            roster = solve(self.scenario, self.theory.plus(trial), self.keeps, self.time_limit, self.workers)
            if roster is None or roster.hours >= best.roster.hours - 1e-9 or signature(roster) in failed:
                continue  # not cheaper, or a roster already simulated and found failing
            n += 1
            scen = with_secretaries(self.scenario, roster.secretaries(), f"roster round {n}")
            judged = [self.judge(scen, f"round{n}", "search")]
            if judged[0].feasible:
                judged.append(self.judge(scen, f"round{n}", "fresh", self.today_targets("fresh")))
            rnd = Round(n, roster, judged, {g: cut})
            self.rounds.append(rnd)
            ok = judged[-1].feasible
            what = {"day": "", "am": " (morning)", "pm": " (afternoon)"}[part]
            self.log(f"round {n}: trim {g}{what}: {roster.hours:.1f} h/week, "
                     + ("meets every norm on fresh seeds too" if ok else f"misses {', '.join(judged[-1].failing)}"))
            if ok:
                best, extra = rnd, trial
                self.requirements = self.theory.plus(extra)
                queue.append((g, part))  # and once more, until it fails
                continue
            failed.add(signature(roster))
            if part == "day":
                queue += [(g, "am"), (g, "pm")]
        self.requirements = self.theory.plus(extra)
        return best

    def today(self) -> Judged:
        """Today's roster on the fresh seeds, against the same norms as the answer."""
        return self.judge(self.scenario, "today", "fresh", self.today_targets("fresh"))


__all__ = ["MAX_ROUNDS", "Judged", "Round", "RosterSearch", "with_secretaries"]
