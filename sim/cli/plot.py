"""``sim plot``: the figures of a results folder as PNG and SVG (or PDF) files; it does not simulate."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import OUT_PATH
from sim.cli.report import baseline_option, check_baseline, day_option, results_argument
from sim.config import ConfigError
from sim.experiments.output import claim_folder
from sim.presentation.figures import save
from sim.presentation.report import FIGURE_KINDS, figures_for, load_results


@click.command("plot")
@click.argument("kind", type=click.Choice([*FIGURE_KINDS, "all"]), metavar="KIND")
@results_argument
@click.option("--out", type=OUT_PATH, default=None,
              help="Folder for the figures (default: RESULTS/figures).")
@click.option("--overwrite", is_flag=True, help="Allow writing into a non-empty --out folder.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["png", "svg", "pdf"]),
              default=("png", "svg"), show_default=True, help="File formats (repeatable).")
@click.option("--x", default=None, metavar="COLUMN",
              help="Swept column for the service-level figure (default: the first setting column).")
@day_option
@baseline_option
def plot(kind: str, results: Path, out: Path | None, overwrite: bool, formats: tuple[str, ...], x: str | None,
         day: int | None, baseline: str | None) -> None:
    """Draw figure KIND of RESULTS as PNG and SVG files.

    KIND is one of: compare, service-level, hourly, sipp, ecdf, utilisation, departments, day, or all.
    """
    res = load_results(results)
    check_baseline(res.setups, baseline)
    if x is not None and x not in res.settings and not any(x in r for r in res.kpis[:1]):
        known = ", ".join(res.settings) or "none"
        raise ConfigError(str(results), f"--x: no column {x!r}; setting columns: {known}")
    figs = figures_for(res, None if kind == "all" else [kind], day=day, x=x, baseline=baseline)
    if not figs:
        raise ConfigError(str(results), f"no {kind} figure for a {res.kind} folder (service-level needs a "
                                        "sweep or staff folder, compare two setups, day an event log)")
    folder = click.get_current_context().with_resource(
        claim_folder(out if out is not None else results / "figures", "figures", overwrite))
    for nf in figs:
        for path in save(nf.figure, folder, nf.name, formats):
            click.echo(str(path))


__all__ = ["plot"]
