"""``sim sweep``: one config over the full grid of ``--vary`` values, with common random numbers. The
experiment is :func:`sim.experiments.experiment.sweep`, which writes the results folder; this command checks the
options, chooses the folder and prints one row per setting."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import scenario_options
from sim.cli.experiments import (
    SWEEP_SHOWN,
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
from sim.kpis import fmt_plus_minus


@click.command()
@click.argument("config", type=str)
@scenario_options
@experiment_options
@click.option("--vary", "vary", multiple=True, required=True, metavar="PATH=V1,V2,...",
              help="A config field and its values (repeatable: the full grid), e.g. "
                   "--vary dispatch.exchange.policy=none,idle,pool")
@click.option("--precision", metavar="KPI=REL", default=None, help="As for compare, over every setting.")
@click.option("--kpi", "kpis", multiple=True, metavar="NAME", help="KPIs to print (default: the main ones).")
def sweep(config: str, overrides: tuple[str, ...], seed: int | None, days: int | None, out: Path | None,
          overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
          scheduler: str | None, batch_size: int | None, vary: tuple[str, ...], precision: str | None,
          kpis: tuple[str, ...]) -> None:
    """Run CONFIG over the full grid of --vary values: a tidy table (kpis.csv, and kpis.parquet with pyarrow),
    one row per setting x replication x KPI, and the summary per setting."""
    pairs = [experiment.parse_vary(v) for v in vary]
    units = experiment.sweep_units(config, pairs, overrides, days, seed)  # to check the options first
    check_experiment([u.scenario for u in units], precision=precision, kpis=kpis, scheduler=scheduler)
    base = units[0].scenario.run.seed
    prec = parse_precision(precision)
    n = replication_count(replications, precision)
    folder = out if out is not None else choose_out_dir(None, f"sweep-{units[0].scenario.name}", overwrite)
    executor = CountingExecutor(workers, scheduler, batch_size)
    try:
        result = experiment.sweep(config, pairs, n, seed, overrides=overrides, days=days, out=folder,
                                  overwrite=overwrite, executor=executor, progress=False if as_json else None,
                                  precision=prec)
    finally:
        executor.close()
    refresh_report(folder, quiet=as_json)
    summary = result.summary()
    if as_json:
        emit_json(summary, folder)
        return
    shown = shown_kpis(result.kpi_names(), kpis or [k for k in SWEEP_SHOWN if k in result.kpi_names()])
    paths = [p for p, _ in pairs]
    head = "".join(f"{p.split('.')[-1][:18]:>19}" for p in paths) + "".join(f"{k[-20:]:>22}" for k in shown)
    click.echo(head)
    click.echo("-" * len(head))
    for s in summary["settings"]:
        line = "".join(f"{str(s['setting'][p])[:18]:>19}" for p in paths)
        line += "".join(f"{fmt_plus_minus(k, s['kpis'][k]):>22}" for k in shown)
        click.echo(line)
    click.echo("\nmean ±half-width of the 95% interval; every KPI per setting in summary.csv")
    click.echo(f"\n{len(units)} settings x {result.replications} replications, seed {base}, "
               f"{executor_note(workers, scheduler)} ({executor.ran} run now); results in {folder}/")


__all__ = ["sweep"]
