"""What the experiment commands share: their options, how many replications, the closing line and JSON.

The experiment commands (``compare``, ``sweep``, ``staff``, ``sensitivity``) run replications in parallel on this
machine's cores by default (``--workers 1`` for one at a time, or on a Dask cluster with ``--scheduler
ADDRESS``), commit each finished replication to ``results.sqlite`` in the output folder, and write
``manifest.json``, ``summary.json``, ``kpis.csv``, ``summary.csv`` and ``tables/<table>.csv`` beside it. Running
the same command again with the same ``--out`` resumes: finished replications are not run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from sim.config import ConfigError
from sim.experiments.executors import default_workers, make_executor
from sim.experiments.experiment import DEFAULT_PRECISION_BUDGET, DEFAULT_REPLICATIONS
from sim.experiments.output import to_json
from sim.kpis import TABLE_KPIS


def experiment_options(func: Callable[..., Any] | None = None, *, precision: bool = True) -> Any:
    """Options of every experiment command: --replications, --workers, --scheduler, --batch-size
    (``@experiment_options(precision=False)`` for a command without --precision)."""
    if func is None:
        return lambda f: experiment_options(f, precision=precision)
    reps_help = f"Replications per setup (default {DEFAULT_REPLICATIONS}"
    reps_help += (f"; with --precision the most it may run, default {DEFAULT_PRECISION_BUDGET})." if precision
                  else ").")
    for option in reversed([
        click.option("--replications", "-r", type=click.IntRange(1, None), default=None, help=reps_help),
        click.option("--workers", "-w", type=click.IntRange(1, None), default=None,
                     help="Processes on this machine (default: one per core; 1 = one at a time)."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="Run on a Dask cluster at ADDRESS, e.g. tcp://127.0.0.1:8786 "
                          "(needs dask[distributed])."),
        click.option("--batch-size", type=click.IntRange(1, None), default=None,
                     help="Replications per task sent to a worker (default: 1 locally, automatic on Dask)."),
    ]):
        func = option(func)
    return func


def replication_count(requested: int | None, precision: str | None) -> int:
    """--replications, or its default (the budget when --precision adds replications)."""
    if requested is not None:
        return requested
    return DEFAULT_PRECISION_BUDGET if precision else DEFAULT_REPLICATIONS


def emit_json(data: dict[str, Any], folder: Path) -> None:
    """The ``--json`` answer of an experiment command: its summary and the folder."""
    data = dict(data)
    data["out"] = str(folder)
    click.echo(json.dumps(json.loads(to_json(data))))


def refresh_report(folder: Path, quiet: bool = False) -> None:
    """Bring an existing ``report.html`` up to date with the folder (imported here: figures need matplotlib)."""
    if (folder / "report.html").exists():
        from sim.cli.report import refresh_report as refresh

        refresh(folder, quiet)


def executor_note(workers: int | None, scheduler: str | None) -> str:
    """How the replications ran, for the closing line."""
    if scheduler:
        return f"on Dask at {scheduler}"
    n = workers or default_workers()
    return "one at a time" if n == 1 else f"in {n} processes"


class CountingExecutor:
    """The executor the options ask for, counting the replications it simulates: the "(N run now)" of the
    closing line (the others were found in the results store)."""

    def __init__(self, workers: int | None, scheduler: str | None, batch_size: int | None) -> None:
        self.inner = make_executor(workers, scheduler, batch_size)
        self.parallelism = self.inner.parallelism
        self.ran = 0

    def run(self, tasks: Sequence[Any]) -> Iterator[Any]:
        results = self.inner.run(tasks)
        try:
            for record in results:
                self.ran += 1
                yield record
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # a generator over a pool or a cluster cancels what is still pending

    def close(self) -> None:
        self.inner.close()


# ------------------------------------------------------------------------------------------ the tables
#: KPIs a sweep prints by default (one column each).
SWEEP_SHOWN = ["reachability", "calls_abandoned", "replaceability", "utilisation", "service_level.email"]


def shown_kpis(kpis: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """The KPIs a table prints: those chosen (``--kpi``, each checked), else the main ones."""
    if chosen:
        unknown = [k for k in chosen if k not in kpis]
        if unknown:
            raise ConfigError("--kpi", f"unknown KPI {unknown[0]!r}; see summary.csv for the names")
        return list(chosen)
    return [k for k in TABLE_KPIS if k in kpis] + [k for k in kpis if k.startswith("service_level.")]

__all__ = ["SWEEP_SHOWN", "CountingExecutor", "emit_json", "executor_note", "experiment_options", "refresh_report",
           "replication_count", "shown_kpis"]
