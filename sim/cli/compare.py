"""``sim compare``: setups on the same replications (common random numbers), each KPI with its 95% interval
and each setup's paired difference against the first. The experiment is :func:`sim.experiments.experiment.compare`,
which writes the results folder; this command checks the options, chooses the folder and prints the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sim.cli.common import load, scenario_options
from sim.cli.experiments import (
    CountingExecutor,
    emit_json,
    executor_note,
    experiment_options,
    refresh_report,
    replication_count,
    shown_kpis,
)
from sim.cli.preflight import check_experiment, parse_precision
from sim.experiments import experiment
from sim.experiments.output import choose_out_dir
from sim.kpis import fmt_interval


@click.command()
@click.argument("configs", nargs=-1, required=True, type=str)
@scenario_options
@experiment_options
@click.option("--precision", metavar="KPI=REL", default=None,
              help="Add replications until KPI's 95% interval half-width is at most REL x its mean, for "
                   "every setup (Hoad, Robinson & Davies 2010), e.g. reachability=0.01.")
def compare(configs: tuple[str, ...], overrides: tuple[str, ...], seed: int | None, days: int | None,
            out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
            scheduler: str | None, batch_size: int | None, precision: str | None) -> None:
    """Compare setups on the same replications (common random numbers): every KPI with its 95% interval,
    and each setup's paired difference against the first."""
    scenarios = [load(c, overrides, days, seed) for c in configs]
    check_experiment(scenarios, precision=precision, scheduler=scheduler)
    base = scenarios[0].run.seed if seed is None else seed
    prec = parse_precision(precision)
    n = replication_count(replications, precision)
    names = experiment.setup_names(scenarios)
    folder = out if out is not None else choose_out_dir(None, "compare-" + "-vs-".join(names), overwrite)
    executor = CountingExecutor(workers, scheduler, batch_size)
    try:
        result = experiment.compare(scenarios, n, base, out=folder, overwrite=overwrite, executor=executor,
                                    progress=False if as_json else None, precision=prec, config_paths=configs)
    finally:
        executor.close()
    refresh_report(folder, quiet=as_json)
    summary = result.summary()
    if as_json:
        emit_json(summary, folder)
        return
    _print_compare(result, summary)
    click.echo(f"\n{result.replications} replications per setup, seed {base}, "
               f"{executor_note(workers, scheduler)} ({executor.ran} run now); results in {folder}/")


def _print_compare(result: experiment.ExperimentResult, summary: dict[str, Any]) -> None:
    setups = summary["setups"]
    names = list(setups)
    kpis = shown_kpis(result.kpi_names(), ())
    width = 28
    head = f"{'KPI':<30}" + "".join(f"{n[:width]:>{width}}" for n in names)
    diffs = summary["differences"]
    head += "".join(f"{(n + ' - ' + names[0])[:width + 4]:>{width + 4}}" for n in names[1:])
    click.echo(head)
    click.echo("-" * len(head))
    for k in kpis:
        line = f"{k[:29]:<30}" + "".join(f"{fmt_interval(k, setups[n][k]):>{width}}" for n in names)
        for n in names[1:]:
            d = diffs[n][k]
            mark = " *" if d.get("significant") else "  "
            line += f"{fmt_interval(k, d) + mark:>{width + 4}}"
        click.echo(line)
    click.echo("\nmean [95% interval]; * = the paired difference is significant (its interval excludes 0)")
    prec = summary.get("precision")
    if prec:
        state = "reached" if prec["reached"] else "NOT reached within the budget"
        click.echo(f"precision {prec['kpi']} <= {prec['target_relative_half_width']:g} x mean: {state} "
                   f"(solution per setup: {prec['solution']})")


__all__ = ["compare"]
