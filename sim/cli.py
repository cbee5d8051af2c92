"""The command line: ``sim run``, ``sim schema`` and the experiment commands.

Every command takes a config file and prints a readable table, or one JSON object with ``--json``. A bad
config, a missing file or a wrong ``--set`` gives one line naming the file and the field, and exit code 2.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from sim import compiled
from sim.config import ConfigError, Scenario, config_hash, json_schema, load_scenario, one_line
from sim.coverage import roster_warnings
from sim.kpis import kpi_info
from sim.model import Result, run_replication
from sim.output import (
    atomic_open,
    choose_out_dir,
    csv_text,
    to_json,
    write_csv,
    write_json,
    write_text,
    write_yaml,
)
from sim.preflight import environment_error
from sim.request_log import RequestLog, write_parquet

#: Commands defined in other modules, as "module:attribute"; loaded when the CLI starts.
COMMAND_MODULES: list[str] = ["sim.cli_report:report", "sim.cli_report:plot", "sim.validate:validate_cmd",
                              "sim.cli_experiment:compare", "sim.cli_experiment:sweep",
                              "sim.cli_experiment:staff", "sim.cli_experiment:sensitivity",
                              "sim.calibrate:calibrate_cmd", "sim.init:init_cmd", "sim.export:export_cmd"]


# ---------------------------------------------------------------------------------------------- shared
def scenario_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options every simulating command shares: --set, --seed, --days, --out, --overwrite, --json."""
    for option in reversed([
        click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                     help="Override a config field, e.g. --set run.days=60 (repeatable)."),
        click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Seed (default: the config's)."),
        click.option("--days", type=click.IntRange(1, None), default=None, help="Working days to measure."),
        click.option("--out", type=click.Path(path_type=Path), default=None,
                     help="Output folder (default: a new folder under results/)."),
        click.option("--overwrite", is_flag=True, help="Allow writing into a non-empty --out folder."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout."),
    ]):
        func = option(func)
    return func


def load(config: str, overrides: Sequence[str], days: int | None = None, seed: int | None = None) -> Scenario:
    """Load a config with the command-line overrides applied (as --set run.days=..., run.seed=...)."""
    extra = list(overrides)
    if days is not None:
        extra.append(f"run.days={days}")
    if seed is not None:
        extra.append(f"run.seed={seed}")
    return load_scenario(config, extra)


def fmt(value: Any, kind: str = "share") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if kind == "share":
            return f"{100 * value:6.1f}%"
        return f"{value:,.2f}"
    return str(value)


KPI_ROWS: list[tuple[str, str, str]] = [
    ("reachability", "reachability: calls answered within the norm", "share"),
    ("reachability_all_callers", "reachability counting after-hours callers as not reached", "share"),
    ("calls_after_hours_share", "calls while the line is closed", "share"),
    ("calls_answered", "calls answered", "share"),
    ("calls_abandoned", "calls abandoned", "share"),
    ("asa_seconds", "average speed of answer (s), answered calls", "num"),
    ("wait_all_seconds", "mean wait (s), all callers incl. abandoned", "num"),
    ("replaceability", "replaceability: own secretary absent, within norm", "share"),
    ("coverage", "coverage: every department has someone present", "share"),
    ("coverage_min_department", "coverage of the worst-covered department", "share"),
    ("continuity", "continuity: custom work done by the own secretary", "share"),
    ("continuity_all", "continuity: all work done by the own secretary", "share"),
    ("custom_share_requests", "realised custom share, by count", "share"),
    ("custom_share_work", "realised custom share, by work time", "share"),
    ("utilisation", "utilisation (busy / present)", "share"),
    ("interruptions_per_hour", "back-office interruptions per present hour", "num"),
    ("meetings_uncovered", "meetings without a minute-taker", "share"),
    ("fte", "FTE", "num"),
    ("cost_per_year", "cost per year (euro)", "num"),
]

_BETTER = {"higher": "higher", "lower": "lower", "": ""}


def kpi_table(kpi: dict[str, Any]) -> str:
    """The single-run table: each KPI with its norm and which way is better (from :mod:`sim.kpis`)."""
    lines = [f"{'KPI':<52}{'value':>10}  {'norm':<8}{'better':<7}", "-" * 77]
    for key, label, kind in KPI_ROWS:
        if key not in kpi:
            continue
        info = kpi_info(key)
        lines.append(f"{label:<52}{fmt(kpi.get(key), kind):>10}  {info.norm_text:<8}{_BETTER[info.better]:<7}")
    working = kpi.get("lead_time_mean_working_hours") or {}
    lines.append("")
    lines.append("request type    within norm  norm   mean lead h  p90 lead h  mean lead  p90 lead  backlog/day")
    lines.append("                (higher)            wall-clock   wall-clock  working h  working h (lower)")
    lines.append("-" * 95)
    for name, share in kpi["service_level"].items():
        lead = kpi["lead_time_mean_hours"].get(name)
        p90 = kpi["lead_time_p90_hours"].get(name)
        wmean = working.get(name)
        wp90 = (kpi.get("lead_time_p90_working_hours") or {}).get(name)
        backlog = kpi["backlog_end_of_day"].get(name)
        norm = kpi_info(f"service_level.{name}").norm_text
        lines.append(f"{name:<16}{fmt(share):>11}  {norm:<6}{fmt(lead, 'num'):>11}{fmt(p90, 'num'):>12}"
                     f"{fmt(wmean, 'num'):>11}{fmt(wp90, 'num'):>10}{fmt(backlog, 'num'):>13}")
    lines.append("")
    lines.append("Norms: the defaults of `sim staff` (80% of calls within the phone norm, at most 5% abandoned, 85% of")
    lines.append("each type within its norm time). Task norms count working hours; a mean lead time can exceed its")
    lines.append("p90 when a few requests wait overnight or over a weekend.")
    return "\n".join(lines)


def write_run(out: Path, scenario: Scenario, result: Result) -> None:
    """summary.json, one CSV per table, and the resolved config."""
    summary = result.to_dict()
    summary.pop("tables")
    write_json(out, "summary.json", summary)
    for name, rows in result.tables.items():
        write_csv(out, f"{name}.csv", rows)
    write_yaml(out, "config.resolved.yaml", scenario.model_dump(mode="json"))


# -------------------------------------------------------------------------------------------- commands
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="secretariat-sim", prog_name="sim",
                      message=f"%(prog)s, version %(version)s; model {compiled.REASON}")
def cli() -> None:
    """Simulate secretariat workload: decentralised vs central setups, Het Nieuwe Werken, service norms."""


@cli.command()
@click.argument("config", type=str)
@scenario_options
@click.option("--event-log", is_flag=True, help="Also write events.csv (what each secretary did, when) and "
              "requests.csv (one row per call, task and meeting, with real dates; also requests.parquet with pyarrow).")
def run(config: str, overrides: tuple[str, ...], seed: int | None, days: int | None, out: Path | None,
        overwrite: bool, as_json: bool, event_log: bool) -> None:
    """Simulate CONFIG once and report its KPIs."""
    scenario = load(config, overrides, days, seed)
    # --json prints the result; it writes a folder only when --out asks for one
    folder = None if as_json and out is None and not event_log else \
        choose_out_dir(out, scenario.name, overwrite, same_run=scenario)
    log = io.StringIO()
    logger = None
    if event_log:
        writer = csv.writer(log, lineterminator="\n")  # quoted: names may hold commas or quotes
        writer.writerow(["start_minute", "end_minute", "secretary", "activity", "detail"])

        def logger(start: float, end: float, who: str, what: str, detail: str) -> None:
            writer.writerow([f"{start:.4f}", f"{end:.4f}", who, what, detail])

    if event_log and folder is not None:
        with atomic_open(folder, "requests.csv") as fh:  # streamed: one row per request as it ends
            result = run_replication(scenario, event_log=logger, request_log=RequestLog(scenario, fh))
        write_parquet(folder / "requests.csv", folder / "requests.parquet")
    else:
        result = run_replication(scenario, event_log=logger)
    if folder is not None:
        write_run(folder, scenario, result)
        if event_log:
            write_text(folder, "events.csv", log.getvalue())
        else:  # from the earlier run this one replaces
            for stale in ("events.csv", "requests.csv", "requests.parquet"):
                if (folder / stale).exists():
                    (folder / stale).unlink()
        if (folder / "report.html").exists():  # a report of the run this one replaces: bring it up to date
            from sim.cli_report import refresh_report

            refresh_report(folder, quiet=as_json)
    if as_json:
        data = result.to_dict()
        data.pop("tables")
        data["out"] = None if folder is None else str(folder)
        click.echo(json.dumps(json.loads(to_json(data))))
        return
    click.echo(f"{scenario.name}: {scenario.organisation.setup}, {scenario.run.days} working days "
               f"(+{scenario.run.warmup_days} warm-up), seed {result.seed}, config {result.config_hash}")
    click.echo(kpi_table(result.kpi))
    click.echo(f"\n{result.events:,} events in {result.wall_seconds:.2f} s; results in {folder}/")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the config format (for editors)."""
    click.echo(json.dumps(json_schema(), indent=2))


@cli.command()
@click.argument("config", type=str)
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a config field.")
def check(config: str, overrides: tuple[str, ...]) -> None:
    """Validate CONFIG and summarise it, without simulating."""
    scenario = load(config, overrides)
    org = scenario.organisation
    click.echo(f"{config}: valid. {scenario.name}: {org.setup}, {len(org.departments)} departments, "
               f"{len(org.secretaries)} secretaries, {scenario.fte():.2f} FTE, "
               f"{scenario.fte() * org.cost_per_fte_per_year:,.0f} euro/year, config {config_hash(scenario)}")
    for warning in roster_warnings(scenario):
        click.echo(f"warning: {warning}")


def _register_extra_commands() -> None:
    for spec in COMMAND_MODULES:
        module, _, attr = spec.partition(":")
        cli.add_command(getattr(importlib.import_module(module), attr))


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: runs the CLI, turning bad input into one line on stderr and exit code 2."""
    _register_extra_commands()
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="sim", standalone_mode=False)
    except ConfigError as err:
        click.echo(f"sim: error: {err}", err=True)
        sys.exit(2)
    except _NO_ARGS_IS_HELP as err:  # plain `sim`: the help text
        err.show()
        sys.exit(err.exit_code)
    except click.UsageError as err:  # a bad option or argument: one line too, like a bad config
        command = err.ctx.command_path if err.ctx is not None else "sim"
        click.echo(f"sim: error: {one_line(err.format_message())} (see {command} --help)", err=True)
        sys.exit(2)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except OSError as err:  # the environment, not the input: a full disk, a read-only file system
        click.echo(f"sim: error: {environment_error(err)}", err=True)
        sys.exit(1)
    except sqlite3.Error as err:
        click.echo(f"sim: error: the results store: {one_line(err)} (finished replications are kept; run the "
                   "same command again to resume)", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("sim: aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("sim: interrupted", err=True)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)


__all__ = ["cli", "main", "scenario_options", "load", "kpi_table", "write_run", "csv_text"]
