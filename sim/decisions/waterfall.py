"""Where the saving comes from: a waterfall from today's yearly cost to an alternative setup's.

The business case (:mod:`sim.decisions.business`) says *how much* an alternative saves against today's staffing; the
waterfall says *where it comes from*, in steps that add up exactly to the reported yearly saving (each step is
the difference of two consecutive running totals, so the steps telescope by construction).

**The steps, in this order** (a decomposition is order-dependent; this is the order, chosen so that the
policy choice, raising the occupancy ceiling, is separated from what pooling does at today's occupancy):

1. ``pooling``: the alternative's least staffing with the occupancy ceiling set to **today's simulated
   occupancy** (the first config as staffed, on block 0's replications) and no custom-work penalty
   (``dispatch.custom_penalty = 1``), **shrinkage switched off in both** (today's occupancy then measured
   without shrinkage too): what pooling the work saves at the occupancy secretaries have today;
2. ``shrinkage``: shrinkage back to the config's, the ceiling at today's occupancy *with* shrinkage: what
   pooling gains on shrinkage (a pool covers one secretary's shrinkage blocks with another's). Occupancy is
   busy time over present time and shrinkage is time away, so where the ceiling binds this step is small;
   skipped when the config has no shrinkage;
3. ``occupancy``: the ceiling raised from today's occupancy to the config's ``norms.occupancy_max`` (85%, an
   ASSUMPTION and a workload policy: a saving that rests on it is a policy choice, not an efficiency);
4. ``custom_penalty``: the config's custom-work penalty back: the business case's own answer (the mean least
   FTE over its blocks), so the waterfall ends exactly at the reported saving;
5. ``cost_per_fte`` (only where the setups' cost per FTE differ), ``coordination`` and ``manager``: cost
   only, no search (the coordination overhead and the manager of the alternative against today's);

then a subtotal (the alternative's yearly cost: the reported saving), and

6. ``one_off``: the one-off costs of the move spread over ``costs.horizon_years`` (cost only), to the yearly
   cost with the move paid off over the horizon. It is not part of the reported (yearly) saving.

Steps 1-3 are least-staffing searches (:class:`sim.decisions.staffing.StaffingSearch`) on **block 0's replications**
(common random numbers with the business case's block 0, and with each other: changing the ceiling reuses the
simulations; the penalty and shrinkage change what is simulated, so those runs are new), judged on the
business case's own block-0 norms (today's service where the setup holds it) with only the occupancy ceiling
changed, warm-started from where block 0's group-by-group search ended. One block is used: step 4 compares that
with the mean over the business case's blocks, so it carries the difference between block 0 and the mean.
Parameters are set with :func:`sim.decisions.sensitivity.applied` (the sensitivity registry's ``shrinkage``,
``custom_penalty`` and ``occupancy``). The waterfall is made against today's staffing (``--baseline config``);
under ``least`` it is not made.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sim.core.costs import CostModel
from sim.decisions.sensitivity import PARAMETERS, Parameter, applied, sim_key
from sim.decisions.staffing import Staffing, StaffingSearch, Target
from sim.experiments.experiment import Runner

_PARAM = {p.name: p for p in PARAMETERS}

#: The steps' labels, in their order (the cost-only ones last).
LABELS = {
    "pooling": "pooling at today's occupancy",
    "shrinkage": "pooling gains on shrinkage",
    "occupancy": "occupancy ceiling raised",
    "custom_penalty": "custom-work penalty",
    "cost_per_fte": "cost per FTE",
    "coordination": "coordination overhead",
    "manager": "manager",
    "one_off": "one-off costs over the horizon",
}


def steps(today_fte: float, today: CostModel, alt: CostModel, points: Sequence[tuple[str, float]],
          end_cost: float, one_off: float) -> dict[str, Any]:
    """The waterfall's rows from today's FTE and cost model to the alternative's: ``points`` are the FTE
    after each search step (the last: the business case's answer), ``end_cost`` the alternative's yearly cost
    the business case reports (today's cost minus the reported saving), ``one_off`` its one-off cost.

    The running total starts at today's yearly cost; an FTE step changes it by the FTE difference x the
    alternative's cost per FTE (today's overheads held), the cost-per-FTE step (if the costs per FTE differ)
    by today's FTE x the difference, coordination by the alternative's coordination at its FTE less today's,
    and the manager step takes the running total to ``end_cost`` exactly. Each row's ``saving`` is the running
    total before less after (positive: it saves), so the savings of the rows sum to today's cost minus
    ``end_cost``: the reported saving."""
    start = today.yearly(today_fte)
    overhead_today = start["coordination"]
    total = start["total"]
    rows: list[dict[str, Any]] = []

    def add(step: str, after: float, fte_before: float | None, fte_after: float | None, kind: str) -> None:
        nonlocal total
        rows.append({"step": step, "label": LABELS[step], "kind": kind, "fte_before": fte_before,
                     "fte_after": fte_after, "cost_before": total, "cost_after": after,
                     "saving": total - after})
        total = after

    fte = today_fte
    if alt.per_fte != today.per_fte:
        add("cost_per_fte", total + today_fte * (alt.per_fte - today.per_fte), fte, fte, "cost")
    for step, f in points:
        add(step, total + (f - fte) * alt.per_fte, fte, f, "search")
        fte = f
    coordination = alt.yearly(fte)["coordination"]
    add("coordination", total + coordination - overhead_today, None, None, "cost")
    add("manager", end_cost, None, None, "cost")
    yearly_rows = list(rows)
    horizon = max(1, alt.horizon_years)
    add("one_off", end_cost + one_off / horizon, None, None, "cost")
    return {"start_cost": start["total"], "end_cost": end_cost,
            "saving": sum(r["saving"] for r in yearly_rows),
            "saving_share": 1 - end_cost / start["total"] if start["total"] else None,
            "steps": yearly_rows, "after": rows[len(yearly_rows):],
            "end_cost_with_one_off": total, "horizon_years": horizon, "one_off": one_off}


def _occupancy_target(targets: Sequence[Target]) -> Target | None:
    return next((t for t in targets if t.kpi == "utilisation" and t.department is None), None)


def _with_ceiling(targets: Sequence[Target], ceiling: float) -> list[Target]:
    return [replace(t, value=ceiling) if t.kpi == "utilisation" and t.department is None else t for t in targets]


def _occupancy(ev: Any) -> float | None:
    s = ev.summaries.get("utilisation")
    return None if s is None or s.mean is None else float(s.mean)


def waterfalls(result: Any, runner: Runner, *, shrinkage: bool = True) -> dict[str, dict[str, Any]]:
    """The waterfall of every alternative setup of a ``sim staff`` business case (``result``: the
    :class:`sim.decisions.staffing.StaffResult` of :func:`sim.decisions.business.business_staff`, against today's
    staffing), with ``runner`` the session it ran in. ``shrinkage=False`` skips the shrinkage split (one search
    less)."""
    case, cases = result.case, result.cases
    if not case or len(cases) < 2 or case.get("baseline") != "config":
        return {}
    ref = cases[0]
    ref_search = ref.searches[0]
    n, seed, alpha = ref_search.replications, ref_search.seed, ref_search.alpha
    today_costs = CostModel.of(ref.scenario)
    today_fte = ref.config.fte
    u_today = _occupancy(ref.config)
    shrink = ref.scenario.absence.shrinkage.share if shrinkage else 0.0
    u_today_bare: float | None = None
    if shrink and u_today is not None:  # today's occupancy without shrinkage, on block 0's seeds
        bare = applied(ref.scenario, [(_PARAM["shrinkage"], 0.0)])
        search = StaffingSearch(bare, ref.block_targets.get(0, ref.targets), runner, n, seed,
                                name=f"{ref.name}@{sim_key(bare)}", alpha=alpha, block=0, max_exchanges=0)
        u_today_bare = _occupancy(search.evaluate([Staffing.of(bare)], "config", 0, early=False)[0])
    out: dict[str, dict[str, Any]] = {}
    for c in cases[1:]:
        row = case["setups"].get(c.name) or {}
        if row.get("saving_euro") is None or not c.searches:
            continue
        began = time.perf_counter()
        first = c.searches[0]
        start = (first.floor or c.answers[0]).staffing
        targets = c.block_targets.get(0, c.targets)
        ceiling = _occupancy_target(targets)
        penalty = _PARAM["custom_penalty"]
        plan: list[tuple[str, list[tuple[Parameter, float]], float | None]] = []
        if ceiling is not None and u_today is not None:
            if shrink and u_today_bare is not None:
                plan.append(("pooling", [(penalty, 1.0), (_PARAM["shrinkage"], 0.0)], u_today_bare))
                plan.append(("shrinkage", [(penalty, 1.0)], u_today))
            else:
                plan.append(("pooling", [(penalty, 1.0)], u_today))
            plan.append(("occupancy", [(penalty, 1.0)], None))
        else:  # no occupancy ceiling among the norms: pooling, then the penalty
            plan.append(("pooling", [(penalty, 1.0)], None))
        points: list[tuple[str, float]] = []
        detail: list[dict[str, Any]] = []
        for step, settings, ceil in plan:
            sc = applied(c.scenario, settings) if settings else c.scenario
            name = c.name if sim_key(sc) == sim_key(c.scenario) else f"{c.name}@{sim_key(sc)}"
            search = StaffingSearch(sc, targets if ceil is None else _with_ceiling(targets, ceil), runner, n, seed,
                                    name=name, alpha=alpha, block=0, max_exchanges=0)
            ev = search.run(start)
            points.append((step, ev.fte))
            detail.append({"step": step, "fte": ev.fte, "feasible": ev.feasible,
                           "settings": {**{p.name: v for p, v in settings},
                                        "occupancy": ceil if ceil is not None else
                                        (ceiling.value if ceiling is not None else None)},
                           "binding": list(search.binding(ev))[:3], "occupancy_estimate": _occupancy(ev)})
        fte_end = float(row["fte_least"]["mean"])
        points.append(("custom_penalty", fte_end))
        end_cost = today_costs.yearly(today_fte)["total"] - float(row["saving_euro"])
        wf = steps(today_fte, today_costs, CostModel.of(c.scenario), points, end_cost,
                   float(row["one_off"]["total"]))
        settings_of = {d["step"]: d for d in detail}
        for r in wf["steps"]:
            if r["step"] in settings_of:
                d = settings_of[r["step"]]
                r.update(settings=d["settings"], binding=d["binding"], feasible=d["feasible"],
                         occupancy_estimate=d["occupancy_estimate"])
            elif r["step"] == "custom_penalty":
                r.update(settings={"custom_penalty": c.scenario.dispatch.custom_penalty,
                                   "occupancy": ceiling.value if ceiling is not None else None},
                         binding=list(row.get("binding_norms") or {})[:3], feasible=True,
                         note="the business case's answer: mean least FTE over its blocks")
        wf.update({"reference": ref.name, "setup": c.name, "today_fte": today_fte,
                   "today_occupancy": u_today, "today_occupancy_without_shrinkage": u_today_bare,
                   "occupancy_max": None if ceiling is None else ceiling.value,
                   "custom_penalty": c.scenario.dispatch.custom_penalty,
                   "shrinkage": c.scenario.absence.shrinkage.share, "blocks_searched": 1,
                   "replications": n, "seconds": time.perf_counter() - began,
                   "order": [r["step"] for r in wf["steps"]] + [r["step"] for r in wf["after"]],
                   "reported_saving": row["saving_euro"], "reported_saving_share": row["saving_share"]})
        out[c.name] = wf
    return out


def csv_rows(case: dict[str, Any]) -> list[dict[str, Any]]:
    """``waterfall.csv``: per alternative and step, FTE before and after, running total and saving."""
    rows = []
    for name, row in (case.get("setups") or {}).items():
        wf = row.get("waterfall")
        if not wf:
            continue
        rows.append({"setup": name, "step": "today", "label": f"today ({wf['reference']})", "fte_before": None,
                     "fte_after": wf["today_fte"], "cost_before": None, "cost_after": wf["start_cost"],
                     "saving": None, "subtotal": True})
        for r in wf["steps"]:
            rows.append({"setup": name, **{k: r.get(k) for k in ("step", "label", "fte_before", "fte_after",
                                                                  "cost_before", "cost_after", "saving")},
                         "subtotal": False})
        rows.append({"setup": name, "step": "yearly", "label": f"{name}, yearly", "fte_before": None,
                     "fte_after": None, "cost_before": None, "cost_after": wf["end_cost"], "saving": wf["saving"],
                     "subtotal": True})
        for r in wf["after"]:
            rows.append({"setup": name, **{k: r.get(k) for k in ("step", "label", "fte_before", "fte_after",
                                                                  "cost_before", "cost_after", "saving")},
                         "subtotal": False})
    return rows


def table(wf: dict[str, Any]) -> list[str]:
    """The waterfall as console lines."""
    def fte(r: dict[str, Any]) -> str:
        if r.get("fte_before") is None or r.get("fte_after") is None:
            return ""
        return f"{r['fte_before']:.1f} -> {r['fte_after']:.1f}"

    lines = [f"    {'step':<34}{'FTE':>14}{'saving euro/y':>15}{'running total':>15}",
             f"    {'today (' + wf['reference'] + ')':<34}{wf['today_fte']:>14.1f}{'':>15}{wf['start_cost']:>15,.0f}"]
    for r in wf["steps"]:
        lines.append(f"    {r['label']:<34}{fte(r):>14}{r['saving']:>15,.0f}{r['cost_after']:>15,.0f}")
    share = wf.get("saving_share")
    lines.append(f"    {'= ' + wf['setup'] + ', yearly':<34}{'':>14}{wf['saving']:>15,.0f}{wf['end_cost']:>15,.0f}"
                 + ("" if share is None else f"   ({100 * share:.1f}% saved)"))
    for r in wf["after"]:
        lines.append(f"    {r['label'] + ' (' + str(wf['horizon_years']) + ' y)':<34}{'':>14}{r['saving']:>15,.0f}"
                     f"{r['cost_after']:>15,.0f}")
    return lines


__all__ = ["LABELS", "steps", "waterfalls", "csv_rows", "table"]
