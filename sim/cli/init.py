"""``sim init``: a commented scenario for the user's sector that runs as written (:mod:`sim.data.init`)."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import OUT_PATH
from sim.config import ConfigError, parse_scenario
from sim.config.loading import load_raw
from sim.data.init import check_name, parse_departments, plan, roster_paths, scenario_text, write_roster


@click.command("init")
@click.argument("out", type=OUT_PATH)
@click.option("--departments", required=True, metavar="NAME:STAFF,...",
              help="Departments and their staff, e.g. \"Stedenbouw:60,Verkeer:40,Groen:35\".")
@click.option("--secretaries", type=click.IntRange(1, 10_000), default=None, help="Number of full-time secretaries.")
@click.option("--fte", type=click.FloatRange(0.2, 10_000), default=None,
              help="Secretary FTE (the remainder becomes a part-timer). Default: 12 FTE per 450 staff.")
@click.option("--clusters", type=click.IntRange(1, 100), default=3, show_default=True,
              help="Clusters of the central setup (departments spread by staff).")
@click.option("--setup", type=click.Choice(["central", "decentralised"]), default="central", show_default=True)
@click.option("--name", default=None, help="Scenario name (default: the file's name).")
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="Also write the roster as a spreadsheet (XLSX with Departments, Secretaries and a Help sheet; or "
                   "CSV: two files) with every column, competences included, and make the config read it "
                   "(organisation.departments_file and secretaries_file).")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def init(out: Path, departments: str, secretaries: int | None, fte: float | None, clusters: int, setup: str,
             name: str | None, roster: Path | None, overwrite: bool) -> None:
    """Write a commented scenario OUT.yaml for your sector; it runs as written (sim run OUT.yaml).

    It has every section, costs included (labelled ASSUMPTION where no source gives a figure). The roster is
    written in the config, or with --roster in a spreadsheet the config names (organisation.departments_file,
    secretaries_file; a roster you already keep in a spreadsheet can be named there too)."""
    import os

    if os.path.lexists(out) and not overwrite:  # a dangling link or a loop is there too
        raise ConfigError(str(out), "exists; choose another name or pass --overwrite")
    if os.path.isdir(out):
        raise ConfigError(str(out), "is a folder; give the name of the config file to write")
    p = plan(check_name(name, "--name") if name is not None else out.stem, parse_departments(departments), setup,
             clusters, secretaries, fte)
    if roster is not None:
        for target in roster_paths(roster):
            if os.path.lexists(target) and not overwrite:
                raise ConfigError(str(target), "exists; choose another name or pass --overwrite")
    out.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if roster is not None:
            written = write_roster(p, roster)
            rel = [os.path.relpath(w.resolve(), out.resolve().parent).replace(os.sep, "/") for w in written]
            text = scenario_text(p, rel)
        else:
            text = scenario_text(p)
        tmp.write_text(text, encoding="utf-8")
        try:
            scenario = parse_scenario(load_raw(tmp), str(out))  # what is written must run (roster paths: from OUT)
        except ConfigError as err:  # named as OUT: the temporary file is ours, not the user's
            where = f"{err.field}: " if err.field else ""
            raise ConfigError(str(out), f"{where}{err.message}") from None
        tmp.replace(out)  # with --overwrite, a link at OUT is replaced, never the file it points to
    except BaseException:
        tmp.unlink(missing_ok=True)
        for w in written:
            w.unlink(missing_ok=True)
        raise
    click.echo(f"wrote {out}: {setup}, {len(p.departments)} departments, {len(p.secretaries)} secretaries, "
               f"{scenario.fte():.2f} FTE. Run it: sim run {out}")
    if written:
        click.echo(f"roster: {', '.join(str(w) for w in written)} (edit the people there)")


__all__ = ["init"]
