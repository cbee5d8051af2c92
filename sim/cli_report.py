"""Commands ``sim report`` and ``sim plot``: the shareable HTML page and the figures of a results folder.

Both read a folder that ``sim run --out``, ``sim compare``, ``sim sweep`` or ``sim staff`` wrote
(:func:`sim.report.load_results`); neither simulates.
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.config import ConfigError
from sim.figures import save
from sim.output import choose_out_dir, write_text
from sim.preflight import check_results_folder
from sim.report import FIGURE_KINDS, figures_for, load_results, render_html

_results = click.argument("results", type=click.Path(path_type=Path))
_day = click.option("--day", type=click.IntRange(0, None), default=None,
                    help="Calendar day for the day-in-the-life timeline (minute // 1440; default: the last "
                         "day with calls).")
_baseline = click.option("--baseline", default=None, metavar="SETUP",
                         help="Setup the others are compared with (default: the first).")


@click.command("report")
@_results
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="HTML file to write (default: RESULTS/report.html).")
@click.option("--overwrite", is_flag=True, help="Replace an existing report file.")
@_day
@_baseline
def report(results: Path, out: Path | None, overwrite: bool, day: int | None, baseline: str | None) -> None:
    """Write one self-contained HTML page for RESULTS (a run, compare, sweep or staff folder)."""
    check_results_folder(results)
    res = load_results(results)
    # RESULTS/report.html is derived from the folder, so it is simply brought up to date; another file
    # given with --out is only replaced when asked
    target = out if out is not None else results / "report.html"
    if out is not None and target.exists() and not overwrite:
        raise ConfigError(str(target), "the report exists; choose another --out or pass --overwrite")
    _check_baseline(res.setups, baseline)
    page = render_html(res, figures_for(res, day=day, baseline=baseline), baseline)
    write_text(target.parent, target.name, page)
    click.echo(f"{target} ({len(page) / 1e6:.1f} MB): {res.kind} of {', '.join(res.setups)}")


def refresh_report(folder: Path, quiet: bool = False) -> Path | None:
    """Rewrite ``folder/report.html`` if there is one, so that a report never lags behind its folder (an
    experiment resumed with more replications refreshes it). Returns the report's path, or None."""
    target = folder / "report.html"
    if not target.exists():
        return None
    res = load_results(folder)
    write_text(folder, "report.html", render_html(res, figures_for(res)))
    if not quiet:
        click.echo(f"{target} refreshed with {res.kind} results now in the folder", err=True)
    return target


@click.command("plot")
@click.argument("kind", type=click.Choice([*FIGURE_KINDS, "all"]), metavar="KIND")
@_results
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the figures (default: RESULTS/figures).")
@click.option("--overwrite", is_flag=True, help="Allow writing into a non-empty --out folder.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["png", "svg", "pdf"]),
              default=("png", "svg"), show_default=True, help="File formats (repeatable).")
@click.option("--x", default=None, metavar="COLUMN",
              help="Swept column for the service-level figure (default: the first setting column).")
@_day
@_baseline
def plot(kind: str, results: Path, out: Path | None, overwrite: bool, formats: tuple[str, ...], x: str | None,
         day: int | None, baseline: str | None) -> None:
    """Draw figure KIND of RESULTS as PNG and SVG files.

    KIND is one of: compare, service-level, hourly, sipp, ecdf, utilisation, departments, day, or all.
    """
    check_results_folder(results)
    res = load_results(results)
    _check_baseline(res.setups, baseline)
    if x is not None and x not in res.settings and not any(x in r for r in res.kpis[:1]):
        known = ", ".join(res.settings) or "none"
        raise ConfigError(str(results), f"--x: no column {x!r}; setting columns: {known}")
    figs = figures_for(res, None if kind == "all" else [kind], day=day, x=x, baseline=baseline)
    if not figs:
        raise ConfigError(str(results), f"no {kind} figure for a {res.kind} folder (service-level needs a "
                                        "sweep or staff folder, compare two setups, day an event log)")
    folder = choose_out_dir(out if out is not None else results / "figures", "figures", overwrite)
    for nf in figs:
        for path in save(nf.figure, folder, nf.name, formats):
            click.echo(str(path))


def _check_baseline(setups: list[str], baseline: str | None) -> None:
    if baseline is not None and baseline not in setups:
        raise ConfigError("--baseline", f"no setup {baseline!r}; setups: {', '.join(setups)}")
