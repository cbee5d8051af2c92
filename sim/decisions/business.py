"""The business case: what each setup costs at its least staffing, the saving against a stated baseline, how
precise that is, and how long the transition takes to pay back.

**Costs** come from the one cost model, :class:`sim.core.costs.CostModel` (the config's ``costs`` section): a
setup's yearly cost is its secretaries' cost plus coordination plus the manager; moving to it costs once.
Payback = the one-off cost of the alternative (minus the baseline's) over its yearly saving.

**A stable answer.** The least staffing that meets the norms (:mod:`sim.decisions.staffing`) depends on the seeds: the
norms are judged on a finite sample, and a different sample can move the answer by a secretary-day or two. So
the search runs on independent *blocks* of replications (block ``b`` has its own base seed, the same for every
setup, so setups are compared on common random numbers within a block). Block 0 searches from the config;
every later block searches in full on its fresh seeds, from where block 0's group-by-group search ended (the
same start for all, so the later blocks' answers are independent and identically distributed: a block that
started from the previous block's answer inherited its noise, and one round of removals could not undo a
repair's overshoot, so answers crept; a full search does not depend on its start: decentral from the config
or from block 0's answer gave the same block answers on seeds 1 and 2). Each block gives each setup a least
FTE; blocks are added to a setup (at least ``min_blocks``) until its mean least FTE has an interval (at
``confidence``, log scale) whose upper half is at most ``precision`` (default one secretary-day), or
``max_blocks`` are run. The answer is that mean with its interval.

The **saving** is computed per block: ``1 - cost(alternative, block b) / cost(baseline, block b)``, paired over
the blocks that both the alternative and the baseline ran (against today's staffing, a fixed cost: over every
block of the alternative), and reported as the mean over blocks with its t-interval (the blocks are
independent, so this is an ordinary interval over independent replications of the whole search). The
**baseline** is explicit:

- ``least``: the first setup at its own least staffing in the same block (equal service against equal
  service: what the article's "15% cheaper at equal service" asks);
- ``config``: the first config's staffing as it is today (a fixed cost: the saving of the move as budgeted).

The **recommended staffing** of a setup is its block answer nearest the mean, judged on the replications of
*all* blocks together (mostly seeds it was not found on), with a day added to every group that breaks one of
its departments' norms there (or along the proportional path, for a sector norm) until it meets them. The
**binding norms** are those that stopped the searches (a group's next day-removal, the path's step short of
the answer), counted over the blocks; every norm's margin is shown at the recommended staffing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sim.config import ConfigError, OptionError, Scenario
from sim.core.costs import CostModel
from sim.decisions.staffing import (
    ARTICLE_SAVING,
    MAX_EXCHANGES,
    Evaluation,
    SetupStaffing,
    Staffing,
    StaffingSearch,
    StaffResult,
    Target,
    day_fte,
    staff_experiment_hash,
    staffing_units,
    targets_for,
)
from sim.decisions.staffing.control import expected_coverage
from sim.decisions.staffing.moves import roster_changes
from sim.decisions.staffing.norms import DEPARTMENT_KPIS, TodayService, measure_today, target_basis
from sim.decisions.staffing.search import Evaluator
from sim.experiments.experiment import Runner, Unit
from sim.experiments.stats import ALPHA, Summary, summarize, summarize_kpi
from sim.experiments.store import ReplicationRecord

#: Blocks of replications: at least this many, at most this many. The stopping rule compares an interval
#: whose width comes from the blocks' spread with the precision, and answers move in whole secretary-days: from
#: three blocks that spread is too rough (three equal answers gave a zero-width interval, and seed 1's first four
#: decentral answers, 27.6 27.8 27.6 27.6, an interval of +-0.16 FTE that seeds 2 and 3 missed by 0.3 and 0.2).
MIN_BLOCKS = 5
MAX_BLOCKS = 8
#: Days the confirmation may add to the largest block answer before it gives up (and says so).
MAX_CONFIRM_DAYS = 10
BASELINES = ("config", "least")
_NONE = Summary(None, None, None, None, 0)
#: Points of the service curve (what each FTE buys) between the recommended staffing and today's, at most.
CURVE_POINTS = 6


def payback_years(one_off: float, yearly_saving: float) -> float | None:
    """Years until the one-off cost is earned back (0 without one); None if nothing is saved."""
    if yearly_saving <= 0:
        return None
    return max(0.0, one_off) / yearly_saving


REDUCTIONS = ("attrition", "redundancy")


def cash_flow(costs: CostModel, today: CostModel, today_fte: float, setup_fte: float,
              reduction: str | None = None) -> dict[str, Any]:
    """The move from today's staffing (``today_fte`` at ``today``'s cost model) to a setup at ``setup_fte``
    (``costs``: the setup's cost model, which also gives the horizon, discount rate and reduction), year by
    year. Year 0 is the move: its one-off costs (``costs.one_off(setup_fte)``: reorganisation, training per FTE
    kept, tools, telephony; with ``redundancy`` also ``redundancy_cost`` per FTE of the surplus). Years
    1..horizon: today's yearly cost against the setup's at the FTE it has that year:

    - ``attrition``: the surplus ``today_fte - setup_fte`` shrinks by ``attrition_rate x today_fte`` a year
      (leavers not replaced), so the setup has ``max(setup_fte, today_fte - rate x today_fte x year)`` FTE, and
      the saving grows until the setup's FTE is reached (the setup's manager and coordination from year 1);
    - ``redundancy``: the setup's FTE from year 1, the full saving at once.

    A setup that needs more FTE than today has them from year 1 (hired), under either reduction. Each row:
    ``year, fte_today, fte_setup, cost_today, cost_setup, one_off, net_saving, cumulative, discounted,
    cumulative_discounted`` (``fte_setup`` and the yearly costs None in year 0; ``discounted``:
    ``net_saving / (1 + r)^year``).
    ``payback_years``: when the cumulative net saving turns non-negative, interpolated linearly within the year
    it does (0 without a one-off cost; beyond the horizon extrapolated at the last year's saving, with
    ``payback_within_horizon`` False; None if the saving never pays it back). ``npv``: the sum of the
    discounted net savings, year 0 included, at ``discount_rate``."""
    reduction = reduction or costs.reduction
    if reduction not in REDUCTIONS:
        raise ConfigError("costs.reduction", f"{reduction!r}: expected one of {', '.join(REDUCTIONS)}")
    surplus = max(0.0, today_fte - setup_fte)
    one_off = costs.one_off(setup_fte)["total"]
    redundancy = costs.redundancy_cost * surplus if reduction == "redundancy" else 0.0
    cost_today = today.yearly(today_fte)["total"]
    r = costs.discount_rate
    first = one_off + redundancy
    rows: list[dict[str, Any]] = [
        {"year": 0, "fte_today": today_fte, "fte_setup": None, "cost_today": None, "cost_setup": None,
         "one_off": first, "net_saving": -first, "cumulative": -first, "discounted": -first,
         "cumulative_discounted": -first}]
    step = costs.attrition_rate * today_fte
    for year in range(1, costs.horizon_years + 1):
        fte = setup_fte if reduction == "redundancy" or surplus == 0 else max(setup_fte, today_fte - step * year)
        cost = costs.yearly(fte)["total"]
        net = cost_today - cost
        prev = rows[-1]
        disc = net / (1 + r) ** year
        rows.append({"year": year, "fte_today": today_fte, "fte_setup": fte, "cost_today": cost_today,
                     "cost_setup": cost, "one_off": 0.0, "net_saving": net, "cumulative": prev["cumulative"] + net,
                     "discounted": disc, "cumulative_discounted": prev["cumulative_discounted"] + disc})
    payback: float | None = None
    for prev, row in zip(rows, rows[1:], strict=False):
        if prev["cumulative"] >= 0:
            payback = float(prev["year"])
            break
        if row["cumulative"] >= 0:
            payback = prev["year"] + -prev["cumulative"] / row["net_saving"]
            break
    within = payback is not None
    if payback is None and rows[-1]["net_saving"] > 0:  # the last year's saving goes on after the horizon
        payback = rows[-1]["year"] + -rows[-1]["cumulative"] / rows[-1]["net_saving"]
    return {"reduction": reduction, "horizon_years": costs.horizon_years, "discount_rate": r,
            "attrition_rate": costs.attrition_rate if reduction == "attrition" else None,
            "redundancy_cost": redundancy, "surplus_fte": surplus, "rows": rows, "payback_years": payback,
            "payback_within_horizon": within, "npv": rows[-1]["cumulative_discounted"],
            "saving_at_horizon": rows[-1]["net_saving"]}


def cash_flows(costs: CostModel, today: CostModel, today_fte: float, setup_fte: float) -> dict[str, Any]:
    """:func:`cash_flow` under both reductions, and which one the setup's config chose."""
    return {**{k: cash_flow(costs, today, today_fte, setup_fte, k) for k in REDUCTIONS}, "chosen": costs.reduction}


def cost_notes(scenarios: Sequence[tuple[str, Scenario]]) -> list[str]:
    """One line per setup whose config sets no manager, coordination or one-off cost (all at their zero
    defaults): its cost counts the secretaries only, said rather than silently zero. The first is today's
    organisation (its one-off costs do not count; its manager and coordination are today's cost)."""
    notes = []
    for i, (name, sc) in enumerate(scenarios):
        if not CostModel.of(sc).unset():
            continue
        why = "costs: section missing" if "costs" not in sc.model_fields_set else "all at zero in costs:"
        what = "today's yearly cost counts the secretaries only" if i == 0 else \
            "its yearly cost counts the secretaries only and payback counts no one-off cost"
        notes.append(f"{name}: no manager, coordination or one-off costs set ({why}): {what}")
    return notes


# ------------------------------------------------------------------------------------------- the answer
@dataclass
class SetupCase:
    """One setup over the blocks: each block's search and answer, and the confirmed (recommended) staffing."""

    name: str
    scenario: Scenario
    targets: list[Target]
    searches: list[StaffingSearch] = field(default_factory=list)
    answers: list[Evaluation] = field(default_factory=list)
    recommended: Evaluation | None = None
    confirmed: bool = False
    #: per block, the targets of that block's search (today's service measured on the block's own seeds)
    block_targets: dict[int, list[Target]] = field(default_factory=dict)

    @property
    def config(self) -> Evaluation:
        return self.searches[0].evaluations[0]

    def fte_summary(self, alpha: float = ALPHA) -> dict[str, Any]:
        """The least FTE over the blocks: mean and its interval (log scale: FTE cannot be negative)."""
        return summarize_kpi("fte", [a.fte for a in self.answers], alpha).to_dict()

    def half_width(self, alpha: float = ALPHA) -> float:
        """The interval's longer half (the upper one, on the log scale): the precision reached."""
        s = summarize_kpi("fte", [a.fte for a in self.answers], alpha)
        if s.mean is None or s.ci_high is None:
            return math.inf
        return s.ci_high - s.mean

    def binding(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for search, ans in zip(self.searches, self.answers, strict=True):
            for k, n in search.binding(ans).items():
                out[k] = out.get(k, 0) + n
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def block_search(unit: Unit, targets: list[Target], runner: Runner, replications: int, seed: int, block: int,
                 alpha: float, early_reject: bool = True) -> StaffingSearch:
    # later blocks start from block 0's answer, already improved by exchanges (where the search makes them)
    return StaffingSearch(unit.scenario, targets, runner, replications, seed, name=unit.key, alpha=alpha,
                          block=block, early_reject=early_reject, max_exchanges=MAX_EXCHANGES if block == 0 else 0)


def search_blocks(units: Sequence[Unit], norms: dict[str, list[Target]], replications: int, seed: int,
                  confidence: float, runner: Runner, *, precision: float | None = None,
                  min_blocks: int = MIN_BLOCKS, max_blocks: int = MAX_BLOCKS,
                  early_reject: bool = True, today: TodayBasis | None = None) -> list[SetupCase]:
    """Each setup's least staffing on independent blocks, until every setup's mean is precise enough, and
    each setup's recommended staffing (confirmed on every block). ``precision`` is in FTE (default: one
    secretary-day of each setup). With ``today``, the setups that hold today's service are judged in each
    block against today's service on that block's seeds (:class:`TodayBasis`), and confirmed against today's
    service over the same blocks."""
    if not 1 <= min_blocks <= max_blocks:
        raise OptionError("blocks", f"need 1 <= min ({min_blocks}) <= max ({max_blocks})")
    alpha = 1 - confidence
    cases = [SetupCase(u.key, u.scenario, norms[u.key]) for u in units]

    def precise(c: SetupCase) -> bool:
        goal = precision if precision is not None else day_fte(c.scenario)
        return len(c.answers) >= min_blocks and c.half_width(alpha) <= goal + 1e-9

    for block in range(max_blocks):
        todo = [(u, c) for u, c in zip(units, cases, strict=True) if not precise(c)]
        if not todo:
            break
        for u, case in todo:  # a setup whose answer is precise enough gets no more blocks
            targets = case.targets
            if today is not None and u.key in today.holders:
                targets = case.block_targets[block] = today.targets(u.scenario, [block])
            search = block_search(u, targets, runner, replications, seed, block, alpha, early_reject)
            first = case.searches[0] if case.searches else None
            start = None if first is None else (first.floor or case.answers[0]).staffing
            case.searches.append(search)
            case.answers.append(search.run(start))
    for case in cases:
        if today is not None and case.name in today.holders:
            case.targets = today.targets(case.scenario, range(len(case.answers)))
        _confirm(case)
    return cases


def block_records(case: SetupCase, staffing: Staffing) -> list[ReplicationRecord]:
    """Every replication of ``staffing`` on every block of ``case`` (run now where missing)."""
    records = []
    for s in case.searches:
        unit = s.unit(staffing)
        s.runner.ensure([unit], s.replications, s.block_seed)
        records += s.runner.store.records([unit.key], s.replications, tables=True)
    return records


def pooled(case: SetupCase, staffing: Staffing, step: int = 0) -> Evaluation:
    """``staffing`` judged on the replications of every block together (each block's, all of them run)."""
    records = block_records(case, staffing)
    first = case.searches[0]
    sums, margins = first.judge(records, staffing, case.targets)
    return Evaluation(staffing, first.unit(staffing).key, staffing.fte(case.scenario), sums, margins, "confirm",
                      step, len(records))


def _confirm(case: SetupCase) -> None:
    """The recommended staffing: the block answer nearest the blocks' mean FTE (the larger of two), judged on
    the replications of all blocks together (most of them seeds it was not found on). Where it breaks a norm
    there, each group that breaks one of its departments' norms gets a day (a sector norm: a day along the
    proportional path), and it is judged again, up to ``MAX_CONFIRM_DAYS`` rounds."""
    mean = sum(a.fte for a in case.answers) / len(case.answers)
    near = min(case.answers, key=lambda e: (abs(e.fte - mean), -e.fte))
    first = case.searches[0]
    ev = pooled(case, near.staffing)
    for k in range(1, MAX_CONFIRM_DAYS + 1):
        if ev.feasible:
            break
        _, broken = first.group_margins(ev)
        st = ev.staffing
        for g, keys in broken.items():
            st = first.repair(st, g, keys)
        if not broken:
            more = first.path(st, -1)
            assert more is not None  # adding never runs out
            st = more
        ev = pooled(case, st, k)
    case.recommended, case.confirmed = ev, ev.feasible


# -------------------------------------------------------------------------------------- the business case
def _interval(values: Sequence[float], alpha: float) -> dict[str, Any]:
    return summarize(list(values), alpha).to_dict()


def business_case(cases: Sequence[SetupCase], baseline: str = "config", confidence: float = 1 - ALPHA,
                  article_saving: float = ARTICLE_SAVING, today: TodayService | None = None,
                  today_by_setup: dict[str, TodayService] | None = None) -> dict[str, Any]:
    """Cost per setup, the saving against ``baseline`` per block (paired) with its interval, payback, binding
    norms, margins at the recommended staffing, and each department's gain or loss against today's service
    (``today``: the first setup as staffed; ``today_by_setup``: each setup's service at its recommended
    staffing, measured the same way).

    ``payback_years`` keeps its meaning: the one-off cost (minus the baseline's under ``least``) over the mean
    yearly saving at full reduction, no discounting. ``cash_flow`` (per alternative setup) is the move from
    today's staffing year by year at the recommended FTE (:func:`cash_flows`: ``attrition`` and
    ``redundancy``, and the config's ``chosen`` one), always against today whatever ``baseline``; its payback
    counts the reduction's pace and the redundancy cost. ``cost_notes``: one line per setup whose config sets
    no manager, coordination or one-off cost (:func:`cost_notes`)."""
    if baseline not in BASELINES:
        raise OptionError("baseline", f"{baseline!r}: expected one of {', '.join(BASELINES)}")
    alpha = 1 - confidence
    ref = cases[0]
    ref_costs = CostModel.of(ref.scenario)
    blocks = min(len(c.answers) for c in cases)
    # the baseline's yearly cost per block: at its least staffing in that block, or as staffed today (fixed)
    ref_blocks = [ref_costs.yearly(a.fte if baseline == "least" else ref.config.fte)["total"] for a in ref.answers]
    ref_one_off = ref_costs.one_off(ref.recommended.fte if ref.recommended else ref.answers[0].fte)["total"] \
        if baseline == "least" else 0.0
    rows: dict[str, Any] = {}
    for case in cases:
        costs = CostModel.of(case.scenario)
        # the blocks both ran (block b: the same seeds); against today's fixed cost every block of the setup
        paired = min(len(case.answers), len(ref_blocks)) if baseline == "least" else len(case.answers)
        ref_yearly = ref_blocks[:paired] if baseline == "least" else ref_blocks[:1] * paired
        yearly = [costs.yearly(a.fte)["total"] for a in case.answers[:paired]]
        savings = [1 - y / r for y, r in zip(yearly, ref_yearly, strict=True)]
        euro = [r - y for y, r in zip(yearly, ref_yearly, strict=True)]
        rec = case.recommended
        assert rec is not None
        one_off = costs.one_off(rec.fte)
        is_ref_itself = case is ref  # a setup is never compared with itself
        mean_euro = sum(euro) / len(euro)
        saving = _interval(savings, alpha)
        verdict = None if is_ref_itself or saving["mean"] is None else (
            "yes" if (saving["ci_low"] if saving["ci_low"] is not None else saving["mean"]) >= article_saving
            else "no" if (saving["ci_high"] if saving["ci_high"] is not None else saving["mean"]) < article_saving
            else "undecided")
        yearly_rec = costs.yearly(rec.fte)
        ref_fte = ref.config.fte if baseline == "config" else (ref.recommended or ref.answers[0]).fte
        ref_cost = ref_costs.yearly(ref_fte)["total"]  # the baseline's cost beside the recommended staffing
        rows[case.name] = {
            # the keys of the single-search business case (sim.decisions.staffing.business_case), same meaning
            "fte_config": case.config.fte, "config_meets_norms": case.config.feasible,
            "fte": rec.fte, "cost_per_year": yearly_rec["total"],
            # the cost that the saving is computed on (the mean over the blocks of the cost at each block's least
            # FTE, so cost and saving reconcile: saving_share = 1 - this / the baseline's), and the saving at the
            # recommended staffing (cost_per_year), which a roster would implement
            "cost_per_year_least": sum(yearly) / len(yearly),
            "cost_per_year_reference": sum(ref_yearly) / len(ref_yearly),
            "saving_share_recommended": None if is_ref_itself else 1 - yearly_rec["total"] / ref_cost,
            "saving_fte": None if is_ref_itself else ref_fte - rec.fte,
            "saving_share": None if is_ref_itself else saving["mean"],
            "saving_euro": None if is_ref_itself else mean_euro,
            "meets_article_saving": {"yes": True, "no": False}.get(verdict or ""),
            # over the blocks
            "fte_least": case.fte_summary(alpha), "fte_blocks": [a.fte for a in case.answers],
            "recommended_confirmed": case.confirmed,
            "recommended_spread": rec.staffing.spread(case.scenario),
            "cost_breakdown_per_year": yearly_rec,
            "one_off": one_off,
            "saving_share_ci": None if is_ref_itself else saving,
            "saving_blocks": None if is_ref_itself else paired,
            "saving_euro_ci": None if is_ref_itself else _interval(euro, alpha),
            "payback_years": None if is_ref_itself else payback_years(one_off["total"] - ref_one_off, mean_euro),
            # the move from today's staffing year by year, at the recommended FTE, under both reductions
            "cash_flow": None if is_ref_itself else cash_flows(costs, ref_costs, ref.config.fte, rec.fte),
            "article_saving_verdict": verdict,
            "binding_norms": case.binding(),
            "margins": dict(rec.margins),
            "worst_department": _worst_department(rec),
            "gain_loss": None if is_ref_itself or today is None or today_by_setup is None
            or case.name not in today_by_setup else gain_loss(today, today_by_setup[case.name]),
        }
    return {"reference": ref.name, "baseline": baseline, "blocks": blocks, "confidence": confidence,
            "article_saving": article_saving, "setups": rows,
            "cost_notes": cost_notes([(c.name, c.scenario) for c in cases]),
            "today": None if today is None else today.to_dict(),
            "today_fte": ref.config.fte,
            "baseline_meaning": "the first setup at its own least staffing, block by block" if baseline == "least"
            else "today: the first config's staffing as it is"}


def gain_loss(today: TodayService, new: TodayService) -> list[dict[str, Any]]:
    """Department by department, KPI by KPI: today's estimate, the setup's at its recommended staffing, the
    change in points (positive: better, whatever the KPI's direction) and a verdict, ``gain`` or ``loss`` where
    the change exceeds the tolerance of "no worse than today" (the larger of ``today.tolerance`` and today's
    own interval), else ``same``."""
    rows = []
    for dept, kpis in today.departments.items():
        for kpi, (was, hw) in kpis.items():
            now = new.departments.get(dept, {}).get(kpi)
            if now is None:
                continue
            better = (now[0] - was) if DEPARTMENT_KPIS[kpi] == ">=" else (was - now[0])
            tol = max(today.tolerance, hw)
            rows.append({"department": dept, "kpi": kpi, "today": was, "new": now[0], "better_points": 100 * better,
                         "tolerance_points": 100 * tol,
                         "verdict": "gain" if better > tol else "loss" if better < -tol else "same"})
    return rows


def _worst_department(ev: Evaluation) -> dict[str, Any] | None:
    dept = {k: m for k, m in ev.margins.items() if ":" in k and m is not None}
    if not dept:
        return None
    k = min(dept, key=lambda x: dept[x])
    name, kpi = k.split(":", 1)
    return {"department": name, "kpi": kpi, "margin": dept[k]}


def headline(case: dict[str, Any]) -> list[str]:
    """The answer as an analyst would present it: one line per alternative setup."""
    out = []
    ref = case["setups"][case["reference"]]
    ref_fte = ref["fte_least"] if case["baseline"] == "least" else {"mean": ref["fte_config"], "ci_low": None}
    for name, row in case["setups"].items():
        if row["saving_share"] is None:
            continue
        f, s = row["fte_least"], row["saving_share_ci"]
        binding = ", ".join(list(row["binding_norms"])[:2]) or "none found"
        service = {"today": "at today's service in every department", "both": "at today's service and the norms",
                   "norms": "meeting the norms"}.get(case.get("basis", {}).get(name, "norms"), "")
        against = f"{fmt_iv(ref_fte, 1)} FTE ({case['reference']}, "
        against += "at its least staffing)" if case["baseline"] == "least" else "today's staffing)"
        payback = row["payback_years"]
        out.append(
            f"{name} needs {fmt_iv(f, 1)} FTE {service} against {against}: "
            + (f"a saving of {fmt_iv(s, 1, pct=True)}, " if s["mean"] is None or s["mean"] >= 0 else
               f"an extra cost of {fmt_iv(_negated(s), 1, pct=True)}, ")
            + f"binding norm {binding}; "
            f"{_VERDICT[row['article_saving_verdict']]} "
            f"the article's {100 * case['article_saving']:.0f}%"
            + ("" if payback is None or payback == 0 else f"; pays back in {payback:.1f} years")
            + ("" if row.get("saving_share_recommended") is None or abs(row["fte"] - (f["mean"] or row["fte"])) < 0.05
               else f"; the recommended staffing ({row['fte']:.1f} FTE, judged on every block's replications) "
                    f"saves {100 * row['saving_share_recommended']:.1f}%")
            + ("" if row.get("recommended_confirmed", True) else
               f"; NOTE: the recommended staffing ({row['fte']:.1f} FTE) still breaks a norm on all blocks' "
               "replications"))
    return out


def _negated(s: dict[str, Any]) -> dict[str, Any]:
    """An interval of a saving as one of an extra cost (both bounds negated and swapped)."""
    low, high = s.get("ci_low"), s.get("ci_high")
    return {"mean": -s["mean"], "ci_low": None if high is None else -high, "ci_high": None if low is None else -low}


_VERDICT = {"yes": "meets", "no": "misses", "undecided": "cannot decide on", None: "-"}


def fmt_iv(s: dict[str, Any] | None, digits: int = 1, pct: bool = False) -> str:
    """``mean [low, high]`` of an interval dict (``-`` without a mean), in percent with ``pct``."""
    if s is None:
        return "-"
    k = 100.0 if pct else 1.0
    unit = "%" if pct else ""
    if s.get("mean") is None:
        return "-"
    text = f"{k * s['mean']:.{digits}f}{unit}"
    if s.get("ci_low") is not None and s.get("ci_high") is not None:
        text += f" [{k * s['ci_low']:.{digits}f}, {k * s['ci_high']:.{digits}f}]"
    return text


__all__ = ["CostModel", "payback_years", "cash_flow", "cash_flows", "cost_notes", "REDUCTIONS",
           "SetupCase", "search_blocks", "business_case", "headline", "BASELINES",
           "MIN_BLOCKS", "MAX_BLOCKS", "business_staff", "Plan", "plan", "fmt_iv", "block_records"]


def business_staff(units: Sequence[Unit], norms: dict[str, list[Target]], replications: int, seed: int,
                   confidence: float, runner: Runner, *, baseline: str = "config", precision: float | None = None,
                   min_blocks: int = MIN_BLOCKS, max_blocks: int = MAX_BLOCKS,
                   early_reject: bool = True, specs: Sequence[str] = ()) -> StaffResult:
    """The staffing searches over blocks and the business case, as a :class:`StaffResult` whose setups are
    block 0's searches with the recommended staffing as their answer. Today's service (the first setup as
    staffed in its config, on the first ``min_blocks`` blocks' seeds) is measured first: it is what every
    department's gain or loss is measured against, and under ``--target today|both`` (``specs``) or
    ``norms.basis`` the service each setup must give (``norms`` then gets those targets)."""
    if baseline not in BASELINES:
        raise OptionError("baseline", f"{baseline!r}: expected one of {', '.join(BASELINES)}")
    if not 1 <= min_blocks <= max_blocks:
        raise OptionError("blocks", f"need 1 <= min ({min_blocks}) <= max ({max_blocks})")
    alpha = 1 - confidence
    basis = TodayBasis(units[0], runner, replications, seed, alpha, tuple(specs), min_blocks,
                       {u.key for u in units if target_basis(u.scenario, specs) != "norms"})
    today = basis.reference
    cases = search_blocks(units, norms, replications, seed, confidence, runner, precision=precision,
                          min_blocks=min_blocks, max_blocks=max_blocks, early_reject=early_reject, today=basis)
    norms = {c.name: c.targets for c in cases}
    setups = []
    for c in cases:
        search = c.searches[0]
        assert c.recommended is not None
        best = search.evaluate([c.recommended.staffing], "confirm", 0)[0]
        search.complete(c.config)  # the tables show the config's staffing with every replication
        setups.append(SetupStaffing(c.name, c.scenario, c.config, best, search, c.searches[1:]))
    served = {c.name: service_at(c, c.recommended.staffing, alpha) for c in cases[1:] if c.recommended}
    case = business_case(cases, baseline, confidence, today=today, today_by_setup=served)
    case["basis"] = {u.key: target_basis(u.scenario, specs) for u in units}
    for c in cases:
        goal = precision if precision is not None else day_fte(c.scenario)
        row = case["setups"][c.name]
        row["precision"] = {"fte": goal, "half_width": c.half_width(1 - confidence),
                            "reached": c.half_width(1 - confidence) <= goal + 1e-9}
        row["service_curve"] = None if c is cases[0] else service_curve(c, cases[0].config.fte, alpha)
        assert c.recommended is not None
        row["roster"] = roster_changes(c.scenario, c.recommended.staffing)
    case["headline"] = headline(case)
    return StaffResult(setups, norms, replications, seed, confidence, runner.store, case=case, cases=cases)


def _block_evaluator(unit: Unit, runner: Runner, replications: int, seed: int, block: int,
                     alpha: float) -> Evaluator:
    """An evaluator whose units and seeds are those of ``unit``'s search in ``block`` (so runs are shared)."""
    return Evaluator(unit.scenario, [], runner, replications, seed, name=unit.key, alpha=alpha, block=block)


@dataclass
class TodayBasis:
    """Today's service: the baseline ``unit`` as staffed in its config, simulated on the seeds of the blocks
    (the same replications its searches start from) and judged as the norms are judged.

    The setups in ``holders`` (those asked to give today's service) are judged **on common random numbers**:
    in block ``b`` against today's estimates on block ``b``'s own seeds, and when confirmed against today over
    the same blocks; so today's staffing meets today's service exactly, and a setup's margin is a paired
    difference. The tolerance's interval is today's over the first ``blocks`` blocks (:attr:`reference`, the
    service reported as today's)."""

    unit: Unit
    runner: Runner
    replications: int
    seed: int
    alpha: float
    specs: tuple[str, ...]
    blocks: int
    holders: set[str]
    _records: dict[int, list[ReplicationRecord]] = field(default_factory=dict)
    _over: dict[tuple[int, ...], TodayService] = field(default_factory=dict)

    def records(self, block: int) -> list[ReplicationRecord]:
        """Today's staffing's replications in ``block`` (run where missing; read once)."""
        if block not in self._records:
            ev = _block_evaluator(self.unit, self.runner, self.replications, self.seed, block, self.alpha)
            u = ev.unit(Staffing.of(self.unit.scenario))
            self.runner.ensure([u], self.replications, ev.block_seed)
            self._records[block] = self.runner.store.records([u.key], self.replications, tables=True)
        return self._records[block]

    @cached_property
    def expected(self) -> dict[str, float] | None:
        """Each department's expected coverage today (the control variate's mean), if the config asks for it."""
        sc = self.unit.scenario
        return expected_coverage(sc) if sc.norms.control_variate else None

    def over(self, blocks: Iterable[int]) -> TodayService:
        """Today's service over the replications of ``blocks`` (measured once per set of blocks)."""
        key = tuple(blocks)
        if key not in self._over:
            self._over[key] = measure_today([r for b in key for r in self.records(b)], self.unit.key,
                                            self.unit.scenario, self.expected, self.alpha)
        return self._over[key]

    @property
    def reference(self) -> TodayService:
        """Today's service over the first ``blocks`` blocks: what is reported, and the tolerance's interval."""
        return self.over(range(self.blocks))

    def targets(self, scenario: Scenario, blocks: Iterable[int]) -> list[Target]:
        """``scenario``'s targets, judged on ``blocks``: today's estimates there, the reference's interval."""
        return targets_for(scenario, self.specs, self.reference.paired(self.over(blocks)))


def service_at(case: SetupCase, staffing: Staffing, alpha: float = ALPHA) -> TodayService:
    """``case``'s service at ``staffing`` over every block's replications, measured as today's is."""
    search = case.searches[0]
    expected = search.expected(staffing)  # computed once per staffing by the search, where it judges with it
    if expected is None and case.scenario.norms.control_variate:
        expected = expected_coverage(staffing.apply(case.scenario))
    return measure_today(block_records(case, staffing), case.name, case.scenario, expected, alpha)


def service_curve(case: SetupCase, today_fte: float, alpha: float = ALPHA) -> list[dict[str, Any]]:
    """What each FTE buys: from the recommended staffing up to today's FTE along the proportional path (days
    added where the setup has least present time per unit of demand; where the setup needs more than today, down
    to today's FTE, days removed where it has most), at most :data:`CURVE_POINTS` staffings,
    each judged on block 0's replications (common random numbers with the search, whose evaluations it
    reuses): sector reachability and occupancy with their intervals, and per norm KPI the worst department's
    margin."""
    rec = case.recommended
    assert rec is not None
    search = case.searches[0]
    day = day_fte(case.scenario)
    gap = (today_fte - rec.fte) / day
    # up to today's FTE, or (where the setup needs more than today) down to it: what the last days buy
    days, sign = (math.ceil(gap - 1e-9), -1) if gap >= 0 else (math.ceil(-gap - 1e-9), 1)
    steps = sorted({round(k * days / (CURVE_POINTS - 1)) for k in range(CURVE_POINTS)}) if days else [0]
    staffings = []
    for k in steps:
        st = search.path(rec.staffing, sign * k) if k else rec.staffing
        if st is not None:
            staffings.append(st)
    rows = []
    for ev in search.evaluate(staffings, "curve", 0, early=False):
        worst: dict[str, float] = {}
        for key, m in ev.margins.items():
            if ":" in key and m is not None:
                kpi = key.split(":", 1)[1]
                worst[kpi] = min(worst.get(kpi, math.inf), m)
        rows.append({"fte": ev.fte, "feasible": ev.feasible,
                     "reachability": ev.summaries.get("reachability", _NONE).to_dict(),
                     "calls_abandoned": ev.summaries.get("calls_abandoned", _NONE).to_dict(),
                     "utilisation": ev.summaries.get("utilisation", _NONE).to_dict(),
                     "worst_department_margin": worst})
    return rows


@dataclass(frozen=True)
class Plan:
    """What a business case runs on: a unit per setup, each setup's norms, the base seed and the experiment's
    hash (which names its results store)."""

    units: list[Unit]
    norms: dict[str, list[Target]]
    seed: int
    experiment: str


def plan(scenarios: Sequence[Scenario], replications: int, seed: int | None = None, *,
         targets: Sequence[str] = (), confidence: float = 1 - ALPHA) -> Plan:
    """The units, norms (defaults with ``--target`` specs over them), seed and experiment hash of a business
    case over ``scenarios`` (:func:`sim.decisions.studies.staff_case`, which ``sim staff`` runs, starts here)."""
    if not scenarios:
        raise ValueError("a business case needs at least one scenario")
    if replications < 2:
        raise OptionError("replications", "at least 2 replications are needed for an interval")
    if not 0 < confidence < 1:
        raise OptionError("confidence", f"{confidence} is not between 0 and 1")
    base = scenarios[0].run.seed if seed is None else seed
    units = staffing_units(scenarios)
    # today's service is measured when the case runs (business_staff); until then a setup that holds it has
    # its fixed part only, and the hash names the basis (today's targets follow from the configs and seed)
    pending = TodayService("", {}, {}, 0)
    norms = {u.key: targets_for(u.scenario, targets, pending) for u in units}
    basis = {u.key: target_basis(u.scenario, targets) for u in units}
    extra = "" if all(b == "norms" for b in basis.values()) else f"basis={sorted(basis.items())}"
    return Plan(units, norms, base, staff_experiment_hash(units, base, norms, confidence, extra))
