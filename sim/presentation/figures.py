"""Figures: service levels people can see.

Each figure is one function that takes plain data (a list of dicts, or a pandas DataFrame) shaped like the
tables a run or an experiment writes, and returns a matplotlib :class:`~matplotlib.figure.Figure`. The tables
may hold several setups (a ``setup`` column) and several replications (a ``replication`` column); a figure
then draws each setup's mean over the replications with a 95% confidence interval as a band or an error bar:
the interval of :func:`sim.experiments.stats.summarize_kpi` (on the logit scale for shares, the log scale for durations
and rates, the Student-t interval of the mean for the rest), the one the experiments report. Shares
(reachability, service levels, utilisation) are drawn in percent.

One style for all: the Okabe-Ito palette (safe for colour-blind readers), labelled axes with units, a light
grid. Figures are built without pyplot, so they never open a window and work on any backend; save them with
:func:`save` (PNG and SVG).

This is the top layer of the flow (config -> model -> metrics -> KPIs -> experiments -> figures/reports): it
reads only plain data; its intervals come from :mod:`sim.experiments.stats`, as the experiments' do.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.config import MINUTES_PER_DAY
from sim.experiments.output import FIGURE_TEXT, atomic_path, plain_text
from sim.experiments.stats import summarize_kpi
from sim.kpis import kpi_info

#: Okabe & Ito (2008), "Color universal design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "bluish_green": "#009E73", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7", "sky_blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
#: Colours for series (setups, KPIs) in order.
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                  "sky_blue", "black", "yellow")]
GAIN, LOSS = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: What a secretary is doing, in the order of the day-in-the-life legend, with its colour.
ACTIVITY_COLOURS = {
    "call": OKABE_ITO["vermillion"],
    "mail": OKABE_ITO["blue"],
    "other task": OKABE_ITO["sky_blue"],
    "meeting": OKABE_ITO["bluish_green"],
    "sick": OKABE_ITO["reddish_purple"],
    "leave": OKABE_ITO["orange"],
    "off (lunch, day off, hours)": "#9A9A9A",
    "idle": "#E4E4E4",
}
MAIL_TYPES = ("email", "post")

#: Service targets (share of requests within their norm time) drawn as norm lines: the default norms of
#: :mod:`sim.kpis`, with their sources there.
TARGETS: dict[str, float] = {k: n for k in ("reachability", "service_level.phone", "service_level.email")
                             if (n := kpi_info(k).norm) is not None}

#: Typed ``Any`` because matplotlib types ``rc_context`` with a literal list of every rcParam name.
STYLE: Any = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "svg.fonttype": "none",
    **FIGURE_TEXT,  # names are drawn as written: a department "$x" must not be read as mathtext
}

#: Readable names of swept parameters.
PARAM_LABELS: dict[str, str] = {"fte": kpi_info("fte").label, "secretaries": "secretaries (headcount)"}

F = TypeVar("F", bound=Callable[..., Figure])


class NoData(ValueError):
    """Nothing to draw (a run without calls has no call waits): the figure is left out, not drawn empty."""


# --------------------------------------------------------------------------------------------- plain data
def records(data: Any) -> list[dict[str, Any]]:
    """Rows as a list of dicts, from a DataFrame (anything with ``to_dict``) or an iterable of mappings."""
    if data is None:
        return []
    if hasattr(data, "to_dict"):
        return [dict(r) for r in data.to_dict("records")]
    return [dict(r) for r in data]


def num(value: Any) -> float:
    """A number from a table cell; empty, None and non-numbers are NaN."""
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def is_share_kpi(kpi: str) -> bool:
    """KPIs that are fractions in [0, 1] (drawn in percent), as :mod:`sim.kpis` declares them."""
    return kpi_info(kpi).scale == "share"


def kpi_label(kpi: str) -> str:
    """A KPI's readable name, from :mod:`sim.kpis`."""
    return kpi_info(kpi).label


def mean_ci(values: Iterable[Any], level: float = 0.95, kpi: str = "") -> dict[str, float]:
    """Mean, confidence interval, sd and n of the finite values (NaN where undefined), computed by
    :func:`sim.experiments.stats.summarize_kpi` for ``kpi`` (logit scale for shares, log scale for durations and rates,
    Student-t for the rest), so figures and reports give the intervals the experiments report."""
    s = summarize_kpi(kpi, [v for v in (num(x) for x in values) if math.isfinite(v)], alpha=1 - level)
    fields = {"mean": s.mean, "ci_low": s.ci_low, "ci_high": s.ci_high, "sd": s.sd}
    return {**{k: math.nan if v is None else float(v) for k, v in fields.items()}, "n": s.n}


def summarise(rows: Iterable[Mapping[str, Any]], by: Sequence[str], value: str) -> list[dict[str, Any]]:
    """Group ``rows`` by the ``by`` columns and give each group's :func:`mean_ci` of ``value``, in the order
    groups first appear. The interval follows the KPI's range: the ``kpi`` column's name where it is a
    grouping column (tidy ``kpis.csv``), else the ``value`` column's (a result table's column)."""
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in by)].append(num(row.get(value)))
    out = []
    for key, vals in groups.items():
        labels = dict(zip(by, key, strict=True))
        out.append({**labels, **mean_ci(vals, kpi=str(labels.get("kpi", value)))})
    return out


def setups_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Setup names in order of appearance (one unnamed setup if there is no ``setup`` column)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen[str(row.get("setup", ""))] = None
    return list(seen)


def _setups_and_baseline(figure: str, rows_in: Any,
                         baseline: str | None) -> tuple[list[dict[str, Any]], list[str], str]:
    """The rows (with a setup column), the setups in order and the baseline (default: the first), for a
    figure that compares setups; a clear error for no rows or an unknown baseline."""
    rows = _with_setup(records(rows_in))
    if not rows:
        raise NoData(f"{figure}: no rows")
    setups = setups_of(rows)
    baseline = baseline or setups[0]
    if baseline not in setups:
        raise ValueError(f"{figure}: no setup {baseline!r}; setups: {', '.join(setups)}")
    return rows, setups, baseline


def _with_setup(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["setup"] = str(row.get("setup", "") or "")
        row.setdefault("replication", 0)
    return rows


def _sortable(values: Iterable[Any]) -> list[Any]:
    vals = list(dict.fromkeys(values))
    if all(math.isfinite(num(v)) for v in vals):
        return sorted(vals, key=num)
    return vals


#: Width of a figure meant for a page (inches): at the report's 110 dpi it is 880 pixels, shown at natural size
#: in the report's column, so 9-point text stays 9 points.
PAGE_WIDTH = 8.0


def _styled(func: F) -> F:
    """Build the figure inside the shared style."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE):
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def _figure(nrows: int, ncols: int, width: float, height: float, **kw: Any) -> tuple[Figure, np.ndarray]:
    """A figure at most :data:`PAGE_WIDTH` wide, so that the report shows it at its own size."""
    fig = Figure(figsize=(min(width, PAGE_WIDTH), height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _percent_axis(ax: Axes, axis: str = "y") -> None:
    fmt = matplotlib.ticker.PercentFormatter(xmax=100, decimals=None)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _pct(x: float) -> float:
    return 100 * x if math.isfinite(x) else math.nan


def _err(mean: float, low: float, high: float, lo: float = -math.inf, hi: float = math.inf,
         ) -> tuple[float, float]:
    """Error-bar lengths below and above ``mean``, with the interval clipped to the possible range [lo, hi]
    (zero when there is no interval)."""
    if not (math.isfinite(mean) and math.isfinite(low) and math.isfinite(high)):
        return 0.0, 0.0
    return max(0.0, mean - max(low, lo)), max(0.0, min(high, hi) - mean)


def _pct_bars(vals: Mapping[str, Mapping[str, float]], keys: Sequence[str], lo: float, hi: float,
              ) -> tuple[list[float], np.ndarray | None]:
    """Means (in percent) of ``vals[key]`` summaries for each key, and their error bars clipped to [lo, hi]
    (None when no key has an interval)."""
    means = [_pct(vals[k]["mean"]) if k in vals else math.nan for k in keys]
    errs = np.array([_err(_pct(vals[k]["mean"]), _pct(vals[k]["ci_low"]), _pct(vals[k]["ci_high"]), lo, hi)
                     if k in vals else (0.0, 0.0) for k in keys]).T
    return means, (errs if errs.any() else None)


def _clip(values: Sequence[float], lo: float, hi: float) -> list[float]:
    return [min(max(v, lo), hi) if math.isfinite(v) else v for v in values]


def _hhmm(hour: float) -> str:
    return f"{int(hour):02d}:{int(round((hour % 1) * 60)):02d}"


def save(fig: Figure, folder: str | Path, name: str, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``folder/name.png`` and ``.svg``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with matplotlib.rc_context(STYLE):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            tmp = folder / f".{name}.{fmt}.tmp"
            try:  # write then rename: never a half-written figure under the real name
                fig.savefig(tmp, format=fmt)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            out.append(path)
    return out


# ------------------------------------------------------------------------------- service level vs a parameter
@_styled
def service_level_curve(kpi_rows: Any, x: str, kpis: Sequence[str] | None = None,
                        targets: Mapping[str, float] | None = None, x_label: str | None = None,
                        y_label: str = "share within norm (%, mean and 95% CI)") -> Figure:
    """Service levels (reachability and per request type) against a swept parameter such as FTE.

    ``kpi_rows`` is tidy, as ``kpis.csv``: columns ``x``, ``kpi``, ``value`` (and ``setup``, ``replication``);
    or already summarised, with ``mean``, ``ci_low``, ``ci_high`` instead of ``value``. One line per KPI with
    its 95% band over the replications; a dashed norm line for each KPI that has a target (default
    :data:`TARGETS`). With several setups, one panel per setup.
    """
    rows = _with_setup(records(kpi_rows))
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
    xs = _sortable(r[x] for r in rows)
    numeric = all(math.isfinite(num(v)) for v in xs)
    pos = {v: (num(v) if numeric else i) for i, v in enumerate(xs)}
    chosen = [r for r in rows if r["kpi"] in kpis]
    if "value" in rows[0]:
        summary = summarise(chosen, ["setup", "kpi", x], "value")
    else:
        summary = [{**r, **{k: num(r.get(k)) for k in ("mean", "ci_low", "ci_high")}} for r in chosen]
    ncols = min(2, len(setups))
    nrows = math.ceil(len(setups) / ncols)
    fig, axes2 = _figure(nrows, ncols, PAGE_WIDTH, 3.4 * nrows + 0.4 * len(kpis) / 2 + 1.0, sharey=True)
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
                errs = np.array([_err(_pct(s["mean"]), _pct(s["ci_low"]), _pct(s["ci_high"]), 0, 100)
                                 for _, s in pts]).T
                ax.errorbar([p + off for p in px], [_pct(s["mean"]) for _, s in pts],
                            yerr=errs if errs.any() else None, marker=MARKERS[i % len(MARKERS)], ms=4,
                            color=colour, linestyle="none", capsize=2, elinewidth=0.8, label=kpi_label(kpi),
                            gid=f"points:{kpi}")
            else:
                ax.plot(px, [_pct(s["mean"]) for _, s in pts], marker=MARKERS[i % len(MARKERS)], ms=4,
                        color=colour, linestyle=style, label=kpi_label(kpi), gid=f"line:{kpi}")
            low = _clip([_pct(s["ci_low"]) for _, s in pts], 0, 100)
            if numeric and any(math.isfinite(v) for v in low):
                high = _clip([_pct(s["ci_high"]) for _, s in pts], 0, 100)
                ax.fill_between(px, low, high, color=colour, alpha=0.18, linewidth=0, gid=f"band:{kpi}")
            if kpi in targets:
                ax.axhline(100 * targets[kpi], color=colour, linestyle=(0, (6, 3)), linewidth=1.4,
                           label=f"{kpi_label(kpi)}: norm {100 * targets[kpi]:.0f}%", gid=f"norm:{kpi}")
        ax.set_xlabel(x_label or PARAM_LABELS.get(x, x.replace("_", " ")))
        if not numeric:
            ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        if len(setups) > 1:
            ax.set_title(setup)
        _percent_axis(ax)
    axes[0][0].set_ylabel(y_label)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=9)
    return fig


# ------------------------------------------------------------------------------- sweeps: one factor at a time
#: KPIs a sweep figure shows by default (those present), one row of panels each.
SWEEP_KPIS = ("reachability", "calls_abandoned", "wait_all_seconds", "service_level.email", "utilisation")


def _short(column: str) -> str:
    return PARAM_LABELS.get(column, column.rsplit(".", 1)[-1].replace("_", " "))


@_styled
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
    rows = _with_setup(records(kpi_rows))
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
    fig, axes = _figure(len(kpis), len(factors), PAGE_WIDTH, 2.1 * len(kpis) + 1.6)
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
                errs = np.array([_err(scale * s["mean"], scale * s["ci_low"], scale * s["ci_high"],
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


# ----------------------------------------------------------------------------------------- by hour of day
@_styled
def hourly_profile(per_hour_rows: Any, target: float | None = TARGETS["reachability"]) -> Figure:
    """Reachability, waiting time and abandonment by hour of the day, setups side by side.

    ``per_hour_rows`` as ``per_hour.csv``: ``hour``, ``reachability``, ``asa_seconds``, and (since the
    all-callers wait was added) ``wait_all_seconds``, ``offered``, ``abandoned`` (and ``setup``,
    ``replication``). Bars are means over the replications with 95% CI error bars. The waits panel shows
    the mean wait of all callers, answered and abandoned, as bars, with the answered calls' mean wait (the
    speed of answer) as a black tick: the gap is the callers who gave up. The third panel is the share of
    calls abandoned.
    """
    # hours with calls only while the line was closed (``after_hours``) have no reachability to draw
    rows = [r for r in _with_setup(records(per_hour_rows)) if num(r.get("offered", 1)) != 0]
    if not rows:
        raise NoData("hourly_profile: no rows")
    for r in rows:
        offered = num(r.get("offered"))
        r["abandoned_share"] = num(r.get("abandoned")) / offered if offered > 0 else math.nan
    setups = setups_of(rows)
    hours = sorted({int(num(r["hour"])) for r in rows})
    all_callers = "wait_all_seconds" in rows[0]
    has_abandoned = any(math.isfinite(r["abandoned_share"]) for r in rows)
    panels = [("reachability", "reachability\n(% within norm)", True),
              ("wait_all_seconds" if all_callers else "asa_seconds",
               "mean wait (s), all callers;\nblack tick: answered only" if all_callers
               else "mean wait of answered calls (s)", False)]
    if has_abandoned:
        panels.append(("abandoned_share", "calls abandoned (%)", True))
    fig, axes = _figure(len(panels), 1, PAGE_WIDTH, 2.3 * len(panels) + 0.8, sharex=True)
    width = 0.8 / len(setups)
    for ax, (column, label, share) in zip(axes[:, 0], panels, strict=True):
        summary = summarise(rows, ["setup", "hour"], column)
        asa = {(s["setup"], s["hour"]): s["mean"] for s in summarise(rows, ["setup", "hour"], "asa_seconds")} \
            if column == "wait_all_seconds" else {}
        for i, setup in enumerate(setups):
            pts = sorted(((int(num(s["hour"])), s) for s in summary if s["setup"] == setup),
                         key=lambda p: p[0])
            scale, top = (100, 100.0) if share else (1, math.inf)
            px = [h + (i - (len(setups) - 1) / 2) * width for h, _ in pts]
            means = [scale * s["mean"] for _, s in pts]
            errs = np.array([_err(scale * s["mean"], scale * s["ci_low"], scale * s["ci_high"], 0.0, top)
                             for _, s in pts]).T
            ax.bar(px, means, width=width, color=PALETTE[i % len(PALETTE)], label=setup or None,
                   yerr=errs if errs.any() else None, capsize=2, error_kw={"linewidth": 0.8},
                   gid=f"{column}:{setup}")
            if asa:
                ax.plot(px, [asa.get((setup, s["hour"]), math.nan) for _, s in pts], linestyle="none",
                        marker="_", markersize=max(4.0, 40 * width), markeredgewidth=2, color="black",
                        gid=f"asa_seconds:{setup}")
        ax.set_ylabel(label)
        if share:
            _percent_axis(ax)
            if column == "reachability":
                ax.set_ylim(0, 105)
                if target is not None:
                    ax.axhline(100 * target, color="black", linestyle="--", linewidth=1.0,
                               label=f"norm {100 * target:.0f}%", gid="norm")
    axes[-1, 0].set_xticks(hours, [_hhmm(h) for h in hours], rotation=45)
    axes[-1, 0].set_xlabel("hour of the day the call arrived")
    longest = max([len(str(s)) for s in setups] + [8])
    axes[0, 0].legend(loc="lower left", bbox_to_anchor=(0, 1.01),
                      ncols=max(1, min(4, len(setups) + 1, 64 // longest)))
    fig.suptitle("Calls by hour of the day (mean, 95% CI)", fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------------- ECDF
def ecdf_points(hist_rows: Iterable[Mapping[str, Any]]) -> tuple[list[float], list[float]]:
    """The ECDF of histogram rows (``upper_minutes``, ``count``): x (minutes, bin upper edges) and the share
    (0..1) of values at or below each x."""
    acc: dict[float, float] = defaultdict(float)
    for row in hist_rows:
        acc[num(row["upper_minutes"])] += num(row["count"])
    xs = sorted(acc)
    total = sum(acc.values())
    if total <= 0:
        return [], []
    cum = np.cumsum([acc[x] for x in xs]) / total
    return xs, [float(c) for c in cum]


def ecdf_band(hist_rows: Iterable[Mapping[str, Any]], level: float = 0.95,
              ) -> tuple[list[float], list[float], list[float], list[float]]:
    """The ECDF per replication on the union of their bins, and pointwise its mean and a logit-scale 95%
    interval over the replications (as :func:`sim.experiments.stats.summarize_share`, vectorised): x (minutes), mean,
    low, high, each share in [0, 1]. One replication: no band (low = high = mean)."""
    by_rep: dict[Any, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    for row in hist_rows:
        by_rep[row.get("replication", 0)][num(row["upper_minutes"])] += num(row["count"])
    xs = sorted({x for acc in by_rep.values() for x in acc})
    if not xs:
        return [], [], [], []
    index = {x: j for j, x in enumerate(xs)}
    curves = []
    for acc in by_rep.values():
        counts = np.zeros(len(xs))
        for x, c in acc.items():
            counts[index[x]] = c
        total = counts.sum()
        if total > 0:
            curves.append(np.cumsum(counts) / total)
    m = np.mean(curves, axis=0)
    n = len(curves)
    if n < 2:
        return xs, m.tolist(), m.tolist(), m.tolist()
    sd = np.std(curves, axis=0, ddof=1)
    from scipy import stats as st

    half = st.t.ppf(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    inside = (m > 0) & (m < 1) & (sd > 0)
    mm = np.where(inside, m, 0.5)
    logit = np.log(mm / (1 - mm))
    h = np.where(inside, half / (mm * (1 - mm)), 0.0)
    low = np.where(inside, 1 / (1 + np.exp(-(logit - h))), m)
    high = np.where(inside, 1 / (1 + np.exp(-(logit + h))), m)
    return xs, m.tolist(), low.tolist(), high.tolist()


#: Where a call-wait axis starts (seconds): a log axis cannot show 0, so waits below it are drawn at it.
WAIT_AXIS_FROM_SECONDS = 1.0


def _type_title(kind: str) -> tuple[str, bool]:
    """A histogram type's title and whether it counts working hours."""
    if kind.endswith(":working"):
        return f"lead time: {kind.rsplit(':', 1)[0]}", True
    return f"lead time: {kind}", False


#: Up to this many setups the ECDF draws bands across replications and says who gave up on the chart.
ECDF_DETAIL_SETUPS = 3


@_styled
def wait_ecdf(hist_rows: Any, types: Sequence[str] | None = None,
              norms_minutes: Mapping[str, float] | None = None) -> Figure:
    """Distribution (ECDF) of call waits and of lead times per request type, one line per setup.

    ``hist_rows`` as ``time_histograms.csv``: ``type``, ``upper_minutes``, ``count`` (and ``setup``,
    ``replication``). The first panel shows every caller: the share of all callers (answered and abandoned)
    whose wait was at most x (solid) and the share answered within x (dashed); the gap at the right is the
    callers who gave up. Waits are on a log axis in seconds, so the norm (a dashed vertical line) and the
    tail both show. Lead times: types ``<name>:working`` are in working hours (opening hours on working
    days, the unit of the norms), the others wall-clock hours; by default the working-hours ones where the
    table has them. Lines are means over replications of each replication's ECDF, with a 95% band.
    ``norms_minutes`` draws a norm line per type (``phone_wait`` for calls, ``<name>:working`` for tasks).
    """
    rows = _with_setup(records(hist_rows))
    if not rows:
        raise NoData("wait_ecdf: no rows")
    present = list(dict.fromkeys(str(r["type"]) for r in rows))
    if types is None:
        leads = [t for t in present if not t.startswith("phone_")]
        working = [t for t in leads if t.endswith(":working")]
        types = (["phone_wait"] if "phone_wait" in present else []) + (working or leads)
    if not types:
        raise NoData("wait_ecdf: no waits or lead times in the rows")
    setups = setups_of(rows)
    ncols = min(3, len(types))
    nrows = math.ceil(len(types) / ncols)
    fig, axes = _figure(nrows, ncols, PAGE_WIDTH, 2.6 * nrows + 0.6)
    for ax in axes.flat[len(types):]:
        ax.set_visible(False)
    norms = norms_minutes or {}
    detail = len(setups) <= ECDF_DETAIL_SETUPS
    for k, (ax, kind) in enumerate(zip(axes.flat, types, strict=False)):
        if kind == "phone_wait":
            _call_wait_panel(ax, rows, setups, norms.get("phone_wait"), detail)
            continue
        title, in_working_hours = _type_title(kind)
        x_lo, x_hi = math.inf, 0.0
        for i, setup in enumerate(setups):
            xs, mean, low, high = ecdf_band(r for r in rows if r["type"] == kind and r["setup"] == setup)
            if not xs:
                continue
            px = [x / 60 for x in xs]
            colour = PALETTE[i % len(PALETTE)]
            ax.step([px[0], *px], [0.0, *(100 * y for y in mean)], where="post", color=colour,
                    label=setup or None, gid=f"ecdf:{kind}:{setup}")
            if high != low and detail:
                ax.fill_between(px, [100 * y for y in low], [100 * y for y in high], step="post", color=colour,
                                alpha=0.2, linewidth=0, gid=f"band:{kind}:{setup}")
            positive = [x for x in px if x > 0]
            if positive:
                x_lo = min(x_lo, positive[0])
            x_hi = max(x_hi, px[-1])
        if kind in norms:
            ax.axvline(norms[kind] / 60, color="black", linestyle=":", linewidth=1.2, label="norm",
                       gid=f"norm:{kind}")
            x_hi = max(x_hi, norms[kind] / 60 * 1.1)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())  # hundreds of minor ticks are slow
        if math.isfinite(x_lo) and x_hi > x_lo:
            ax.set_xlim(x_lo / 1.5, x_hi * 1.5)
        ax.set_xlabel("working hours (log)" if in_working_hours else "wall-clock hours (log)")
        ax.set_title(title, fontsize=9)
        ax.set_ylim(0, 101)
        _percent_axis(ax)
        if k % ncols == 0:
            ax.set_ylabel("done within x (%)")
    handles = [Line2D([], [], color=PALETTE[i % len(PALETTE)], label=s) for i, s in enumerate(setups) if s]
    handles += [Line2D([], [], color="black", label="calls: all callers"),
                Line2D([], [], color="black", linestyle="--", label="calls: answered"),
                Line2D([], [], color="black", linestyle=":", label="norm")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=9)
    return fig


def _call_wait_panel(ax: Axes, rows: list[dict[str, Any]], setups: list[str], norm: float | None,
                     detail: bool = True) -> None:
    """All callers' waits: answered or hung up within x (solid), answered within x (dashed), log seconds."""
    x_hi = 0.0
    starts: list[float] = []  # each setup's share answered within 1 s: where its curves start
    for i, setup in enumerate(setups):
        mine = [r for r in rows if r["setup"] == setup and r["type"] in ("phone_wait", "phone_abandoned_wait")]
        answered = sum(num(r["count"]) for r in mine if r["type"] == "phone_wait")
        total = sum(num(r["count"]) for r in mine)
        if total <= 0:
            continue
        colour = PALETTE[i % len(PALETTE)]
        for kinds, style, what in ((("phone_wait", "phone_abandoned_wait"), "-", "all callers"),
                                   (("phone_wait",), "--", "answered")):
            xs, ys = ecdf_points(r for r in mine if r["type"] in kinds)
            if not xs:
                continue
            share = sum(num(r["count"]) for r in mine if r["type"] in kinds) / total
            px = [max(60 * x, WAIT_AXIS_FROM_SECONDS) for x in xs]
            ax.step([WAIT_AXIS_FROM_SECONDS, *px], [0.0, *(100 * share * y for y in ys)], where="post",
                    color=colour, linestyle=style, label=f"{setup + ': ' if setup else ''}{what}",
                    gid=f"ecdf:phone:{what}:{setup}")
            x_hi = max(x_hi, px[-1])
        if answered < total and detail:  # who gave up, one line per setup in the lower right corner
            ax.text(0.97, 0.05 + 0.09 * (len(setups) - 1 - i), f"{100 * (1 - answered / total):.1f}% gave up",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=9, color=colour)
        starts.append(100 * min(
            sum(num(r["count"]) for r in mine if r["type"] == "phone_wait" and 60 * num(r["upper_minutes"]) <= 1)
            / total, 1.0))
    if norm:
        ax.axvline(60 * norm, color="black", linestyle=":", linewidth=1.2, label=f"norm {60 * norm:g} s",
                   gid="norm:phone_wait")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlim(WAIT_AXIS_FROM_SECONDS, max(x_hi, 60 * (norm or 1)) * 1.5)
    # the y axis starts a little below the lowest curve, so the tail between it and 100% is visible
    ax.set_ylim(max(0.0, 10 * math.floor(min(starts or [0.0]) / 10) - 10), 101)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=100, decimals=0))
    ax.set_xlabel("wait (s, log; < 1 s drawn at 1 s)")
    ax.set_ylabel("share of callers (%)")
    ax.set_title("call wait: all callers", fontsize=9)


# ------------------------------------------------------------------------------------- per interval (SIPP)
@_styled
def sipp_figure(rows: Any, target: float | None = TARGETS["reachability"], title: str = "") -> Figure:
    """Per half hour: offered load, secretaries present and on calls (top), and the reachability that the
    stationary per-interval approximation (SIPP, Erlang A/C) predicts beside the simulated one with its 95%
    interval (bottom). ``rows`` from :func:`sim.experiments.sipp.sipp_rows`."""
    rows = records(rows)
    if not rows:
        raise NoData("sipp_figure: no rows")
    x = [num(r["start_minute"]) / 60 + 0.25 for r in rows]
    fig, axes = _figure(2, 1, PAGE_WIDTH, 6.0, sharex=True)
    top, bottom = axes[0, 0], axes[1, 0]
    top.bar(x, [num(r["offered_load"]) for r in rows], width=0.45, color=OKABE_ITO["sky_blue"],
            label="offered load (Erlang: calls/h x talk h)", gid="offered_load")
    top.step([v - 0.25 for v in x] + [x[-1] + 0.25], [num(r["present"]) for r in rows] + [num(rows[-1]["present"])],
             where="post", color="black", label="secretaries present (mean)", gid="present")
    top.plot(x, [num(r["on_calls"]) for r in rows], color=OKABE_ITO["vermillion"], marker="o", ms=3,
             label="secretaries on calls (mean)", gid="on_calls")
    top.set_ylabel("secretaries / Erlang")
    top.legend(loc="upper left", bbox_to_anchor=(0, 1.28), ncols=2, fontsize=9)
    bottom.plot(x, [_pct(num(r["sipp_service_level"])) for r in rows], color="black", marker="s", ms=4,
                label="SIPP: Erlang A per half hour", gid="sipp")
    means = [_pct(num(r["simulated"])) for r in rows]
    errs = np.array([_err(_pct(num(r["simulated"])), _pct(num(r["ci_low"])), _pct(num(r["ci_high"])), 0, 100)
                     for r in rows]).T
    bottom.errorbar(x, means, yerr=errs if errs.any() else None, fmt="o", color=OKABE_ITO["blue"], ms=5,
                    capsize=2, label="simulated (mean, 95% CI)", gid="simulated")
    if target is not None:
        bottom.axhline(100 * target, color="grey", linestyle="--", linewidth=1.0,
                       label=f"norm {100 * target:.0f}%", gid="norm")
    lows = [v for v in [*(_pct(num(r["ci_low"])) for r in rows), *means,
                        *(_pct(num(r["sipp_service_level"])) for r in rows)] if math.isfinite(v)]
    floor = min([*lows, 100 * target if target is not None else 100.0])
    bottom.set_ylim(max(0.0, 10 * math.floor(floor / 10) - 5), 101)  # the range the points use, norm included
    bottom.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=100, decimals=0))
    bottom.set_ylabel("calls answered within norm (%)")
    bottom.legend(loc="lower left", fontsize=9)
    hours = sorted({int(v) for v in x})
    bottom.set_xticks(hours, [_hhmm(h) for h in hours], rotation=45)
    bottom.set_xlabel("half hour of the day the call arrived")
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


# ----------------------------------------------------------------------------------- utilisation heat map
def utilisation_matrix(util_rows: Iterable[Mapping[str, Any]], min_presence: float = 0.05,
                       ) -> tuple[list[str], list[int], np.ndarray]:
    """Rows (secretaries grouped by cluster, then one row per cluster ``"<cluster> (cluster)"``), hours, and
    the utilisation in [0, 1] (busy / present minutes, pooled over replications). NaN where the row was
    present less than ``min_presence`` times its busiest hour's presence: a few minutes spent finishing a
    call after hours would otherwise show as a full hour at 100%."""
    busy: dict[tuple[str, int], float] = defaultdict(float)
    present: dict[tuple[str, int], float] = defaultdict(float)
    cluster_of: dict[str, str] = {}
    for row in util_rows:
        sec = str(row["secretary"])
        cluster = str(row.get("cluster") or "")
        cluster_of.setdefault(sec, cluster)
        h = int(num(row["hour"]))
        for name in (sec, f"{cluster} (cluster)"):
            busy[name, h] += num(row["busy_minutes"])
            present[name, h] += num(row["present_minutes"])
    clusters = list(dict.fromkeys(cluster_of.values()))
    names = [s for c in clusters for s in cluster_of if cluster_of[s] == c]
    names += [f"{c} (cluster)" for c in clusters]
    hours = sorted({h for _, h in present})
    grid = np.full((len(names), len(hours)), np.nan)
    for i, name in enumerate(names):
        most = max(present.get((name, h), 0.0) for h in hours)
        for j, h in enumerate(hours):
            here = present.get((name, h), 0.0)
            if here > 0 and here >= min_presence * most:
                grid[i, j] = busy[name, h] / here
    return names, hours, grid


def _cluster_rows(matrix: tuple[list[str], list[int], np.ndarray]) -> tuple[list[str], list[int], np.ndarray]:
    names, hours, grid = matrix
    keep = [i for i, n in enumerate(names) if n.endswith(" (cluster)")]
    return [names[i] for i in keep], hours, grid[keep]


@_styled
def utilisation_heatmap(util_rows: Any) -> Figure:
    """Utilisation of every secretary and cluster by hour of the day (a heat map; one panel per setup).

    ``util_rows`` as ``utilisation_by_hour.csv``: ``secretary``, ``cluster``, ``hour``, ``present_minutes``,
    ``busy_minutes`` (and ``setup``, ``replication``). White cells: nobody present that hour (or under 5%
    of the row's usual presence, see :func:`utilisation_matrix`). With more than two setups, only the
    clusters' rows are drawn, so that the figure stays about a page long.
    """
    rows = _with_setup(records(util_rows))
    if not rows:
        raise NoData("utilisation_heatmap: no rows")
    setups = setups_of(rows)
    mats = [utilisation_matrix(r for r in rows if r["setup"] == s) for s in setups]
    if len(setups) > 2:  # many panels: the clusters' rows only, so that the figure stays a page long
        mats = [_cluster_rows(m) for m in mats]
    height = 0.22 * max(len(m[0]) for m in mats) + 1.4
    width = max(0.42 * max(len(m[1]) for m in mats), 4.0) + 2.6
    ncols = max(1, min(len(setups), int(PAGE_WIDTH // width)))  # panels side by side only where they fit
    nrows = math.ceil(len(setups) / ncols)
    fig, grid_axes = _figure(nrows, ncols, min(PAGE_WIDTH, width * ncols), height * nrows)
    for ax in grid_axes.flat[len(setups):]:
        ax.set_visible(False)
    axes = np.array([list(grid_axes.flat[:len(setups)])])
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    image = None
    for ax, setup, (names, hours, grid) in zip(axes[0], setups, mats, strict=True):
        image = ax.imshow(100 * grid, aspect="auto", cmap=cmap, vmin=0, vmax=100, interpolation="nearest",
                          gid=f"heat:{setup}")
        ax.set_yticks(range(len(names)), names)
        ax.set_xticks(range(len(hours)), [_hhmm(h) for h in hours], rotation=45)
        ax.set_xlabel("hour of the day")
        ax.grid(False)
        n_sec = sum(1 for n in names if not n.endswith(" (cluster)"))
        ax.axhline(n_sec - 0.5, color="white", linewidth=3)
        ax.set_title(f"Utilisation by hour{': ' + setup if setup else ''}")
    for ax in grid_axes[:, 0]:
        ax.set_ylabel("secretary, then cluster")
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes[0]), shrink=0.9)
        bar.set_label("utilisation (% of present time busy)")
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


@_styled
def department_view(per_department_rows: Any, metrics: Sequence[str] = DEPARTMENT_METRICS,
                    baseline: str | None = None) -> Figure:
    """Replaceability and coverage per department, and who wins or loses by a reorganisation.

    ``per_department_rows`` as ``per_department.csv`` (and ``setup``, ``replication``). Top row: each metric
    per department, one bar per setup (mean, 95% CI). With two or more setups, a bottom row shows each
    setup's paired difference from ``baseline`` (default: the first setup) in percentage points: with one
    setup against the baseline, green bars gain and red bars lose; with several, each has its colour and
    hatched bars lose.
    """
    rows, setups, baseline = _setups_and_baseline("department_view", per_department_rows, baseline)
    depts = list(dict.fromkeys(str(r["department"]) for r in rows))
    others = [s for s in setups if s != baseline]
    nrows = 2 if others else 1
    fig, axes = _figure(nrows, len(metrics), 3.6 * len(metrics) + 1.5, 0.32 * len(depts) * nrows *
                        max(1.0, len(setups) / 2) + 1.8, sharey=True)
    ypos = np.arange(len(depts))
    height = 0.8 / len(setups)
    for col, metric in enumerate(metrics):
        ax = axes[0, col]
        summary = summarise(rows, ["setup", "department"], metric)
        for i, setup in enumerate(setups):
            vals = {s["department"]: s for s in summary if s["setup"] == setup}
            means, errs = _pct_bars(vals, depts, 0, 100)
            ax.barh(ypos + (i - (len(setups) - 1) / 2) * height, means, height=height,
                    color=PALETTE[i % len(PALETTE)], label=setup or None, gid=f"{metric}:{setup}",
                    xerr=errs, capsize=2,
                    error_kw={"linewidth": 0.8})
        ax.set_xlim(0, 105)
        _percent_axis(ax, "x")
        ax.set_xlabel(DEPARTMENT_LABELS.get(metric, metric))
        ax.set_title(metric.replace("_", " "))
        if others:
            dax = axes[1, col]
            diffs = paired_differences(rows, ["department"], metric, baseline)
            for i, setup in enumerate(others):
                vals = {d["department"]: d for d in diffs if d["setup"] == setup}
                means, errs = _pct_bars(vals, depts, -100, 100)
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


@_styled
def setup_comparison(kpi_rows: Any, kpis: Sequence[str] | None = None, baseline: str | None = None) -> Figure:
    """KPIs of the setups with 95% CIs (left) and their paired differences from ``baseline`` (right).

    ``kpi_rows`` tidy as ``kpis.csv``: ``setup``, ``replication``, ``kpi``, ``value``. Differences are paired
    by replication: with common random numbers both setups saw the same calls and mail, so the interval of
    the difference is narrower than the two intervals suggest. Only share KPIs (drawn in percent).
    """
    rows, setups, baseline = _setups_and_baseline("setup_comparison", kpi_rows, baseline)
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
    fig, axes = _figure(1, 2 if others else 1, 11.0 if others else 6.5, height, sharey=True)
    ypos = np.arange(len(kpis))
    step = 0.7 / max(1, len(setups))
    ax = axes[0, 0]
    for i, setup in enumerate(setups):
        vals = {s["kpi"]: s for s in summary if s["setup"] == setup}
        off = (i - (len(setups) - 1) / 2) * step
        means, errs = _pct_bars(vals, kpis, 0, 100)
        ax.errorbar(means, ypos + off, xerr=errs, fmt="o", color=PALETTE[i % len(PALETTE)], capsize=3,
                    label=setup or None, gid=f"kpi:{setup}")
    ax.set_yticks(ypos, [kpi_label(k) for k in kpis])
    ax.invert_yaxis()
    ax.set_xlim(0, 102)
    _percent_axis(ax, "x")
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
            means, errs = _pct_bars(vals, kpis, -100, 100)
            dax.errorbar(means, ypos + off, xerr=errs, fmt="D",
                         color=PALETTE[setups.index(setup) % len(PALETTE)], capsize=3,
                         label=f"{setup} - {baseline}", gid=f"diff:{setup}")
        dax.axvline(0, color="black", linewidth=0.8)
        dax.set_xlabel(f"minus {baseline}\n(percentage points, 95% CI)")
        dax.set_title("Differences (same seeds)")
        dax.legend(loc="lower left", bbox_to_anchor=(0, 1.06))
    return fig


# ----------------------------------------------------------------------------------------- day in the life
def activity_category(activity: str, detail: str) -> str:
    """The legend category of an event-log interval."""
    if activity == "task":
        return "mail" if detail in MAIL_TYPES else "other task"
    if activity == "absent":
        return detail if detail in ("sick", "leave") else "off (lunch, day off, hours)"
    return activity if activity in ACTIVITY_COLOURS else "other task"


def day_segments(event_rows: Iterable[Mapping[str, Any]], day: int,
                 ) -> dict[str, list[tuple[float, float, str]]]:
    """Per secretary (in order of first appearance in the log), her intervals on calendar ``day`` as
    (start hour, duration in hours, category), clipped to that day."""
    lo, hi = day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY
    out: dict[str, list[tuple[float, float, str]]] = {}
    for row in event_rows:
        who = str(row["secretary"])
        out.setdefault(who, [])
        start, end = max(num(row["start_minute"]), lo), min(num(row["end_minute"]), hi)
        if end <= start:
            continue
        cat = activity_category(str(row["activity"]), str(row.get("detail") or ""))
        out[who].append(((start - lo) / 60, (end - start) / 60, cat))
    return out


def default_day(event_rows: Iterable[Mapping[str, Any]]) -> int:
    """The calendar day of the last call in the log (a working day well past the warm-up), else of the last work."""
    event_rows = list(event_rows)
    last = -1.0
    for row in event_rows:
        if row["activity"] == "call":
            last = max(last, num(row["start_minute"]))
    if last < 0:  # a run without calls: the last day anyone worked
        last = max((num(row["start_minute"]) for row in event_rows
                    if row["activity"] not in ("idle", "off")), default=-1.0)
    if last < 0:
        raise NoData("day_in_the_life: nobody worked in the event log")
    return int(last // MINUTES_PER_DAY)


@_styled
def day_in_the_life(event_rows: Any, day: int | None = None) -> Figure:
    """A timeline of what each secretary did on one simulated day: calls, mail, other tasks, meetings,
    absence and idle time.

    ``event_rows`` as ``events.csv`` (``sim run --event-log``): ``start_minute``, ``end_minute``,
    ``secretary``, ``activity``, ``detail``. ``day`` is the calendar day (minute // 1440; day 0 is the
    Monday of week 0); default :func:`default_day`.
    """
    rows = records(event_rows)
    if not rows:
        raise NoData("day_in_the_life: no events")
    day = default_day(rows) if day is None else day
    segs = day_segments(rows, day)
    working = ("call", "mail", "other task", "meeting")
    busy = [(s, s + d) for v in segs.values() for s, d, c in v if c in working]
    if not busy:
        raise NoData(f"day_in_the_life: nobody worked on day {day}")
    first = math.floor(min(s for s, _ in busy))
    last = math.ceil(max(e for _, e in busy))
    names = list(segs)
    fig, axes = _figure(1, 1, 10.0, 0.42 * len(names) + 1.8)
    ax = axes[0, 0]
    for i, name in enumerate(names):
        by_cat: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for start, dur, cat in segs[name]:
            by_cat[cat].append((start, dur))
        for cat, spans in by_cat.items():
            ax.broken_barh(spans, (i - 0.38, 0.76), facecolors=ACTIVITY_COLOURS[cat], gid=f"{name}:{cat}")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(first, last)
    ticks = list(range(first, last + 1))
    ax.set_xticks(ticks, [_hhmm(t) for t in ticks])
    ax.set_xlabel("time of day (h)")
    ax.set_ylabel("secretary")
    ax.grid(axis="y", visible=False)
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day % 7]
    ax.set_title(f"A day in the life: day {day} ({weekday}, week {day // 7})")
    ax.legend(handles=[Patch(color=c, label=k) for k, c in ACTIVITY_COLOURS.items()], loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return fig


__all__ = [
    "ACTIVITY_COLOURS", "OKABE_ITO", "PALETTE", "STYLE", "TARGETS", "calibration_figures", "day_in_the_life",
    "day_segments",
    "default_day", "department_view", "ecdf_points", "hourly_profile", "kpi_label", "mean_ci",
    "paired_differences", "records", "save", "service_level_curve", "sipp_figure", "sweep_effects",
    "setup_comparison", "summarise", "ecdf_band", "PAGE_WIDTH",
    "utilisation_heatmap", "utilisation_matrix", "wait_ecdf", "waterfall_figure",
]


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


@_styled
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


@_styled
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
    fig, axes = _figure(len(alts), 2, PAGE_WIDTH, 3.0 * len(alts) + 0.9)
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
            means = [_pct(num(s.get("mean"))) for s in stats]
            errs = np.array([_err(m, _pct(num(s.get("ci_low"))), _pct(num(s.get("ci_high"))), 0, 100)
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
        _percent_axis(ax)
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


@_styled
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


# ------------------------------------------------------------------------------------- calibration (sim calibrate)
@plain_text()  # user text (names, labels) drawn as written, never as mathtext
def calibration_figures(data: Sequence[Mapping[str, Any]], folder: Path) -> list[str]:
    """The figures of a calibration (:func:`sim.data.calibration.figure_data`): observed against fitted
    profiles, a QQ plot per duration, and patience's Kaplan-Meier curve, each written (PNG, 110 dpi) into
    ``folder`` under its own name; the file names written."""
    draw = {"profile": _profile_fit, "qq": _qq_plot, "patience": _patience_curve}
    names: list[str] = []
    for item in data:
        fig = draw[item["kind"]](item)
        fig.tight_layout()
        with atomic_path(folder, item["name"]) as tmp:  # a complete figure or none
            fig.savefig(tmp, dpi=110, format=Path(item["name"]).suffix.lstrip("."))
        names.append(item["name"])
    return names


def _profile_fit(item: Mapping[str, Any]) -> Figure:
    """Arrivals over the day: observed per slot (with 2 standard errors), the fitted profile and the config's."""
    x, obs, slot = item["x"], item["observed"], item["slot"]
    fig = Figure(figsize=(7, 3.5))
    ax = fig.subplots()
    ax.bar(x, obs, width=slot / 60 * 0.9, color="#BBBBBB", label="observed per day")
    ax.errorbar(x, obs, yerr=item["error"], fmt="none", ecolor="#555555", lw=0.8, label="observed +/- 2 se")
    ax.step(x, item["fitted"], where="mid", color="#0072B2", label="fitted profile")
    if item["old"] is not None:
        ax.step(*item["old"], where="mid", color="#D55E00", ls="--", label="profile in the config")
    ax.set_xlabel("hour of the day")
    ax.set_ylabel(f"arrivals per {slot:g} min per day")
    ax.set_title(f"{item['title']}: arrivals over the day, observed and fitted")
    ax.legend(fontsize=8)
    return fig


def _qq_plot(item: Mapping[str, Any]) -> Figure:
    """A duration's observed quantiles against each fitted family's."""
    x, top = item["observed"], item["top"]
    fig = Figure(figsize=(4.5, 4.5))
    ax = fig.subplots()
    for (family, aic, fitted), color in zip(item["fits"], ("#0072B2", "#009E73", "#D55E00"), strict=False):
        ax.plot(fitted, x, ".", ms=2.5, color=color, label=f"{family} (AIC {aic:.0f})")
    ax.plot([0, top], [0, top], color="black", lw=0.8)
    ax.set_xlim(0, top * 1.05)
    ax.set_ylim(0, top * 1.05)
    ax.set_xlabel("fitted quantile (minutes)")
    ax.set_ylabel("observed quantile (minutes)")
    ax.set_title(f"QQ plot: {item['title']}")
    ax.legend(fontsize=8)
    return fig


def _patience_curve(item: Mapping[str, Any]) -> Figure:
    """Callers still waiting: the Kaplan-Meier curve (answers censor), each fitted family, and the naive fit."""
    grid = item["grid"]
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.step(item["times"], item["surviving"], where="post", color="black", label="Kaplan-Meier (censored by answers)")
    for (family, mean, sf), color in zip(item["fits"], ("#0072B2", "#009E73", "#D55E00", "#CC79A7"), strict=False):
        ax.plot(grid, sf, color=color, label=f"{family}, mean {mean:.0f} s")
    if item["naive"] is not None:
        mean, sf = item["naive"]
        ax.plot(grid, sf, color="#999999", ls=":", label=f"naive: abandoned only, mean {mean:.0f} s")
    ax.set_xlabel("seconds waited")
    ax.set_ylabel("share of callers still waiting")
    ax.set_title("caller patience")
    ax.legend(fontsize=8)
    return fig
