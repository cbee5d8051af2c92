"""Figures of waits: the empirical distribution function (ECDF) of waits per request type, each setup's
with its band over the replications.
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
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.presentation.figures.style import PAGE_WIDTH, PALETTE, NoData, page_figure, percent_axis, styled
from sim.presentation.figures.tables import num, records, setups_of, with_setup


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


@styled
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
    rows = with_setup(records(hist_rows))
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
    fig, axes = page_figure(nrows, ncols, PAGE_WIDTH, 2.6 * nrows + 0.6)
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
        percent_axis(ax)
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


__all__ = ["ecdf_points", "ecdf_band", "WAIT_AXIS_FROM_SECONDS", "ECDF_DETAIL_SETUPS", "wait_ecdf"]
