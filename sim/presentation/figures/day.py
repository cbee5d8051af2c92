"""Figures of the working day: service by hour, the utilisation heat map of secretaries by hour, and one
day in the life of each secretary (``--event-log``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.config import MINUTES_PER_DAY
from sim.presentation.figures.style import (
    ACTIVITY_COLOURS,
    MAIL_TYPES,
    PAGE_WIDTH,
    PALETTE,
    TARGETS,
    NoData,
    error_lengths,
    hhmm,
    page_figure,
    percent_axis,
    styled,
)
from sim.presentation.figures.tables import num, records, setups_of, summarise, with_setup


# ----------------------------------------------------------------------------------------- by hour of day
@styled
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
    rows = [r for r in with_setup(records(per_hour_rows)) if num(r.get("offered", 1)) != 0]
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
    fig, axes = page_figure(len(panels), 1, PAGE_WIDTH, 2.3 * len(panels) + 0.8, sharex=True)
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
            errs = np.array([error_lengths(scale * s["mean"], scale * s["ci_low"], scale * s["ci_high"], 0.0, top)
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
            percent_axis(ax)
            if column == "reachability":
                ax.set_ylim(0, 105)
                if target is not None:
                    ax.axhline(100 * target, color="black", linestyle="--", linewidth=1.0,
                               label=f"norm {100 * target:.0f}%", gid="norm")
    axes[-1, 0].set_xticks(hours, [hhmm(h) for h in hours], rotation=45)
    axes[-1, 0].set_xlabel("hour of the day the call arrived")
    longest = max([len(str(s)) for s in setups] + [8])
    axes[0, 0].legend(loc="lower left", bbox_to_anchor=(0, 1.01),
                      ncols=max(1, min(4, len(setups) + 1, 64 // longest)))
    fig.suptitle("Calls by hour of the day (mean, 95% CI)", fontweight="bold")
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


@styled
def utilisation_heatmap(util_rows: Any) -> Figure:
    """Utilisation of every secretary and cluster by hour of the day (a heat map; one panel per setup).

    ``util_rows`` as ``utilisation_by_hour.csv``: ``secretary``, ``cluster``, ``hour``, ``present_minutes``,
    ``busy_minutes`` (and ``setup``, ``replication``). White cells: nobody present that hour (or under 5%
    of the row's usual presence, see :func:`utilisation_matrix`). With more than two setups, only the
    clusters' rows are drawn, so that the figure stays about a page long.
    """
    rows = with_setup(records(util_rows))
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
    fig, grid_axes = page_figure(nrows, ncols, min(PAGE_WIDTH, width * ncols), height * nrows)
    for ax in grid_axes.flat[len(setups):]:
        ax.set_visible(False)
    axes = np.array([list(grid_axes.flat[:len(setups)])])
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    image = None
    for ax, setup, (names, hours, grid) in zip(axes[0], setups, mats, strict=True):
        image = ax.imshow(100 * grid, aspect="auto", cmap=cmap, vmin=0, vmax=100, interpolation="nearest",
                          gid=f"heat:{setup}")
        ax.set_yticks(range(len(names)), names)
        ax.set_xticks(range(len(hours)), [hhmm(h) for h in hours], rotation=45)
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


@styled
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
    fig, axes = page_figure(1, 1, 10.0, 0.42 * len(names) + 1.8)
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
    ax.set_xticks(ticks, [hhmm(t) for t in ticks])
    ax.set_xlabel("time of day (h)")
    ax.set_ylabel("secretary")
    ax.grid(axis="y", visible=False)
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day % 7]
    ax.set_title(f"A day in the life: day {day} ({weekday}, week {day // 7})")
    ax.legend(handles=[Patch(color=c, label=k) for k, c in ACTIVITY_COLOURS.items()], loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return fig


__all__ = ["hourly_profile", "utilisation_matrix", "utilisation_heatmap", "activity_category", "day_segments",
           "default_day", "day_in_the_life"]
