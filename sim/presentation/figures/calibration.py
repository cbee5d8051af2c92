"""Figures of a calibration (``sim calibrate``): arrivals over the day observed against the fitted profile,
a QQ plot per fitted duration, and the Kaplan-Meier curve of caller patience against the fits. They draw
the plain data of :func:`sim.data.calibration.figure_data`; the command writes them beside report.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from sim.experiments.output import atomic_path, plain_text


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


__all__ = ["calibration_figures"]
