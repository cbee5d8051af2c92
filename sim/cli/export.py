"""``sim export``: a results folder as one Excel workbook (:func:`sim.data.export.export`)."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import OUT_PATH
from sim.config import ConfigError
from sim.data.export import export as write_workbook
from sim.experiments.output import check_target


@click.command("export")
@click.argument("results", type=click.Path(path_type=Path))
@click.argument("out", type=OUT_PATH, required=False)
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def export(results: Path, out: Path | None, overwrite: bool) -> None:
    """Write the results folder RESULTS as one Excel workbook OUT (default: RESULTS/results.xlsx): KPIs with
    their intervals, differences, and every table, with the mean per setup."""
    out = out or results / "results.xlsx"
    if out.suffix.lower() != ".xlsx":
        raise ConfigError(str(out), "the workbook's name must end in .xlsx")
    check_target(out, overwrite, "OUT")  # before the folder is read: an unwritable OUT is bad input (exit 2)
    sheets = write_workbook(results, out)
    click.echo(f"wrote {out}: {len(sheets)} sheets ({', '.join(sheets)})")


__all__ = ["export"]
