"""Figures of KPIs across setups and settings: a service level against a parameter, the effects of a sweep,
setups compared with a baseline, and departments side by side.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.kpis import kpi_info
from sim.presentation.figures.style import (
    GAIN,
    LOSS,
    MARKERS,
    PAGE_WIDTH,
    PALETTE,
    PARAM_LABELS,
    TARGETS,
    NoData,
    clip,
    error_lengths,
    page_figure,
    pct,
    pct_bars,
    percent_axis,
    styled,
)
from sim.presentation.figures.tables import (
    is_share_kpi,
    kpi_label,
    mean_ci,
    num,
    records,
    setups_and_baseline,
    setups_of,
    sortable,
    summarise,
    with_setup,
)


# ------------------------------------------------------------------------------- service level vs a parameter
@styled
def service_level_curve(kpi_rows: Any, x: str, kpis: Sequence[str] | None = None,
                        targets: Mapping[str, float] | None = None, x_label: str | None = None,
                        y_label: str = "share within norm (%, mean and 95% CI)") -> Figure:
    """Service levels (reachability and per request type) against a swept parameter such as FTE.

    ``kpi_rows`` is tidy, as ``kpis.csv``: columns ``x``, ``kpi``, ``value`` (and ``setup``, ``replication``);
    or already summarised, with ``mean``, ``ci_low``, ``ci_high`` instead of ``value``. One line per KPI with
    its 95% band over the replications; a dashed norm line for each KPI that has a target (default
    :data:`TARGETS`). With several setups, one panel per setup.
    """
    rows = with_setup(records(kpi_rows))
    if not rows:
        raise NoData("service_level_curve: no rows")
    if x not in rows[0]:
        raise ValueError(f"service_level_curve: no column {x!r}; columns: {', '.join(rows[0])}")
    present = list(dict.fromkeys(str(r["kpi"]) for r in rows))
    if kpis is None:  # reachability, and each request type's service level that was measured
        measured = {str(r["kpi"]) for r in rows if math.isfinite(num(r.get("value", r.get("mean"))))}
        kpis = [k for k in present if k in measured and (k == "reachability" or
                (k.startswith("service_level.") and k != "service_level.phone"))]
    missing = [k for k in kpis if k not in present]
    if missing:
        raise ValueError(f"service_level_curve: no KPI {', '.join(missing)} in the rows")
    targets = TARGETS if targets is None else targets
    setups = setups_of(rows)
    xs = sortable(r[x] for r in rows)
    numeric = all(math.isfinite(num(v)) for v in xs)
    pos = {v: (num(v) if numeric else i) for i, v in enumerate(xs)}
    chosen = [r for r in rows if r["kpi"] in kpis]
    if "value" in rows[0]:
        summary = summarise(chosen, ["setup", "kpi", x], "value")
    else:
        summary = [{**r, **{k: num(r.get(k)) for k in ("mean", "ci_low", "ci_high")}} for r in chosen]
    ncols = min(2, len(setups))
    nrows = math.ceil(len(setups) / ncols)
    fig, axes2 = page_figure(nrows, ncols, PAGE_WIDTH, 3.4 * nrows + 0.4 * len(kpis) / 2 + 1.0, sharey=True)
    for ax in axes2.flat[len(setups):]:
        ax.set_visible(False)
    axes = axes2.reshape(1, -1)
    for ax, setup in zip(axes[0], setups, strict=False):
        for i, kpi in enumerate(kpis):
            colour = PALETTE[i % len(PALETTE)]
            style = ("-", "--", ":")[i // len(PALETTE) % 3]
            pts = sorted(((pos[s[x]], s) for s in summary if s["setup"] == setup and s["kpi"] == kpi),
                         key=lambda p: p[0])
            if not pts:
                continue
            px = [p for p, _ in pts]
            if not numeric:  # categorical settings: points with error bars, a little apart, never joined
                off = (i - (len(kpis) - 1) / 2) * min(0.3, 0.6 / len(kpis))
                errs = np.array([error_lengths(pct(s["mean"]), pct(s["ci_low"]), pct(s["ci_high"]), 0, 100)
                                 for _, s in pts]).T
                ax.errorbar([p + off for p in px], [pct(s["mean"]) for _, s in pts],
                            yerr=errs if errs.any() else None, marker=MARKERS[i % len(MARKERS)], ms=4,
                            color=colour, linestyle="none", capsize=2, elinewidth=0.8, label=kpi_label(kpi),
                            gid=f"points:{kpi}")
            else:
                ax.plot(px, [pct(s["mean"]) for _, s in pts], marker=MARKERS[i % len(MARKERS)], ms=4,
                        color=colour, linestyle=style, label=kpi_label(kpi), gid=f"line:{kpi}")
            low = clip([pct(s["ci_low"]) for _, s in pts], 0, 100)
            if numeric and any(math.isfinite(v) for v in low):
                high = clip([pct(s["ci_high"]) for _, s in pts], 0, 100)
                ax.fill_between(px, low, high, color=colour, alpha=0.18, linewidth=0, gid=f"band:{kpi}")
            if kpi in targets:
                ax.axhline(100 * targets[kpi], color=colour, linestyle=(0, (6, 3)), linewidth=1.4,
                           label=f"{kpi_label(kpi)}: norm {100 * targets[kpi]:.0f}%", gid=f"norm:{kpi}")
        ax.set_xlabel(x_label or PARAM_LABELS.get(x, x.replace("_", " ")))
        if not numeric:
            ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        if len(setups) > 1:
            ax.set_title(setup)
        percent_axis(ax)
    axes[0][0].set_ylabel(y_label)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=9)
    return fig


# ------------------------------------------------------------------------------- sweeps: one factor at a time
#: KPIs a sweep figure shows by default (those present), one row of panels each.
SWEEP_KPIS = ("reachability", "calls_abandoned", "wait_all_seconds", "service_level.email", "utilisation")


def _short(column: str) -> str:
    return PARAM_LABELS.get(column, column.rsplit(".", 1)[-1].replace("_", " "))


@styled
def sweep_effects(kpi_rows: Any, settings: Sequence[str], kpis: Sequence[str] | None = None,
                  max_kpis: int = 4) -> Figure:
    """Small multiples of a sweep: one row per KPI, one column per swept factor. In a column only that
    factor changes along the x axis; each series holds the other factors fixed at one of their settings
    (its legend says which), so no panel compares two settings that differ in more than one factor.
    Categorical settings (policies, topologies) are points with 95% error bars, offset a little per series
    so they do not hide each other; numeric settings are points joined by lines. Dashed lines: the norms
    (:mod:`sim.kpis`).

    ``kpi_rows`` tidy as ``kpis.csv`` with the ``settings`` columns; ``kpis`` default: the first
    ``max_kpis`` of :data:`SWEEP_KPIS` that are present.
    """
    rows = with_setup(records(kpi_rows))
    if not rows:
        raise NoData("sweep_effects: no rows")
    settings = [c for c in settings if c in rows[0]]
    if not settings:
        raise ValueError("sweep_effects: no setting columns in the rows")
    present = list(dict.fromkeys(str(r["kpi"]) for r in rows))
    if kpis is None:
        kpis = [k for k in SWEEP_KPIS if k in present][:max_kpis]
    missing = [k for k in kpis if k not in present]
    if missing:
        raise ValueError(f"sweep_effects: no KPI {', '.join(missing)} in the rows")
    factors = settings[:3]
    chosen = [r for r in rows if r["kpi"] in kpis]
    summary = summarise(chosen, [*factors, "kpi"], "value")
    levels = {f: list(dict.fromkeys(r[f] for r in rows)) for f in factors}
    fig, axes = page_figure(len(kpis), len(factors), PAGE_WIDTH, 2.1 * len(kpis) + 1.6)
    for col, factor in enumerate(factors):
        xs = levels[factor]
        numeric = all(math.isfinite(num(v)) for v in xs)
        pos = {v: (num(v) if numeric else i) for i, v in enumerate(xs)}
        others = [f for f in factors if f != factor]
        series = list(dict.fromkeys(tuple(s[f] for f in others) for s in summary))
        spread = 0.0 if numeric else min(0.3, 0.6 / max(1, len(series)))
        for row, kpi in enumerate(kpis):
            ax = axes[row, col]
            info = kpi_info(kpi)
            share = info.scale == "share"
            scale = 100.0 if share else 1.0
            for j, key in enumerate(series):
                pts = [s for s in summary if s["kpi"] == kpi and tuple(s[f] for f in others) == key]
                pts.sort(key=lambda s: pos[s[factor]])
                if not pts:
                    continue
                offset = (j - (len(series) - 1) / 2) * spread
                px = [pos[s[factor]] + offset for s in pts]
                means = [scale * s["mean"] for s in pts]
                errs = np.array([error_lengths(scale * s["mean"], scale * s["ci_low"], scale * s["ci_high"],
                                      0.0, 100.0 if share else math.inf) for s in pts]).T
                label = ", ".join(str(v) for v in key) or None
                ax.errorbar(px, means, yerr=errs if errs.any() else None, color=PALETTE[j % len(PALETTE)],
                            marker=MARKERS[j % len(MARKERS)], ms=4, capsize=2, elinewidth=0.8,
                            linestyle="-" if numeric else "none", linewidth=1.2, label=label,
                            gid=f"sweep:{kpi}:{factor}:{j}")
            if info.norm is not None:
                ax.axhline(scale * info.norm, color="black", linestyle="--", linewidth=1.0, gid=f"norm:{kpi}")
            if share:
                ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=100, decimals=0))
            if col == 0:
                better = {"higher": "\n(higher is better)", "lower": "\n(lower is better)"}.get(info.better, "")
                ax.set_ylabel(f"{info.label}{better}", fontsize=9)
            if not numeric:
                ax.set_xticks(range(len(xs)), [str(v) for v in xs], rotation=20 if len(xs) > 3 else 0)
                ax.set_xlim(-0.5, len(xs) - 0.5)
            if row == len(kpis) - 1:
                ax.set_xlabel(_short(factor))
            else:
                ax.tick_params(labelbottom=False)
        if others:  # under the column: which setting of the other factors each series holds
            axes[-1, col].legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), fontsize=9,
                                 ncols=min(4, len(series)), title=f"series: {', '.join(map(_short, others))}",
                                 title_fontsize=9)
    fig.suptitle("One factor at a time (mean, 95% CI; dashed: norm)", fontweight="bold", fontsize=11)
    return fig


# ---------------------------------------------------------------------------------- per department
DEPARTMENT_METRICS = ("replaceability", "coverage", "within_norm")
DEPARTMENT_LABELS = {
    "replaceability": "replaceability (%)", "coverage": "coverage (% of opening time)",
    "within_norm": "all requests within norm (%)", "reachability": "reachability (%)",
    "calls_abandoned": "calls abandoned (%)",
}


def paired_differences(rows: Iterable[Mapping[str, Any]], key: Sequence[str], value: str, baseline: str,
                       ) -> list[dict[str, Any]]:
    """For every setup other than ``baseline``: the mean and 95% CI of (setup - baseline) of ``value``,
    paired by replication (common random numbers) within each ``key`` group."""
    by: dict[tuple[Any, ...], dict[str, dict[Any, float]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        group = tuple(row.get(k) for k in key)
        by[group][str(row["setup"])][str(row.get("replication", 0))] = num(row[value])
    out = []
    for group, per_setup in by.items():
        base = per_setup.get(baseline, {})
        for setup, values in per_setup.items():
            if setup == baseline:
                continue
            diffs = [v - base[r] for r, v in values.items() if r in base]
            out.append({**dict(zip(key, group, strict=True)), "setup": setup, "baseline": baseline,
                        **mean_ci(diffs)})
    return out


@styled
def department_view(per_department_rows: Any, metrics: Sequence[str] = DEPARTMENT_METRICS,
                    baseline: str | None = None) -> Figure:
    """Replaceability and coverage per department, and who wins or loses by a reorganisation.

    ``per_department_rows`` as ``per_department.csv`` (and ``setup``, ``replication``). Top row: each metric
    per department, one bar per setup (mean, 95% CI). With two or more setups, a bottom row shows each
    setup's paired difference from ``baseline`` (default: the first setup) in percentage points: with one
    setup against the baseline, green bars gain and red bars lose; with several, each has its colour and
    hatched bars lose.
    """
    rows, setups, baseline = setups_and_baseline("department_view", per_department_rows, baseline)
    depts = list(dict.fromkeys(str(r["department"]) for r in rows))
    others = [s for s in setups if s != baseline]
    nrows = 2 if others else 1
    fig, axes = page_figure(nrows, len(metrics), 3.6 * len(metrics) + 1.5, 0.32 * len(depts) * nrows *
                        max(1.0, len(setups) / 2) + 1.8, sharey=True)
    ypos = np.arange(len(depts))
    height = 0.8 / len(setups)
    for col, metric in enumerate(metrics):
        ax = axes[0, col]
        summary = summarise(rows, ["setup", "department"], metric)
        for i, setup in enumerate(setups):
            vals = {s["department"]: s for s in summary if s["setup"] == setup}
            means, errs = pct_bars(vals, depts, 0, 100)
            ax.barh(ypos + (i - (len(setups) - 1) / 2) * height, means, height=height,
                    color=PALETTE[i % len(PALETTE)], label=setup or None, gid=f"{metric}:{setup}",
                    xerr=errs, capsize=2,
                    error_kw={"linewidth": 0.8})
        ax.set_xlim(0, 105)
        percent_axis(ax, "x")
        ax.set_xlabel(DEPARTMENT_LABELS.get(metric, metric))
        ax.set_title(metric.replace("_", " "))
        if others:
            dax = axes[1, col]
            diffs = paired_differences(rows, ["department"], metric, baseline)
            for i, setup in enumerate(others):
                vals = {d["department"]: d for d in diffs if d["setup"] == setup}
                means, errs = pct_bars(vals, depts, -100, 100)
                h = 0.8 / len(others)
                gains = [math.isfinite(m) and m >= 0 for m in means]
                if len(others) == 1:
                    colours = [GAIN if g else LOSS for g in gains]
                else:
                    colours = [PALETTE[setups.index(setup) % len(PALETTE)]] * len(means)
                bars = dax.barh(ypos + (i - (len(others) - 1) / 2) * h, np.nan_to_num(means), height=h,
                                color=colours, xerr=errs, capsize=2, error_kw={"linewidth": 0.8},
                                gid=f"diff:{metric}:{setup}")
                if len(others) > 1:
                    for bar, gain in zip(bars, gains, strict=True):
                        bar.set_hatch("" if gain else "////")
                        bar.set_edgecolor("white")
            dax.axvline(0, color="black", linewidth=0.8)
            dax.set_xlabel(f"change vs {baseline} (pp)")
    for r in range(nrows):
        axes[r, 0].set_yticks(ypos, depts)
    axes[0, 0].invert_yaxis()  # shared: the first department on top in every panel
    axes[0, 0].set_ylabel("department")
    handles = [Patch(color=PALETTE[i % len(PALETTE)], label=s) for i, s in enumerate(setups) if s]
    if len(others) == 1:
        handles += [Patch(color=GAIN, label=f"{others[0]} gains"),
                    Patch(color=LOSS, label=f"{others[0]} loses")]
    elif others:
        handles.append(Patch(facecolor="#999999", hatch="////", edgecolor="white", label="loses (hatched)"))
    if handles:
        fig.legend(handles=handles, loc="outside upper center", ncols=min(6, len(handles)))
    if others:
        axes[1, 0].set_ylabel("department")
    return fig


# --------------------------------------------------------------------------------------- setup comparison
DEFAULT_COMPARE_KPIS = ("reachability", "calls_abandoned", "replaceability", "coverage",
                        "coverage_min_department", "utilisation", "service_level.email",
                        "service_level.callback", "meetings_uncovered")


@styled
def setup_comparison(kpi_rows: Any, kpis: Sequence[str] | None = None, baseline: str | None = None) -> Figure:
    """KPIs of the setups with 95% CIs (left) and their paired differences from ``baseline`` (right).

    ``kpi_rows`` tidy as ``kpis.csv``: ``setup``, ``replication``, ``kpi``, ``value``. Differences are paired
    by replication: with common random numbers both setups saw the same calls and mail, so the interval of
    the difference is narrower than the two intervals suggest. Only share KPIs (drawn in percent).
    """
    rows, setups, baseline = setups_and_baseline("setup_comparison", kpi_rows, baseline)
    present = list(dict.fromkeys(str(r["kpi"]) for r in rows))
    if kpis is None:
        kpis = [k for k in DEFAULT_COMPARE_KPIS if k in present]
    bad = [k for k in kpis if not is_share_kpi(k)]
    if bad:
        raise ValueError(f"setup_comparison: draws shares only; not a share: {', '.join(bad)}")
    rows = [r for r in rows if r["kpi"] in kpis]
    summary = summarise(rows, ["setup", "kpi"], "value")
    others = [s for s in setups if s != baseline]
    height = 0.45 * len(kpis) * max(1, len(setups) / 2) + 1.6
    fig, axes = page_figure(1, 2 if others else 1, 11.0 if others else 6.5, height, sharey=True)
    ypos = np.arange(len(kpis))
    step = 0.7 / max(1, len(setups))
    ax = axes[0, 0]
    for i, setup in enumerate(setups):
        vals = {s["kpi"]: s for s in summary if s["setup"] == setup}
        off = (i - (len(setups) - 1) / 2) * step
        means, errs = pct_bars(vals, kpis, 0, 100)
        ax.errorbar(means, ypos + off, xerr=errs, fmt="o", color=PALETTE[i % len(PALETTE)], capsize=3,
                    label=setup or None, gid=f"kpi:{setup}")
    ax.set_yticks(ypos, [kpi_label(k) for k in kpis])
    ax.invert_yaxis()
    ax.set_xlim(0, 102)
    percent_axis(ax, "x")
    ax.set_xlabel("value (%, mean and 95% CI)")
    ax.set_title("KPIs per setup")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=min(4, len(setups)))
    if others:
        dax = axes[0, 1]
        diffs = paired_differences(rows, ["kpi"], "value", baseline)
        step = 0.7 / len(others)
        for i, setup in enumerate(others):
            vals = {d["kpi"]: d for d in diffs if d["setup"] == setup}
            off = (i - (len(others) - 1) / 2) * step
            means, errs = pct_bars(vals, kpis, -100, 100)
            dax.errorbar(means, ypos + off, xerr=errs, fmt="D",
                         color=PALETTE[setups.index(setup) % len(PALETTE)], capsize=3,
                         label=f"{setup} - {baseline}", gid=f"diff:{setup}")
        dax.axvline(0, color="black", linewidth=0.8)
        dax.set_xlabel(f"minus {baseline}\n(percentage points, 95% CI)")
        dax.set_title("Differences (same seeds)")
        dax.legend(loc="lower left", bbox_to_anchor=(0, 1.06))
    return fig


__all__ = ["service_level_curve", "SWEEP_KPIS", "sweep_effects", "DEPARTMENT_METRICS", "DEPARTMENT_LABELS",
           "paired_differences", "department_view", "DEFAULT_COMPARE_KPIS", "setup_comparison"]
