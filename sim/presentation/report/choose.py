"""Which figures a results folder gets (:func:`figures_for`), each with its title and caption: the business case's
waterfall, gains and losses and service curve for a staffing search, the sweep's effects, the setups compared,
per department, per hour, per half hour against SIPP, waiting-time distributions, utilisation and a day in the
life; the figures themselves are drawn by :mod:`sim.presentation.figures`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from sim.config import ConfigError, Scenario
from sim.experiments.results import Results
from sim.experiments.sipp import sipp_rows
from sim.presentation import figures as F
from sim.presentation.report.load import norm_of, short_setting, staff_targets, unit_label


@dataclass
class NamedFigure:
    name: str
    title: str
    caption: str
    figure: Figure


FIGURE_KINDS = ("waterfall", "gain-loss", "service-curve", "compare", "service-level", "hourly", "sipp", "ecdf",
                "utilisation",
                "departments", "day")
#: Figures the business-case section shows (the others go under *Figures*).
BUSINESS_FIGURES = ("gain_loss", "service_curve")
#: Figures of the first screen (named ``waterfall_<setup>``), before the business case's other figures.
FIRST_SCREEN = "waterfall"


def type_norms_minutes(sc: Scenario | None) -> dict[str, float]:
    """Norm lines of the ECDF figure, in minutes: the phone norm (``phone_wait``) and each type's norm in
    working time (``<type>:working``)."""
    if sc is None:
        return {}
    d = sc.demand
    out = {"phone_wait": d.calls.norm_seconds / 60, "callback:working": d.calls.callback_norm_working_hours * 60}
    for name, task in d.tasks.items():
        out[f"{name}:working"] = task.norm_working_hours * 60
    if d.meetings is not None:
        out["minutes:working"] = d.meetings.norm_working_hours * 60
    return out


def _relabel(rows: Iterable[Mapping[str, Any]], settings: Sequence[str], many: bool) -> list[dict[str, Any]]:
    """Fold the setting columns into ``setup`` so that each unit of a sweep draws as its own series."""
    out = []
    for row in rows:
        unit = (row.get("setup"), *(row.get(c) for c in settings))
        out.append({**row, "setup": unit_label(settings, unit, many)})
    return out


def figures_for(res: Results, kinds: Sequence[str] | None = None, day: int | None = None,
                x: str | None = None, baseline: str | None = None) -> list[NamedFigure]:
    """The figures that fit the results (or only ``kinds``), with titles and captions for the report."""
    want = set(kinds or FIGURE_KINDS)
    unknown = want - set(FIGURE_KINDS)
    if unknown:
        raise ConfigError("sim plot", f"unknown figure {', '.join(sorted(unknown))}; "
                                      f"choose from {', '.join(FIGURE_KINDS)}")
    out: list[NamedFigure] = []

    def add(make: Callable[[], NamedFigure]) -> None:
        with contextlib.suppress(F.NoData):  # nothing to draw (no calls: no SIPP figure): the figure is left out
            out.append(make())
    setups = res.setups
    many_units = len(res.units()) > 1
    tables = res.tables
    if res.settings:
        many = len(setups) > 1
        if len(res.units()) <= 6:
            tables = {k: _relabel(v, res.settings, many) for k, v in tables.items()}
        else:  # too many settings to draw side by side: the first factor's settings, the others held at their
            # first value, so the figures compare one thing at a time (not the first and last, which differ in
            # every factor)
            first = res.units()[0]
            keep = [u for u in res.units() if u[0] == first[0] and u[2:] == first[2:]][:6]

            def kept(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
                return [r for r in rows if (r.get("setup"), *(r.get(c) for c in res.settings)) in keep]

            tables = {k: _relabel(kept(v), res.settings, many) for k, v in tables.items()}
    n_rep = len({r.get("replication") for r in res.kpis})
    reps = f"{n_rep} replication{'s' if n_rep != 1 else ''}"

    case = res.summary.get("business_case") or {} if res.kind == "staff" else {}
    alternatives = [n for n, r in (case.get("setups") or {}).items() if r.get("gain_loss")]
    for name, row in (case.get("setups") or {}).items():
        wf = row.get("waterfall")
        if "waterfall" not in want or not wf:
            continue
        out.append(NamedFigure(
            f"waterfall_{name}", f"Where the saving of {name} comes from",
            f"From today's yearly cost ({wf['reference']} as staffed, {F.num(wf['today_fte']):.1f} FTE) to "
            f"{name}'s at its least staffing ({F.num(row['fte_least']['mean']):.1f} FTE, the mean over the "
            f"business case's blocks), in this order: pooling at today's occupancy "
            f"({pct_text(wf.get('today_occupancy'))}, no custom-work penalty), what pooling gains on "
            f"shrinkage ({pct_text(wf.get('shrinkage'))}), the occupancy ceiling raised to "
            f"{pct_text(wf.get('occupancy_max'))} (a policy assumption), the custom-work penalty "
            f"(x{F.num(wf.get('custom_penalty')):g}), coordination and the manager; each FTE step a "
            "least-staffing search on block 0. The steps add up to the reported yearly saving; below it, the "
            f"one-off costs spread over {wf['horizon_years']} years. waterfall.csv has every step.",
            F.waterfall_figure(case, name)))
    if "gain-loss" in want and alternatives:
        today = case.get("today") or {}
        tol = F.num(today.get("tolerance"))
        add(lambda: NamedFigure(
            "gain_loss", "Who gains and who loses against today",
            "Each department's service at the recommended staffing of "
            + ", ".join(alternatives) + f" against today's ({case.get('reference')} as staffed, "
            f"{F.num(case.get('today_fte')):.1f} FTE, measured over {today.get('replications', '?')} "
            "replications), KPI by KPI, in points: + better, − worse, whatever the KPI's direction (fewer "
            "abandoned calls is better). Red cells are worse; framed cells marked ! are worse than today beyond "
            "the tolerance of 'no worse than today' (the larger of "
            + (f"{100 * tol:.0f} point" if math.isfinite(tol) else "the tolerance")
            + " and today's own 95% interval); + marks a gain beyond it.",
            F.gain_loss_figure(case)))
    if "service-curve" in want and any((case.get("setups") or {}).get(n, {}).get("service_curve")
                                       for n in alternatives):
        targets = staff_targets(res)
        add(lambda: NamedFigure(
            "service_curve", "What each FTE buys",
            "From each alternative's recommended staffing up to today's FTE, days added along the search's "
            "path, every staffing judged on block 0's replications: left, the sector's reachability and "
            "occupancy (share of present time busy) with 95% intervals, thin dotted lines the norms "
            f"(reachability {pct_text(targets.get('reachability'))} or more, occupancy at most "
            f"{pct_text(targets.get('utilisation'))}); right, per norm the margin of the department closest to "
            "breaking it, in points (below 0 it breaks). Dashed: today's FTE; dotted: the recommended FTE; "
            "hollow markers: a staffing that breaks a norm.",
            F.service_curve_figure(case, targets)))
    if "service-level" in want and res.kind == "sweep" and res.settings and x is None:
        add(lambda: NamedFigure(
            "service_level", "The sweep, one factor at a time",
            "One row per KPI, one column per swept setting. Within a column only that setting changes along "
            "the x axis; each series holds the other settings fixed at the value its legend gives, so every "
            f"comparison changes one thing at a time. Means over {reps} with 95% intervals (logit scale for "
            "shares, log scale for waits); categorical settings are points, numeric ones joined by lines; "
            f"dashed: the norms ({norms_caption(res)}).",
            F.sweep_effects(res.kpis, res.settings)))
    elif "service-level" in want and (res.settings or x):
        out.append(_service_level_figure(res, x, reps))
    if "compare" in want and many_units and not res.settings:
        add(lambda: NamedFigure(
            "compare", "The setups compared",
            f"Left: each KPI per setup, mean over {reps} with a 95% confidence interval. Right: the paired "
            f"difference from {baseline or setups[0]} per replication (same seeds, so the same calls and "
            "mail), in percentage points; an interval that excludes 0 is a real difference.",
            F.setup_comparison(res.kpis, baseline=baseline)))
    if "departments" in want and tables.get("per_department"):
        two = len(F.setups_of(tables["per_department"])) > 1
        add(lambda: NamedFigure(
            "departments", "Per department: winners and losers" if two else "Per department",
            "Replaceability (requests handled within norm while the department's own secretaries are all "
            "absent), coverage (share of opening time someone who may serve the department is present) and "
            "the share of all its requests within norm" +
            (", and below each setup's paired change from the first (green gains, red loses)."
             if two else "."),
            F.department_view(tables["per_department"], baseline=baseline)))
    if "hourly" in want and tables.get("per_hour"):
        add(lambda: NamedFigure(
            "hourly", "Reachability, waiting and abandonment by hour of the day",
            f"Calls grouped by the hour they arrived; bars are means over {reps} with 95% confidence "
            "intervals (logit scale for shares, log scale for waits, so inside what is possible). Top: "
            f"reachability, dashed the {pct_text(norm_of(res, 'reachability'))} norm. Middle: the mean wait of "
            "all callers, those who gave up "
            "included (their wait is the time until they hung up); the black tick is the mean wait of the "
            "answered calls only (the speed of answer), which looks better the more callers give up. "
            "Bottom: the share of callers who gave up.",
            F.hourly_profile(tables["per_hour"], target=norm_of(res, "reachability"))))
    if "sipp" in want and tables.get("per_half_hour") and res.first_scenario() is not None:
        first_setup = F.setups_of(tables["per_half_hour"])[0]
        mine = [r for r in tables["per_half_hour"] if str(r.get("setup", "")) == first_setup]
        sc = res.first_scenario()
        assert sc is not None
        add(lambda: NamedFigure(
            "sipp", "Per half hour: stationary queueing theory (SIPP) against the simulation" +
            (f": {first_setup}" if first_setup else ""),
            "Staffing practice sizes each half hour with Erlang C/A on that half hour's load (the stationary "
            "independent period-by-period approximation, Green, Kolesar & Whitt 2007). Top: the offered load "
            "in Erlang (calls per hour x mean talk hours), the secretaries present and those on calls, means "
            "over days and replications. Bottom: the reachability SIPP predicts (Erlang A with the config's "
            "talk time and patience, everyone present a server, one pool) beside the simulated reachability "
            f"of calls arriving in that half hour (mean over {reps}, 95% interval). Where the black squares "
            "lie above the simulated points, the secretariat does worse than the theory: present secretaries "
            "in meetings, at the start of a task that a call cannot interrupt, or in another cluster's queue.",
            F.sipp_figure(sipp_rows(mine, sc))))
    if "ecdf" in want and tables.get("time_histograms"):
        working = any(str(r.get("type", "")).endswith(":working") for r in tables["time_histograms"])
        add(lambda: NamedFigure(
            "ecdf", "Distribution of waiting and lead times",
            "First panel: every caller's wait on a log scale in seconds; solid, the share of callers who "
            "were answered or hung up within x; dashed, the share answered within x; the gap at the right "
            "is the callers who gave up; dotted, the phone norm. Other panels: the share of each type's "
            "requests done within x " + (
                "working hours (opening hours on working days: the unit of the norms, dashed)"
                if working else "wall-clock hours (nights and weekends included)") +
            f", log scale. Lines are the mean over {reps} of each replication's distribution, bands 95% "
            "intervals across replications. A mean lead time can exceed the 90th percentile: the mean is "
            "pulled up by the few requests that wait overnight or over a weekend (or for a secretary back "
            "from leave), while 90% are done within the same day.",
            F.wait_ecdf(tables["time_histograms"], norms_minutes=type_norms_minutes(res.first_scenario()))))
    if "utilisation" in want and tables.get("utilisation_by_hour"):
        add(lambda: NamedFigure(
            "utilisation", "Utilisation by secretary, cluster and hour",
            "Busy time (calls, tasks, meetings) as a share of present time, per hour of the day, pooled over "
            "all measured days and replications; white: nobody present.",
            F.utilisation_heatmap(tables["utilisation_by_hour"])))
    if "day" in want and res.events:
        for setup in F.setups_of(res.events)[:3]:
            rows = [e for e in res.events if str(e.get("setup", "")) == setup]
            try:
                fig = F.day_in_the_life(rows, day)
            except F.NoData:
                continue  # nobody worked that day in this setup
            title = "A day in the life" + (f": {setup}" if setup else "")
            out.append(NamedFigure(
                f"day{'_' + setup if setup else ''}", title,
                "What each secretary did, minute by minute, on one simulated working day (from the event "
                "log).",
                fig))
    return out


def pct_text(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.4g}%"


def norms_caption(res: Results) -> str:
    """The sector norms in words (reachability, abandoned calls, e-mail), as this result states them."""
    parts = [f"reachability {pct_text(norm_of(res, 'reachability'))} or more",
             f"at most {pct_text(norm_of(res, 'calls_abandoned'))} of calls abandoned",
             f"{pct_text(norm_of(res, 'service_level.email'))} of e-mail within its norm time"]
    return ", ".join(parts)


def _service_level_figure(res: Results, x: str | None, reps: str) -> NamedFigure:
    staffing = res.kind == "staff" and "fte" in res.settings
    column = x or ("fte" if staffing else res.settings[0])
    if staffing:
        targets = staff_targets(res)
        present = {str(r["kpi"]) for r in res.kpis}
        kpis = [k for k in targets if k in present and k != "service_level.phone"]
        fig = F.service_level_curve(res.kpis, column, kpis=kpis or None, targets=targets or None,
                                    x_label=F.PARAM_LABELS["fte"], y_label="share (%, mean and 95% CI)")
        return NamedFigure(
            "service_level", "Service levels against staffing",
            "Each setup at its configured staffing and at the least staffing that meets every norm; means "
            f"over {reps} with 95% intervals; dashed: the norms (calls abandoned must stay below its norm, "
            "the others above).", fig)
    others = [c for c in res.settings if c != column]  # each combination of the other settings: a panel
    rows = res.kpis if not others else _relabel(res.kpis, others, len(res.setups) > 1)
    fig = F.service_level_curve(rows, column, x_label=F.PARAM_LABELS.get(column, column))
    return NamedFigure(
        "service_level", f"Service levels against {short_setting(column)}",
        f"Reachability and the service level of each request type (share within its norm) as {column} "
        f"varies; lines are means over {reps}, bands 95% confidence intervals, dashed lines the norms "
        f"({norms_caption(res)}).", fig)
