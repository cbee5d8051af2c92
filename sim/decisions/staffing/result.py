"""One least-staffing search per setup, from Python or ``sim staff --blocks 1``: :func:`staff`, its result
(:class:`StaffResult`: tables, trail, summary) and the single-search business case. The business case over
independent blocks, with intervals and costs, is :mod:`sim.decisions.business`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import OptionError, Scenario
from sim.core.costs import CostModel
from sim.decisions.staffing.norms import _EMPTY, Target, targets_for
from sim.decisions.staffing.search import Evaluation, StaffingSearch
from sim.experiments.experiment import (
    DEFAULT_REPLICATIONS,
    ExperimentResult,
    Runner,
    Unit,
    experiment_hash,
    session,
    setup_names,
)
from sim.experiments.stats import ALPHA
from sim.experiments.store import ResultStore

#: The article's expected saving of the business case (Amersfoort, sector SOB): at least 15%.
ARTICLE_SAVING = 0.15


def business_case(setups: Sequence[SetupStaffing]) -> dict[str, Any]:
    """Least FTE and yearly cost per setup (:class:`sim.core.costs.CostModel`: secretaries, coordination and manager,
    as ``sim staff`` prices them), and the saving of each against the first setup's least staffing (the article
    expects at least 15%) and against its own config."""
    ref = setups[0]
    ref_cost = CostModel.of(ref.scenario).yearly(ref.best.fte)["total"]
    rows: dict[str, Any] = {}
    for st in setups:
        costs = CostModel.of(st.scenario)
        cost = costs.yearly(st.best.fte)["total"]
        rows[st.name] = {
            "fte_config": st.base.fte, "config_meets_norms": st.base.feasible,
            "cost_config": costs.yearly(st.base.fte)["total"], "fte": st.best.fte, "cost_per_year": cost,
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
    more: list[StaffingSearch] = field(default_factory=list)  # the searches on further blocks (sim.decisions.business)

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


def _norm(t: Target, ev: Evaluation) -> dict[str, Any]:
    s = ev.summaries.get(t.key, _EMPTY)
    margin = ev.margins[t.key]
    return {**t.to_dict(), "mean": s.mean, "ci_low": s.ci_low, "ci_high": s.ci_high, "margin": margin,
            "holds": None if margin is None else margin >= 0}


_RULES = {
    "mean": "a sector norm holds when the KPI's estimate over the replications (the pooled share of events, or "
            "the mean) meets its target; a department's norm, when its pooled share does",
    "confident": "a sector norm holds when the two-sided t-interval of the KPI lies on its side of the target "
                 "(lower bound >= a minimum, upper bound <= a maximum); a department's norm, when its pooled "
                 "share meets it",
}


@dataclass
class StaffResult:
    """The staffing searches of one ``sim staff`` run and the business case across them."""

    setups: list[SetupStaffing]
    targets: dict[str, list[Target]]
    replications: int
    seed: int
    confidence: float
    store: Any
    case: dict[str, Any] | None = None  # the business case over blocks (sim.decisions.business), if it was made
    cases: list[Any] = field(default_factory=list)  # its sim.decisions.business.SetupCase per setup

    def summary(self) -> dict[str, Any]:
        case = self.case if self.case is not None else business_case(self.setups)
        lead: dict[str, Any] = {"kind": "staff"}
        if case.get("headline"):
            lead["headline"] = case["headline"]  # the answer first, as the console and the report give it
        return {
            **lead,
            "setups": {s.name: s.to_dict() for s in self.setups},
            "business_case": case,
            "targets": {name: [t.to_dict() for t in ts] for name, ts in self.targets.items()},
            "confidence": self.confidence,
            "rule": _RULES[self.setups[0].search.rule] if self.setups else "",
            # per setup: its department call norms judged with the roster's coverage as a control variate
            "control_variate": {s.name: s.search.expected(s.best.staffing) is not None for s in self.setups},
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
        raise OptionError("confidence", f"{confidence} is not between 0 and 1")
    if replications < 2:
        raise OptionError("replications", "at least 2 replications are needed for an interval")
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
                          confidence: float, basis: str = "") -> str:
    extra: dict[str, Any] = {"targets": {k: [str(t) for t in v] for k, v in norms.items()},
                             "confidence": confidence}
    if basis:
        extra["basis"] = basis
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
