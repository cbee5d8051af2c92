"""The shareable report: one self-contained HTML page from a results folder.

A results folder is what ``sim run --out`` writes (one replication: ``summary.json``, ``config.resolved.yaml``
and the CSV tables) or what an experiment writes (``sim compare``, ``sim sweep``, ``sim staff``:
``manifest.json``, ``summary.json``, the tidy ``kpis.csv`` and ``tables/<table>.csv``). :func:`load_results`
reads either into one :class:`Results` of plain data; :func:`figures_for` draws the figures that fit it
(:mod:`sim.presentation.figures`); :func:`render_html` writes the page: what was compared, the KPIs with their 95%
intervals, the figures, the setups' assumptions (key numbers, and which come from a cited source and which are
assumed), and how the numbers were obtained (seeds, replications, days, version, config hashes).

The page needs no network: styles are inline and figures are embedded as base64 PNG. One module per job, each
importing only those above it in this list:

- :mod:`~sim.presentation.report.load`: what the folder says (read by :mod:`sim.experiments.results`): the KPIs
  summarised, the norms judged on, the results of other commands run into it;
- :mod:`~sim.presentation.report.sources`: the key inputs of a setup and the public sources behind them;
- :mod:`~sim.presentation.report.choose`: which figures a folder gets, with titles and captions;
- :mod:`~sim.presentation.report.html`: styles, escaping, tables and embedded figures;
- :mod:`~sim.presentation.report.business`: the business case's section (a staffing search);
- :mod:`~sim.presentation.report.page`: the whole page.
"""

from sim.experiments.results import Results, load_results, read_csv
from sim.presentation.report.business import business_section, gain_loss_table, roster_lines, roster_table
from sim.presentation.report.choose import FIGURE_KINDS, NamedFigure, figures_for, norms_caption
from sim.presentation.report.html import figure_png
from sim.presentation.report.load import (
    difference_summary,
    kpi_summary,
    norm_of,
    result_norm,
    roster_results,
    sensitivity_result,
    staff_targets,
    uncertainty_result,
)
from sim.presentation.report.page import render_html
from sim.presentation.report.sources import KEY_NUMBERS, KeyNumber, assumption_rows, field_description

__all__ = ["FIGURE_KINDS", "KEY_NUMBERS", "KeyNumber", "NamedFigure", "Results", "assumption_rows",
           "business_section", "difference_summary", "field_description", "figure_png", "figures_for",
           "gain_loss_table", "kpi_summary", "load_results", "norm_of", "norms_caption", "read_csv", "render_html",
           "result_norm", "roster_lines", "roster_results", "roster_table", "sensitivity_result", "staff_targets",
           "uncertainty_result"]
