"""The figure of ``sim uncertainty``: the saving over the input points (a Latin hypercube of the uncertain
inputs), one empirical distribution function per alternative with its combined interval, against the goal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.experiments.output import plain_text


@plain_text()  # user text (names, labels) drawn as written, never as mathtext
def uncertainty_figure(result: Mapping[str, Any]) -> Figure:
    """The saving over the input points: one empirical CDF per alternative, the combined interval as a band,
    the estimate and the goal (15%) as lines; P(saving >= goal) in the legend. ``result`` as
    :func:`sim.decisions.uncertainty.uncertainty` returns it (``sim uncertainty`` writes it as uncertainty.png)."""
    fig = Figure(figsize=(6.5, 3.6), dpi=150)
    ax = fig.subplots()
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
    goal = 100 * result["goal"]
    handles = []
    for k, (name, s) in enumerate(result["setups"].items()):
        sv = s["saving"]
        xs = sorted(100 * v for v in sv.get("point_answers", []))
        if not xs:
            continue
        c = colours[k % len(colours)]
        ys = [(i + 1) / len(xs) for i in range(len(xs))]
        ax.step([xs[0], *xs], [0.0, *ys], where="post", color=c, linewidth=1.6)
        lo, hi = sv["interval"]
        ax.axvspan(100 * lo, 100 * hi, color=c, alpha=0.12)
        ax.axvline(100 * sv["estimate"], color=c, linewidth=1, linestyle=":")
        p = sv.get("p_reaches_goal")
        handles.append(Line2D([], [], color=c, linewidth=1.6,
                              label=f"{name}: {100 * sv['estimate']:.1f}% at the config's values, "
                                    f"interval {100 * lo:.1f} .. {100 * hi:.1f}%"
                                    + ("" if p is None else f", P(>= {goal:.0f}%) = {100 * p:.0f}%")))
    ax.axvline(goal, color="#D55E00", linestyle="--", linewidth=1.2)
    handles.append(Line2D([], [], color="#D55E00", linestyle="--", label=f"article's {goal:.0f}%"))
    against = "today's staffing" if result["baseline"] == "config" else "least staffing"
    ax.set_xlabel(f"saving against {result['reference']} ({against}), %", fontsize=10)
    ax.set_ylabel("share of input points", fontsize=10)
    ax.set_ylim(0, 1.02)
    ax.tick_params(labelsize=9)
    ax.set_title(f"Saving under input uncertainty ({result['points']} input points, Latin hypercube)", fontsize=11)
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    fig.tight_layout()
    return fig


__all__ = ["uncertainty_figure"]
