"""The figure of ``sim roster``: per group, the secretaries the roster has present per half hour against the
requirement (the queueing theory's and the one corrected by simulation).
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from sim.decisions.rostering.requirements import SLOT, Requirements
from sim.decisions.rostering.solver import Roster
from sim.experiments.output import atomic_path, plain_text


def coverage_figure(path: Path, roster: Roster, req: Requirements, theory: Requirements) -> Path:
    """Per group (a cluster, a department, or a cover ring with its departments beside it): the requirement
    (theory and corrected) and the secretaries present per half hour (the fewest over the weekdays, and the
    mean), written as ``path`` (PNG, 110 dpi) by ``sim roster``."""
    with plain_text():  # names drawn as written ($ is not maths)
        # a row per top unit (cluster, department, cover ring), the ring's departments beside it
        rows = [[u, *req.rings.get(u, ())] for u in req.top_units if u in roster.coverage]
        ncols = max(len(r) for r in rows)
        fig = Figure(figsize=(8 if ncols == 1 else 4 * ncols, 2.2 * len(rows) + 0.9))
        axes = fig.subplots(len(rows), ncols, sharex=True, squeeze=False)
        x = [s * SLOT / 60 for s in req.slots] + [(req.slots[-1] + 1) * SLOT / 60]
        for i, row in enumerate(rows):
            for j in range(ncols):
                ax = axes[i, j]
                if j >= len(row):
                    ax.set_axis_off()
                    continue
                g = row[j]
                days = roster.coverage[g]
                low = [min(days[d][k] for d in days) / SLOT for k in range(len(req.slots))]
                mean = [sum(days[d][k] for d in days) / len(days) / SLOT for k in range(len(req.slots))]
                ax.stairs(theory.need[g], x, label="required (SIPP)" if j == 0 else "required (theory: own desk)",
                          color="0.6", linestyle="--")
                ax.stairs(req.need[g], x, label="required (corrected by simulation)", color="C3")
                ax.stairs(low, x, label="present (fewest over weekdays)", color="C0")
                ax.stairs(mean, x, label="present (mean over weekdays)", color="C0", alpha=0.4)
                if len(row) == 1:
                    ax.set_ylabel(g)
                else:
                    ax.set_title(f"{g} (own secretaries)" if j else "cover ring: " + " + ".join(row[1:]),
                                 fontsize=8)
                    if j == 0:
                        ax.set_ylabel("present")
                ax.yaxis.get_major_locator().set_params(integer=True)
                ax.set_ylim(bottom=0)
                ax.grid(alpha=0.3)
            if i == len(rows) - 1:
                for ax in axes[i, :len(row)]:
                    ax.set_xlabel("hour of day")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        height = fig.get_figheight()  # the title and the legend take the top 0.8 inch
        fig.suptitle("Secretaries present per half hour against the requirement", fontsize=10,
                     y=1 - 0.12 / height)
        fig.legend(handles, labels, fontsize=7, loc="upper center", ncol=4, bbox_to_anchor=(0.5, 1 - 0.38 / height),
                   frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / height))
        with atomic_path(path.parent, path.name) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
    return path


__all__ = ["coverage_figure"]
