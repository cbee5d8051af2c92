"""Figures of the business case against today: who gains and who loses per department, the service
curve of each staffing, and the waterfall of where the saving comes from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.presentation.figures.style import (
    GAIN,
    LOSS,
    MARKERS,
    OKABE_ITO,
    PAGE_WIDTH,
    PALETTE,
    PARAM_LABELS,
    NoData,
    error_lengths,
    page_figure,
    pct,
    percent_axis,
    styled,
)
from sim.presentation.figures.tables import num

# ------------------------------------------------------------------------ the business case against today
#: The department KPIs of a business case's gain/loss table, in column order, with short labels.
GAIN_LOSS_KPIS: dict[str, str] = {
    "reachability": "reachability", "calls_abandoned": "calls\nabandoned", "tasks_within_norm": "tasks\nwithin norm",
    "continuity": "continuity", "meetings_with_minutes": "meetings\nwith minutes",
}


def _alternatives(case: Mapping[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    """The setups of a business case (``summary.json``'s ``business_case``) that have ``key``: the
    alternatives to today (the baseline's own row has None)."""
    return [(str(n), dict(r)) for n, r in (case.get("setups") or {}).items() if r.get(key)]


def staffing_label(case: Mapping[str, Any], name: str) -> str:
    """``central (recommended, 12.2 FTE) against today (decentral, 12.0 FTE)``: what a gain/loss compares."""
    row = (case.get("setups") or {}).get(name) or {}
    today = num(case.get("today_fte"))
    ref = case.get("reference", "")
    return (f"{name} (recommended, {num(row.get('fte')):.1f} FTE) against today ({ref}, "
            + (f"{today:.1f} FTE)" if math.isfinite(today) else "as staffed)"))


@styled
def gain_loss_figure(case: Mapping[str, Any], setups: Sequence[str] | None = None) -> Figure:
    """Who gains and who loses against today: per alternative setup a heatmap of departments x KPIs, each cell
    the change in points at the recommended staffing (positive: better, whatever the KPI's direction), on a
    diverging scale (blue better, red worse) with the value written in it. Cells worse than today beyond the
    tolerance of "no worse than today" are framed in black and marked ``!``; better beyond it ``+``.

    ``case`` as ``summary.json``'s ``business_case`` (each setup's ``gain_loss`` rows)."""
    alts = [(n, r) for n, r in _alternatives(case, "gain_loss") if setups is None or n in setups]
    if not alts:
        raise NoData("gain_loss_figure: no setup with a gain/loss against today")
    depts_of = {n: list(dict.fromkeys(str(g["department"]) for g in r["gain_loss"])) for n, r in alts}
    kpis_of = {n: [k for k in GAIN_LOSS_KPIS if any(g["kpi"] == k for g in r["gain_loss"])]
               + list(dict.fromkeys(str(g["kpi"]) for g in r["gain_loss"] if g["kpi"] not in GAIN_LOSS_KPIS))
               for n, r in alts}
    heights = [0.36 * len(depts_of[n]) + 1.3 for n, _ in alts]
    fig = Figure(figsize=(PAGE_WIDTH, sum(heights) + 0.6), layout="constrained")
    axes = fig.subplots(len(alts), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    values = [abs(num(g["better_points"])) for _, r in alts for g in r["gain_loss"]]
    vmax = max([v for v in values if math.isfinite(v)] + [1.0])
    cmap = matplotlib.colormaps["RdBu"]
    image = None
    for ax, (name, row) in zip(axes, alts, strict=True):
        depts, kpis = depts_of[name], kpis_of[name]
        grid = np.full((len(depts), len(kpis)), np.nan)
        cells = {(str(g["department"]), str(g["kpi"])): g for g in row["gain_loss"]}
        for i, d in enumerate(depts):
            for j, k in enumerate(kpis):
                if (d, k) in cells:
                    grid[i, j] = num(cells[d, k]["better_points"])
        image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-vmax, vmax=vmax, aspect="auto",
                          interpolation="nearest")
        image.set_gid(f"gain_loss:{name}")
        for i, d in enumerate(depts):
            for j, k in enumerate(kpis):
                g = cells.get((d, k))
                if g is None:
                    ax.text(j, i, "–", ha="center", va="center", fontsize=8, color="#888888")
                    continue
                v = num(g["better_points"])
                mark = {"loss": "!", "gain": "+"}.get(str(g.get("verdict")), "")
                loss = g.get("verdict") == "loss"
                ax.text(j, i, f"{v:+.1f}{mark}" if math.isfinite(v) else "–", ha="center", va="center",
                        fontsize=8.5, fontweight="bold" if loss else "normal",
                        color="white" if math.isfinite(v) and abs(v) > 0.55 * vmax else "black",
                        gid=f"cell:{name}:{d}:{k}")
                if loss:
                    ax.add_patch(Rectangle((j - 0.47, i - 0.47), 0.94, 0.94, fill=False,
                                                              edgecolor="black", linewidth=1.8,
                                                              gid=f"loss:{name}:{d}:{k}"))
        ax.set_xticks(range(len(kpis)), [GAIN_LOSS_KPIS.get(k, k.replace("_", " ")) for k in kpis])
        ax.xaxis.tick_top()
        ax.tick_params(axis="x", length=0, labelsize=8.5)
        ax.set_yticks(range(len(depts)), depts)
        ax.tick_params(axis="y", length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        losers = sorted({str(g["department"]) for g in row["gain_loss"] if g.get("verdict") == "loss"})
        ax.set_title(staffing_label(case, name), fontsize=10, loc="left")
        ax.set_xlabel(f"{len(losers)} of {len(depts)} departments worse than today beyond the tolerance "
                      "(framed, !)" if losers else "no department worse than today beyond the tolerance",
                      fontsize=9, color=LOSS if losers else "black")
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes), shrink=0.8, aspect=30, pad=0.02)
        bar.set_label("change against today (points; + better, − worse)")
    fig.suptitle("Gain and loss per department against today", fontsize=11, fontweight="bold")
    return fig


@styled
def service_curve_figure(case: Mapping[str, Any], targets: Mapping[str, float] | None = None,
                         setups: Sequence[str] | None = None) -> Figure:
    """What each FTE buys, per alternative setup (one row each): left, the sector's reachability and occupancy
    (utilisation) with 95% intervals against FTE, from the recommended staffing up to today's; right, the
    worst department's margin per norm KPI (points; below 0 a department breaks that norm). Today's FTE is
    marked by a dashed line, the recommended FTE by a dotted one; hollow markers: staffings that break a norm.

    ``case`` as ``summary.json``'s ``business_case`` (each setup's ``service_curve``); ``targets``:
    ``{kpi: value}`` of the sector norms, drawn as thin lines (reachability, utilisation)."""
    alts = [(n, r) for n, r in _alternatives(case, "service_curve") if setups is None or n in setups]
    if not alts:
        raise NoData("service_curve_figure: no setup with a service curve")
    fig, axes = page_figure(len(alts), 2, PAGE_WIDTH, 3.0 * len(alts) + 0.9)
    today = num(case.get("today_fte"))
    series = (("reachability", "reachability", PALETTE[0], "o"), ("utilisation", "occupancy", PALETTE[1], "s"))
    for r, (name, row) in enumerate(alts):
        curve = sorted(row["service_curve"], key=lambda p: num(p.get("fte")))
        x = [num(p.get("fte")) for p in curve]
        feasible = [bool(p.get("feasible")) for p in curve]
        rec = num(row.get("fte"))
        ax, mx = axes[r, 0], axes[r, 1]
        for kpi, label, colour, marker in series:
            stats = [p.get(kpi) or {} for p in curve]
            means = [pct(num(s.get("mean"))) for s in stats]
            errs = np.array([error_lengths(m, pct(num(s.get("ci_low"))), pct(num(s.get("ci_high"))), 0, 100)
                             for m, s in zip(means, stats, strict=True)]).T
            ax.errorbar(x, means, yerr=errs if errs.size else None, color=colour, marker="", capsize=3,
                        linewidth=1.4, label=f"{label} [95%]", gid=f"curve:{name}:{kpi}")
            for xi, m, ok in zip(x, means, feasible, strict=True):
                ax.plot([xi], [m], marker=marker, color=colour, markerfacecolor=colour if ok else "white",
                        linestyle="")
            target = (targets or {}).get(kpi)
            if target is not None:
                ax.axhline(100 * target, color=colour, linewidth=0.8, linestyle=(0, (2, 2)),
                           gid=f"norm:{name}:{kpi}",
                           label=f"{label} {'ceiling' if kpi == 'utilisation' else 'norm'} {100 * target:.0f}%")
        ax.set_ylim(0, 105)
        percent_axis(ax)
        ax.set_ylabel("sector (%, mean, 95% CI)")
        ax.set_title(f"{name}: sector service", fontsize=10, loc="left")
        kpis = [k for k in GAIN_LOSS_KPIS if any(k in (p.get("worst_department_margin") or {}) for p in curve)]
        kpis += list(dict.fromkeys(k for p in curve for k in (p.get("worst_department_margin") or {})
                                   if k not in kpis))
        for i, kpi in enumerate(kpis):
            ys = [100 * num((p.get("worst_department_margin") or {}).get(kpi)) for p in curve]
            mx.plot(x, ys, marker=MARKERS[i % len(MARKERS)], color=PALETTE[(i + 2) % len(PALETTE)],
                    label=GAIN_LOSS_KPIS.get(kpi, kpi).replace("\n", " "), gid=f"margin:{name}:{kpi}",
                    markersize=5)
        mx.axhline(0, color="black", linewidth=0.8)
        mx.set_ylabel("worst department's margin (points)")
        mx.set_title(f"{name}: worst department", fontsize=10, loc="left")
        for a in (ax, mx):
            if math.isfinite(today):
                a.axvline(today, color="#555555", linestyle="--", linewidth=1, gid=f"today:{name}")
            if math.isfinite(rec):
                a.axvline(rec, color="black", linestyle=":", linewidth=1.2, gid=f"recommended:{name}")
            lo = min([v for v in [*x, today, rec] if math.isfinite(v)])
            hi = max([v for v in [*x, today, rec] if math.isfinite(v)])
            pad = max(0.3, 0.08 * (hi - lo))
            a.set_xlim(lo - pad, hi + pad)
            a.set_xlabel(PARAM_LABELS["fte"])
        where = matplotlib.transforms.blended_transform_factory(ax.transData, ax.transAxes)
        for value, label, colour, y in ((today, "today", "#555555", 0.03), (rec, "recommended", "black", 0.10)):
            if math.isfinite(value):  # the label on the inner side of its line, so it stays inside the panel
                right = value >= max(v for v in (today, rec, *x) if math.isfinite(v))
                ax.text(value, y, f"{label} {value:.1f} " if right else f" {label} {value:.1f}", transform=where,
                        fontsize=8, color=colour, va="bottom", ha="right" if right else "left")
        if r == 0:
            ax.legend(loc="lower right", fontsize=8, bbox_to_anchor=(1.0, 0.16))
            if kpis:
                mx.legend(loc="best", fontsize=8)
    fig.suptitle("What each FTE buys: from the recommended staffing up to today's "
                 + (f"({today:.1f} FTE)" if math.isfinite(today) else ""), fontsize=11, fontweight="bold")
    return fig


@styled
def waterfall_figure(case: Mapping[str, Any], name: str) -> Figure:
    """Where the saving comes from (:mod:`sim.decisions.waterfall`): today's yearly cost at the top, each step a
    horizontal bar from the running total before to after it (green: saves, vermillion: costs), the
    alternative's yearly cost (the reported saving) and, below it, the one-off costs spread over the horizon.
    Each bar is labelled with its euro change and, for a search step, the FTE it moves between. The cost axis
    does not start at 0 (the steps would not show); its left end is marked.

    ``case`` as ``summary.json``'s ``business_case``; ``name`` the alternative (its ``waterfall``)."""
    wf = ((case.get("setups") or {}).get(name) or {}).get("waterfall")
    if not wf:
        raise ValueError(f"waterfall_figure: {name!r} has no waterfall")
    k = 1000.0
    bars: list[tuple[str, float, float, str, str]] = [  # label, left, right, colour, text
        (f"today ({wf['reference']}, {num(wf['today_fte']):.1f} FTE)", 0.0, wf["start_cost"] / k, "#999999",
         f"{wf['start_cost'] / k:,.0f}k")]

    def step(r: Mapping[str, Any]) -> tuple[str, float, float, str, str]:
        before, after = num(r["cost_before"]) / k, num(r["cost_after"]) / k
        fte = "" if r.get("fte_before") is None else f" ({num(r['fte_before']):.1f}→{num(r['fte_after']):.1f} FTE)"
        saving = num(r["saving"]) / k
        return (str(r["label"]), min(before, after), max(before, after), GAIN if saving >= 0 else LOSS,
                f"{-saving:+,.1f}k{fte}")

    bars += [step(r) for r in wf["steps"]]
    share = wf.get("saving_share")
    bars.append((f"= {name}, yearly", 0.0, wf["end_cost"] / k, OKABE_ITO["blue"],
                 f"{wf['end_cost'] / k:,.0f}k" + ("" if share is None else f", {100 * num(share):.1f}% saved")))
    for r in wf["after"]:
        label, lo, hi, colour, text = step(r)
        bars.append((f"{label} ({wf['horizon_years']} y)", lo, hi, colour, text))
    bars.append(("= with the move paid over the horizon", 0.0, wf["end_cost_with_one_off"] / k,
                 OKABE_ITO["sky_blue"], f"{wf['end_cost_with_one_off'] / k:,.0f}k"))
    ends = [v for _, lo, hi, _, _ in bars for v in (lo, hi) if v > 0]
    left = max(0.0, math.floor((min(ends) - 0.12 * (max(ends) - min(ends)) - 1) / 50) * 50)
    right = max(ends) + 0.9 * (max(ends) - left)
    fig = Figure(figsize=(6.0, 0.34 * len(bars) + 1.0), layout="constrained")
    ax = fig.subplots()
    for i, (_label, lo, hi, colour, text) in enumerate(bars):
        lo = max(lo, left)
        ax.barh(i, hi - lo, left=lo, color=colour, height=0.62, edgecolor="white")
        ax.text(hi + 0.01 * (right - left), i, text, va="center", ha="left", fontsize=9)
    ax.set_yticks(range(len(bars)), [b[0] for b in bars], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(left, right)
    ax.set_xlabel(f"yearly cost, thousand euro (axis starts at {left:,.0f}k)", fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_title(f"Where the saving of {name} comes from", fontsize=10, loc="left")
    return fig


__all__ = ["GAIN_LOSS_KPIS", "staffing_label", "gain_loss_figure", "service_curve_figure", "waterfall_figure"]
