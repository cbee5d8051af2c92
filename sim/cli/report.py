"""``sim report``: the shareable HTML page of a results folder that ``sim run --out``, ``sim compare``, ``sim
sweep`` or ``sim staff`` wrote (:func:`sim.presentation.report.load_results`); it does not simulate."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import OUT_PATH
from sim.config import ConfigError
from sim.experiments.output import check_target, write_text
from sim.presentation.report import figures_for, load_results, render_html

results_argument = click.argument("results", type=click.Path(path_type=Path))
day_option = click.option("--day", type=click.IntRange(0, None), default=None,
                    help="Calendar day for the day-in-the-life timeline (minute // 1440; default: the last "
                         "day with calls).")
baseline_option = click.option("--baseline", default=None, metavar="SETUP",
                         help="Setup the others are compared with (default: the first).")


@click.command("report")
@results_argument
@click.option("--out", type=OUT_PATH, default=None,
              help="HTML file to write (default: RESULTS/report.html).")
@click.option("--overwrite", is_flag=True, help="Replace an existing report file.")
@day_option
@baseline_option
def report(results: Path, out: Path | None, overwrite: bool, day: int | None, baseline: str | None) -> None:
    """Write one self-contained HTML page for RESULTS (a run, compare, sweep or staff folder)."""
    res = load_results(results)
    # RESULTS/report.html is derived from the folder, so it is simply brought up to date; another file
    # given with --out is only replaced when asked
    target = out if out is not None else results / "report.html"
    check_target(target, overwrite or out is None, "--out")  # before the figures are drawn
    check_baseline(res.setups, baseline)
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


def check_baseline(setups: list[str], baseline: str | None) -> None:
    if baseline is not None and baseline not in setups:
        raise ConfigError("--baseline", f"no setup {baseline!r}; setups: {', '.join(setups)}")


__all__ = ["baseline_option", "check_baseline", "day_option", "refresh_report", "report", "results_argument"]
