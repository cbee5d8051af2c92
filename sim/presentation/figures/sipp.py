"""The per-interval figure (SIPP): per half hour the offered load and the secretaries present, and the
simulated reachability beside the one the stationary per-interval approximation predicts.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
from matplotlib.figure import Figure

from sim.presentation.figures.style import (
    OKABE_ITO,
    PAGE_WIDTH,
    TARGETS,
    NoData,
    error_lengths,
    hhmm,
    page_figure,
    pct,
    styled,
)
from sim.presentation.figures.tables import num, records


# ------------------------------------------------------------------------------------- per interval (SIPP)
@styled
def sipp_figure(rows: Any, target: float | None = TARGETS["reachability"], title: str = "") -> Figure:
    """Per half hour: offered load, secretaries present and on calls (top), and the reachability that the
    stationary per-interval approximation (SIPP, Erlang A/C) predicts beside the simulated one with its 95%
    interval (bottom). ``rows`` from :func:`sim.experiments.sipp.sipp_rows`."""
    rows = records(rows)
    if not rows:
        raise NoData("sipp_figure: no rows")
    x = [num(r["start_minute"]) / 60 + 0.25 for r in rows]
    fig, axes = page_figure(2, 1, PAGE_WIDTH, 6.0, sharex=True)
    top, bottom = axes[0, 0], axes[1, 0]
    top.bar(x, [num(r["offered_load"]) for r in rows], width=0.45, color=OKABE_ITO["sky_blue"],
            label="offered load (Erlang: calls/h x talk h)", gid="offered_load")
    top.step([v - 0.25 for v in x] + [x[-1] + 0.25], [num(r["present"]) for r in rows] + [num(rows[-1]["present"])],
             where="post", color="black", label="secretaries present (mean)", gid="present")
    top.plot(x, [num(r["on_calls"]) for r in rows], color=OKABE_ITO["vermillion"], marker="o", ms=3,
             label="secretaries on calls (mean)", gid="on_calls")
    top.set_ylabel("secretaries / Erlang")
    top.legend(loc="upper left", bbox_to_anchor=(0, 1.28), ncols=2, fontsize=9)
    bottom.plot(x, [pct(num(r["sipp_service_level"])) for r in rows], color="black", marker="s", ms=4,
                label="SIPP: Erlang A per half hour", gid="sipp")
    means = [pct(num(r["simulated"])) for r in rows]
    errs = np.array([error_lengths(pct(num(r["simulated"])), pct(num(r["ci_low"])), pct(num(r["ci_high"])), 0, 100)
                     for r in rows]).T
    bottom.errorbar(x, means, yerr=errs if errs.any() else None, fmt="o", color=OKABE_ITO["blue"], ms=5,
                    capsize=2, label="simulated (mean, 95% CI)", gid="simulated")
    if target is not None:
        bottom.axhline(100 * target, color="grey", linestyle="--", linewidth=1.0,
                       label=f"norm {100 * target:.0f}%", gid="norm")
    lows = [v for v in [*(pct(num(r["ci_low"])) for r in rows), *means,
                        *(pct(num(r["sipp_service_level"])) for r in rows)] if math.isfinite(v)]
    floor = min([*lows, 100 * target if target is not None else 100.0])
    bottom.set_ylim(max(0.0, 10 * math.floor(floor / 10) - 5), 101)  # the range the points use, norm included
    bottom.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=100, decimals=0))
    bottom.set_ylabel("calls answered within norm (%)")
    bottom.legend(loc="lower left", fontsize=9)
    hours = sorted({int(v) for v in x})
    bottom.set_xticks(hours, [hhmm(h) for h in hours], rotation=45)
    bottom.set_xlabel("half hour of the day the call arrived")
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


__all__ = ["sipp_figure"]
