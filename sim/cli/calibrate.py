"""``sim calibrate``: a config's demand estimated from a telephony export and a task log
(:mod:`sim.data.calibration`), its figures drawn by :mod:`sim.presentation.figures`."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import OUT_PATH
from sim.config import ConfigError, load_data, one_line, overridden_part, parse_extending, parse_scenario
from sim.data.calibration import calibrate as estimate
from sim.data.calibration import (
    calibrated_config,
    calibrated_data,
    calibration_json,
    demand_yaml,
    figure_data,
    fmt_estimate,
    parse_mapping,
    read_calls,
    read_meetings,
    read_table,
    read_tasks,
    read_type_map,
    report_markdown,
)
from sim.experiments.output import claim_folder, clear_files, write_json, write_text
from sim.presentation.figures import calibration_figures

#: What sim calibrate writes into its folder: --overwrite removes these first, so that no figure of an earlier
#: calibration is taken for this one's.
CALIBRATION_FILES = ("demand.yaml", "calibrated.yaml", "report.md", "calibration.json", "measured.csv",
                     "profile_*.png", "qq_*.png", "patience.png")


def clear_calibration(folder: Path) -> None:
    clear_files(folder, CALIBRATION_FILES)


@click.command("calibrate")
@click.argument("config", type=str)
@click.option("--calls", "calls_file", type=click.Path(path_type=Path), default=None,
              help="Telephony export (CSV, XLSX or Parquet): one row per call. A request log holds both.")
@click.option("--tasks", "tasks_file", type=click.Path(path_type=Path), default=None,
              help="Task log: one row per ticket or letter (default: the task rows of --calls, if it has any).")
@click.option("--sheet", default=None, help="Sheet of an XLSX file (default: the first).")
@click.option("--map", "mapping", multiple=True, metavar="SECTION.KEY=COLUMN",
              help="Column names and values, e.g. --map calls.talk=Gespreksduur --map calls.talk_unit=seconds "
                   "(or minutes, hours, excel, mm:ss, h:mm:ss, h:mm; default auto: "
                   "from the column's name and values) --map tasks.type.E-mail=email "
                   "--map calls.answered='Beantwoord|Ja' (repeatable).")
@click.option("--type-map", "type_map", type=click.Path(path_type=Path), default=None,
              help="A mapping table (CSV or XLSX): the export's task label in the first column, the config's type "
                   "in the second (as --map tasks.type.LABEL=TYPE).")
@click.option("--slot-minutes", type=click.FloatRange(1, 240), default=30.0, show_default=True,
              help="Width of a profile slot.")
@click.option("--days", type=click.IntRange(1, None), default=None,
              help="Working days the logs cover (default: counted from the first to the last date).")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a config field.")
@click.option("--out", type=OUT_PATH, default=None, help="Output folder (default: results/...).")
@click.option("--overwrite", is_flag=True, help="Allow writing into a non-empty --out folder.")
def calibrate(config: str, calls_file: Path | None, tasks_file: Path | None, sheet: str | None,
                  mapping: tuple[str, ...], type_map: Path | None, slot_minutes: float, days: int | None,
                  overrides: tuple[str, ...],
                  out: Path | None, overwrite: bool) -> None:
    """Estimate CONFIG's demand from a telephony export and a task log.

    Writes demand.yaml (the demand section), calibrated.yaml (CONFIG with that demand: sim run it as it is),
    report.md with the estimates, standard errors, fits and what could not be estimated, calibration.json,
    and PNG figures (profiles observed against fitted, a QQ plot per duration, patience)."""
    data, origins = load_data(config, list(overrides))
    scenario = parse_scenario(data, config, origins)
    call_map, task_map = parse_mapping(mapping)
    if type_map is not None:
        task_map["type_map"] = {**read_type_map(type_map), **task_map["type_map"]}
    if calls_file is None and tasks_file is None:
        raise ConfigError("sim calibrate", "give --calls FILE (a telephony export or request log) and/or --tasks FILE")
    # the folder is held from before the work to the last file: a folder that is not empty is refused before
    # the work, not after it, and two calibrations into one folder cannot mix their files. --overwrite removes
    # an earlier calibration only once this one is ready to be written (clear_calibration below)
    folder = click.get_current_context().with_resource(
        claim_folder(out, f"calibrate-{scenario.name}", overwrite, clear=None))
    calls = tasks = None
    wanted = [v for m in (call_map, task_map) for k, v in m.items()
              if isinstance(v, str) and not k.endswith("unit") and k != "timezone"]
    wanted += ["kind", "arrival", "duration_minutes"]  # the meetings of a request log
    departments = [d.name for d in scenario.organisation.departments]
    if calls_file is not None:
        table = read_table(calls_file, sheet, wanted)
        calls = read_calls(table, call_map, departments)
        if tasks_file is None and table.column(task_map["kind"]) is not None:
            tasks = read_tasks(table, task_map, departments)
            tasks = tasks if len(tasks.day) else None
    meetings = read_meetings(table) if calls_file is not None else None
    if tasks_file is not None:
        tasks = read_tasks(read_table(tasks_file, sheet, wanted), task_map, departments)
    cal = estimate(scenario, calls, tasks, slot_minutes, days, meetings)
    overridden = overridden_part(data, list(overrides)) if isinstance(data, dict) else {}
    try:  # what is written must run: checked before a file is written
        parse_extending(config, calibrated_data(cal, overridden, set(scenario.uncertainty)), "calibrated.yaml")
    except ConfigError as err:
        where = f"{err.field}: " if err.field else ""
        raise ConfigError("sim calibrate", f"the calibrated config would not run: {where}{err.message}") from None
    source = " and ".join(str(f) for f in (calls_file, tasks_file) if f is not None)
    if overwrite:
        clear_calibration(folder)
    figures = calibration_figures(figure_data(cal), folder)
    write_text(folder, "demand.yaml", demand_yaml(cal, source))
    write_text(folder, "calibrated.yaml", calibrated_config(cal, Path(config), folder, overridden,
                                                                set(scenario.uncertainty)))
    write_text(folder, "report.md", report_markdown(cal, source, figures))
    write_json(folder, "calibration.json", calibration_json(cal))
    if cal.measured:
        from sim.data.measured import COLUMNS
        from sim.experiments.output import write_csv

        write_csv(folder, "measured.csv", [{k: r[k] for k in COLUMNS} for r in cal.measured])
    n_calls = 0 if calls is None else len(calls.day)
    n_tasks = 0 if tasks is None else len(tasks.day)
    click.echo(f"{n_calls:,} calls and {n_tasks:,} tasks over {cal.days} working days ({cal.first} to {cal.last})")
    for e in cal.estimates:
        if e.path.startswith("demand."):
            se = "" if e.se is None else f" (se {e.se:.3g})"
            click.echo(f"  {e.path:<44} {fmt_estimate(e.value)}{se}   was {fmt_estimate(e.old)}")
    for col, how in cal.units.items():
        click.echo(f"  read {col} as {how}")
    renamed = {**(calls.renamed if calls is not None else {}), **(tasks.renamed if tasks is not None else {})}
    if renamed:
        click.echo("  read departments as the config names them: "
                   + ", ".join(f"{one_line(k)!r} as {v!r}" for k, v in sorted(renamed.items())))
    if cal.left_out:
        click.echo(f"left out of the rates: {len(cal.left_out)} day(s) ("
                   + ", ".join(f"{d}: {why}" for d, why in cal.left_out.items()) + ")")
    for w in cal.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"not estimated, kept: {len(cal.not_estimated)} items (report.md)")
    for r in cal.measured:
        if r["scope"] == "all":
            click.echo(f"  measured today: {r['kpi']:<34} {r['measured']:7.1%}  ({r['ci_low']:.1%} - "
                       f"{r['ci_high']:.1%}, n {r['n']:,})")
    extra = ", measured.csv" if cal.measured else ""
    click.echo(f"written: {folder}/calibrated.yaml, demand.yaml, report.md{extra}, {len(figures)} figures")


__all__ = ["calibrate"]
