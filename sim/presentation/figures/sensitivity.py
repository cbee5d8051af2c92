"""What would flip the business case, drawn: the tornado of ``sim sensitivity`` (one parameter at a time) and the
Morris plot of its screening (all at once). The results come from :mod:`sim.decisions.sensitivity` and
:mod:`sim.decisions.screening`; ``sim sensitivity`` (and :func:`sim.decisions.studies.sensitivity` given
:data:`SENSITIVITY_FIGURES`) writes them as tornado.png and morris.png."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.decisions.sensitivity import fmt_break_even
from sim.experiments.output import plain_text


@plain_text()  # user text (names, labels) drawn as written, never as mathtext
def tornado(result: dict[str, Any], path: str | None = None) -> Any:
    """The tornado figure of the saving: one bar per parameter from its saving at the low to the high end,
    widest on top, the base saving and the article's 15% as lines. Sized for a page (6.5 in wide), text at
    least 9 pt."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["parameters"]
    base = 100 * result["base"]["saving"]
    goal = 100 * result["article_saving"]
    # one parameter: the height of two, or the legend below leaves tight_layout no room for the axes (a warning)
    fig, ax = plt.subplots(figsize=(6.5, 1.6 + 0.5 * max(len(rows), 2)), dpi=150)
    low_c, high_c = "#0072B2", "#E69F00"
    for i, r in enumerate(reversed(rows)):
        ends = sorted((("low", low_c), ("high", high_c)), key=lambda e: -abs(100 * r[f"saving_{e[0]}"] - base))
        for k, (end, colour) in enumerate(ends):  # the longer bar first, the shorter drawn over it, thinner
            v = 100 * r[f"saving_{end}"]
            ax.barh(i, v - base, left=base, color=colour, height=0.6 - 0.25 * k, edgecolor="white", linewidth=0.5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['label']}, {r['low']:g} .. {r['high']:g}\nbreak-even: {fmt_break_even(r['break_even'])}"
                        for r in reversed(rows)], fontsize=9)
    ax.axvline(base, color="black", linewidth=1)
    ax.axvline(goal, color="#D55E00", linestyle="--", linewidth=1.2)
    against = "today's staffing" if result.get("baseline") == "config" else "both at least staffing"
    ax.set_xlabel(f"saving of {result['alternative']} against {result['reference']} (%, {against})", fontsize=10)
    ax.tick_params(axis="x", labelsize=9)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation

    ax.legend(handles=[Patch(color=low_c, label="low end of range"), Patch(color=high_c, label="high end"),
                       Line2D([], [], color="black", label=f"config's values ({base:.1f}%)"),
                       Line2D([], [], color="#D55E00", linestyle="--", label=f"article's {goal:.0f}%")],
              fontsize=9, loc="upper center", bbox_to_anchor=(0.5, 0),  # 0.45 in below the axes: under the label
              bbox_transform=ax.transAxes + ScaledTranslation(0, -0.45, fig.dpi_scale_trans),
              ncol=2, frameon=False)
    ax.set_title("What moves the saving (one parameter at a time)", fontsize=11)
    fig.tight_layout()
    if path:
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
    return fig


#: Where a point's label may go, in order of preference: offset (points) and alignment.
_PLACES = ((6, 5, "left", "bottom"), (6, -5, "left", "top"), (-6, 5, "right", "bottom"), (-6, -5, "right", "top"),
           (0, 9, "center", "bottom"), (0, -9, "center", "top"), (10, 16, "left", "bottom"),
           (-10, 16, "right", "bottom"), (10, -16, "left", "top"), (-10, -16, "right", "top"),
           (14, 28, "left", "bottom"), (-14, 28, "right", "bottom"), (14, -28, "left", "top"),
           (-14, -28, "right", "top"))


def _labels(fig: Any, ax: Any, at: dict[tuple[float, float], list[str]]) -> None:
    """Label each point at the first place (:data:`_PLACES`) where the label overlaps no other label or point
    and stays inside the axes, or else where it overlaps least. A label set off by more than a point's width
    gets a thin line to its point."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    marks = [tuple(ax.transData.transform(xy)) for xy in at]
    taken: list[Any] = []

    def clash(box: Any, own: tuple[float, float]) -> float:
        """How badly ``box`` is placed: area over other labels, points under it, and area outside the axes."""
        def over(a: Any, b: Any) -> float:
            return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
        inside = over(box, frame)
        hidden = sum(box.x0 - 4 <= x <= box.x1 + 4 and box.y0 - 4 <= y <= box.y1 + 4 for x, y in marks
                     if (x, y) != own)
        return sum(over(box, t) for t in taken) + 200 * hidden + (box.width * box.height - inside)

    for (m, s), names in at.items():
        own = tuple(ax.transData.transform((m, s)))
        best: tuple[float, Any] | None = None
        for dx, dy, ha, va in _PLACES:
            far = abs(dx) > 6 or abs(dy) > 9
            ann = ax.annotate(", ".join(names), (m, s), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                              fontsize=9, zorder=4,
                              bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                              arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.6} if far else None)
            score = clash(ann.get_window_extent(renderer), own)
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, ann)
            else:
                ann.remove()
            if score == 0:
                break
        assert best is not None
        taken.append(best[1].get_window_extent(renderer))


@plain_text()  # user text (names, labels) drawn as written, never as mathtext
def morris_figure(result: dict[str, Any], path: str | None = None, title: str = "") -> Any:
    """The classic Morris plot of the saving: mu* (importance) against sigma (interaction or non-linearity),
    one labelled point per parameter with mu*'s interval, and the line sigma = mu*. Percentage points of the
    saving across a parameter's range. Sized for a page (6.5 in wide), text at least 9 pt."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows_ = result["parameters"]
    mu_star = [100 * r["mu_star"] for r in rows_]
    sigma = [100 * (r["sigma"] or 0.0) for r in rows_]
    conf = [100 * (r["mu_star_conf"] or 0.0) for r in rows_]
    fig, ax = plt.subplots(figsize=(6.5, 5.0), dpi=150)
    level = round(100 * result.get("confidence", 0.95))
    ax.errorbar(mu_star, sigma, xerr=conf, fmt="o", color="#0072B2", ecolor="#9ecae1", elinewidth=2, capsize=3,
                markersize=6, zorder=5, label=f"parameter, {level}% bootstrap interval of mu*")
    top = max([*mu_star, *sigma, *(m + c for m, c in zip(mu_star, conf, strict=True)), 1e-9]) * 1.15
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="sigma = mu*")
    ax.set_xlim(-0.04 * top, top)
    # sigma is often far below mu* (effects of one sign): the y-axis fits the points, not the diagonal, so
    # that points with small sigma are not squeezed onto one line where their labels collide
    ytop = max(1.6 * max(sigma, default=0.0), 0.15 * top, 1e-9)
    ax.set_ylim(-0.12 * ytop, ytop)  # room for labels under points with no spread
    ax.set_xlabel("mu*: mean absolute effect on the saving across the range (percentage points)", fontsize=10)
    ax.set_ylabel("sigma: spread of the effects (percentage points)", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.grid(True, color="#eeeeee", zorder=0)
    ax.legend(fontsize=9, loc="best", frameon=False)
    n = result["design_points"]
    ax.set_title(title or f"Morris screening of the saving ({result['trajectories']} trajectories, {n} points)",
                 fontsize=11)
    fig.tight_layout()  # the axes' final place first: labels are placed in display coordinates
    at: dict[tuple[float, float], list[str]] = {}  # parameters at the same place share one label
    for r, m, s in zip(rows_, mu_star, sigma, strict=True):
        at.setdefault((round(m, 6), round(s, 6)), []).append(r["parameter"])
    _labels(fig, ax, at)
    if path:
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
    return fig


#: The figures of a sensitivity folder, by the name :func:`sim.decisions.studies.sensitivity` draws them under.
SENSITIVITY_FIGURES: dict[str, Callable[[dict[str, Any]], Any]] = {"tornado": tornado, "morris": morris_figure}

__all__ = ["SENSITIVITY_FIGURES", "morris_figure", "tornado"]
