"""The command line: ``sim run``, ``sim schema`` and the experiment commands.

Every command takes a config file and prints a readable table, or one JSON object with ``--json``. A bad
config, a missing file or a wrong ``--set`` gives one line naming the file and the field, and exit code 2.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from sim import compiled
from sim.config import ConfigError, Scenario, config_hash, json_schema, load_scenario
from sim.model import Result, run_replication
from sim.output import choose_out_dir, csv_text, to_json, write_csv, write_json, write_text, write_yaml

#: Commands defined in other modules, as "module:attribute"; loaded when the CLI starts.
COMMAND_MODULES: list[str] = ["sim.cli_report:report", "sim.cli_report:plot", "sim.validate:validate_cmd",
                              "sim.cli_experiment:compare", "sim.cli_experiment:sweep",
                              "sim.cli_experiment:staff", "sim.cli_experiment:sensitivity"]


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
    ("calls_answered", "calls answered", "share"),
    ("calls_abandoned", "calls abandoned", "share"),
    ("asa_seconds", "average speed of answer (s)", "num"),
    ("replaceability", "replaceability: own secretary absent, still within norm", "share"),
    ("coverage", "coverage: every department has someone present", "share"),
    ("coverage_min_department", "coverage of the worst-covered department", "share"),
    ("utilisation", "utilisation (busy / present)", "share"),
    ("interruptions_per_hour", "back-office interruptions per present hour", "num"),
    ("meetings_uncovered", "meetings without a minute-taker", "share"),
    ("fte", "FTE", "num"),
    ("cost_per_year", "cost per year (euro)", "num"),
]


def kpi_table(kpi: dict[str, Any]) -> str:
    lines = [f"{'KPI':<58}{'value':>12}", "-" * 70]
    for key, label, kind in KPI_ROWS:
        lines.append(f"{label:<58}{fmt(kpi.get(key), kind):>12}")
    lines.append("")
    lines.append(f"{'request type':<16}{'within norm':>12}{'mean lead h':>13}{'p90 lead h':>12}{'backlog/day':>13}")
    lines.append("-" * 66)
    for name, share in kpi["service_level"].items():
        lead = kpi["lead_time_mean_hours"].get(name)
        p90 = kpi["lead_time_p90_hours"].get(name)
        backlog = kpi["backlog_end_of_day"].get(name)
        lines.append(f"{name:<16}{fmt(share):>12}{fmt(lead, 'num'):>13}{fmt(p90, 'num'):>12}"
                     f"{fmt(backlog, 'num'):>13}")
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
@click.option("--event-log", is_flag=True, help="Also write events.csv: what each secretary did, when.")
def run(config: str, overrides: tuple[str, ...], seed: int | None, days: int | None, out: Path | None,
        overwrite: bool, as_json: bool, event_log: bool) -> None:
    """Simulate CONFIG once and report its KPIs."""
    scenario = load(config, overrides, days, seed)
    folder = choose_out_dir(out, scenario.name, overwrite)
    log_rows: list[str] = []
    logger = None
    if event_log:
        log_rows.append("start_minute,end_minute,secretary,activity,detail\n")

        def logger(start: float, end: float, who: str, what: str, detail: str) -> None:
            log_rows.append(f"{start:.4f},{end:.4f},{who},{what},{detail}\n")

    result = run_replication(scenario, event_log=logger)
    write_run(folder, scenario, result)
    if event_log:
        write_text(folder, "events.csv", "".join(log_rows))
    if as_json:
        data = result.to_dict()
        data.pop("tables")
        data["out"] = str(folder)
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
        click.echo(f"sim: error: {err.format_message()} (see {command} --help)", err=True)
        sys.exit(2)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("sim: aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("sim: interrupted", err=True)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)


__all__ = ["cli", "main", "scenario_options", "load", "kpi_table", "write_run", "csv_text"]
