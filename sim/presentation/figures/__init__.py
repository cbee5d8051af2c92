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

One module per subject: :mod:`~.style` (palette, style, :func:`save`), :mod:`~.tables` (the plain data read),
:mod:`~.kpis` (KPIs across setups and settings), :mod:`~.day` (the working day), :mod:`~.waits` (ECDFs of waits),
:mod:`~.sipp` (per interval), :mod:`~.business` (the business case), :mod:`~.calibration` (``sim calibrate``),
:mod:`~.uncertainty` (``sim uncertainty``), :mod:`~.roster` (``sim roster``'s coverage). Every figure is
importable from this package.

This is the top layer of the flow (config -> model -> metrics -> KPIs -> experiments -> figures/reports): it
reads only plain data; its intervals come from :mod:`sim.experiments.stats`, as the experiments' do.
"""

from __future__ import annotations

from sim.presentation.figures.business import (
    GAIN_LOSS_KPIS,
    gain_loss_figure,
    service_curve_figure,
    staffing_label,
    waterfall_figure,
)
from sim.presentation.figures.calibration import (
    calibration_figures,
)
from sim.presentation.figures.day import (
    activity_category,
    day_in_the_life,
    day_segments,
    default_day,
    hourly_profile,
    utilisation_heatmap,
    utilisation_matrix,
)
from sim.presentation.figures.kpis import (
    DEFAULT_COMPARE_KPIS,
    DEPARTMENT_LABELS,
    DEPARTMENT_METRICS,
    SWEEP_KPIS,
    department_view,
    paired_differences,
    service_level_curve,
    setup_comparison,
    sweep_effects,
)
from sim.presentation.figures.roster import coverage_figure
from sim.presentation.figures.sensitivity import SENSITIVITY_FIGURES, morris_figure, tornado
from sim.presentation.figures.sipp import (
    sipp_figure,
)
from sim.presentation.figures.style import (
    ACTIVITY_COLOURS,
    GAIN,
    LOSS,
    MAIL_TYPES,
    MARKERS,
    OKABE_ITO,
    PAGE_WIDTH,
    PALETTE,
    PARAM_LABELS,
    STYLE,
    TARGETS,
    NoData,
    save,
)
from sim.presentation.figures.tables import (
    is_share_kpi,
    kpi_label,
    mean_ci,
    num,
    records,
    setups_of,
    summarise,
)
from sim.presentation.figures.uncertainty import uncertainty_figure
from sim.presentation.figures.waits import (
    ECDF_DETAIL_SETUPS,
    WAIT_AXIS_FROM_SECONDS,
    ecdf_band,
    ecdf_points,
    wait_ecdf,
)

__all__ = ["OKABE_ITO", "PALETTE", "GAIN", "LOSS", "MARKERS", "ACTIVITY_COLOURS", "MAIL_TYPES", "TARGETS", "STYLE",
           "PARAM_LABELS", "NoData", "PAGE_WIDTH", "save", "records", "num", "is_share_kpi", "kpi_label",
           "mean_ci", "summarise", "setups_of", "service_level_curve", "SWEEP_KPIS", "sweep_effects",
           "DEPARTMENT_METRICS", "DEPARTMENT_LABELS", "paired_differences", "department_view",
           "DEFAULT_COMPARE_KPIS", "setup_comparison", "hourly_profile", "utilisation_matrix",
           "utilisation_heatmap", "activity_category", "day_segments", "default_day", "day_in_the_life",
           "ecdf_points", "ecdf_band", "WAIT_AXIS_FROM_SECONDS", "ECDF_DETAIL_SETUPS", "wait_ecdf", "sipp_figure",
           "GAIN_LOSS_KPIS", "staffing_label", "gain_loss_figure", "service_curve_figure", "waterfall_figure",
           "calibration_figures", "uncertainty_figure", "coverage_figure",
           "SENSITIVITY_FIGURES", "morris_figure", "tornado"]
