"""The figures' one style: the Okabe-Ito palette (safe for colour-blind readers), the matplotlib settings
every figure is built in, the page width, small axis helpers, and :func:`save` (PNG and SVG, written then
renamed).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
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

from sim.experiments.output import FIGURE_TEXT
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


#: Width of a figure meant for a page (inches): at the report's 110 dpi it is 880 pixels, shown at natural size
#: in the report's column, so 9-point text stays 9 points.
PAGE_WIDTH = 8.0


def styled(func: F) -> F:
    """Build the figure inside the shared style."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE):
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def page_figure(nrows: int, ncols: int, width: float, height: float, **kw: Any) -> tuple[Figure, np.ndarray]:
    """A figure at most :data:`PAGE_WIDTH` wide, so that the report shows it at its own size."""
    fig = Figure(figsize=(min(width, PAGE_WIDTH), height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def percent_axis(ax: Axes, axis: str = "y") -> None:
    fmt = matplotlib.ticker.PercentFormatter(xmax=100, decimals=None)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def pct(x: float) -> float:
    return 100 * x if math.isfinite(x) else math.nan


def error_lengths(mean: float, low: float, high: float, lo: float = -math.inf, hi: float = math.inf,
         ) -> tuple[float, float]:
    """Error-bar lengths below and above ``mean``, with the interval clipped to the possible range [lo, hi]
    (zero when there is no interval)."""
    if not (math.isfinite(mean) and math.isfinite(low) and math.isfinite(high)):
        return 0.0, 0.0
    return max(0.0, mean - max(low, lo)), max(0.0, min(high, hi) - mean)


def pct_bars(vals: Mapping[str, Mapping[str, float]], keys: Sequence[str], lo: float, hi: float,
              ) -> tuple[list[float], np.ndarray | None]:
    """Means (in percent) of ``vals[key]`` summaries for each key, and their error bars clipped to [lo, hi]
    (None when no key has an interval)."""
    means = [pct(vals[k]["mean"]) if k in vals else math.nan for k in keys]
    errs = np.array([error_lengths(pct(vals[k]["mean"]), pct(vals[k]["ci_low"]), pct(vals[k]["ci_high"]), lo, hi)
                     if k in vals else (0.0, 0.0) for k in keys]).T
    return means, (errs if errs.any() else None)


def clip(values: Sequence[float], lo: float, hi: float) -> list[float]:
    return [min(max(v, lo), hi) if math.isfinite(v) else v for v in values]


def hhmm(hour: float) -> str:
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


__all__ = ["OKABE_ITO", "PALETTE", "GAIN", "LOSS", "MARKERS", "ACTIVITY_COLOURS", "MAIL_TYPES", "TARGETS", "STYLE",
           "PARAM_LABELS", "NoData", "PAGE_WIDTH", "styled", "page_figure", "percent_axis", "pct", "error_lengths",
           "pct_bars", "clip", "hhmm", "save"]
