"""The command line: ``sim run``, ``sim check``, the experiment commands, reports and tools.

One module per command (``sim/cli/run.py`` holds ``sim run``, ...); each is a thin layer over the library: it
parses options, calls the library function and prints. Commands are imported only when they are run (click's
"lazily loading subcommands"): :data:`COMMANDS` maps each name to ``"module:function"`` and the summary that
``sim --help`` lists, so that ``sim --help`` and ``sim check`` start without importing the simulation,
matplotlib or scipy. ``tests/test_cli.py`` holds the summaries to the commands' own help.

Every command takes a config file or a results folder and prints a readable table, or one JSON object with
``--json``. A bad config, a missing file or a wrong ``--set`` gives one line naming the file and the field, and
exit code 2 (:func:`main`).
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from collections.abc import Mapping, Sequence

import click

from sim import compiled
from sim.cli.common import error_line
from sim.config import ConfigError, one_line
from sim.experiments.output import environment_error

#: name -> ("module:function", the first paragraph of its help, which ``sim --help`` shortens)
COMMANDS: dict[str, tuple[str, str]] = {
    "calibrate": ("sim.cli.calibrate:calibrate",
                  "Estimate CONFIG's demand from a telephony export and a task log."),
    "check": ("sim.cli.check:check", "Validate CONFIG and summarise it, without simulating."),
    "compare": ("sim.cli.compare:compare",
                "Compare setups on the same replications (common random numbers): every KPI with its 95% "
                "interval, and each setup's paired difference against the first."),
    "export": ("sim.cli.export:export",
               "Write the results folder RESULTS as one Excel workbook OUT (default: RESULTS/results.xlsx): "
               "KPIs with their intervals, differences, and every table, with the mean per setup."),
    "init": ("sim.cli.init:init",
             "Write a commented scenario OUT.yaml for your sector; it runs as written (sim run OUT.yaml)."),
    "plot": ("sim.cli.plot:plot", "Draw figure KIND of RESULTS as PNG and SVG files."),
    "report": ("sim.cli.report:report",
               "Write one self-contained HTML page for RESULTS (a run, compare, sweep or staff folder)."),
    "roster": ("sim.cli.roster:roster",
               "The least-cost roster for CONFIG within its roster_rules that meets the norms, proven by "
               "simulation."),
    "run": ("sim.cli.run:run", "Simulate CONFIG once and report its KPIs."),
    "schema": ("sim.cli.schema:schema", "Print the JSON Schema of the config format (for editors)."),
    "sensitivity": ("sim.cli.sensitivity:sensitivity",
                    "What would flip the business case: the saving of CONFIG_ALT against CONFIG_REF (both at "
                    "their least staffing, or CONFIG_REF as staffed today with --baseline config) as each assumed "
                    "parameter runs over its range; a tornado figure "
                    "(tornado.png) and each parameter's break-even value, where the saving crosses the "
                    "article's 15%."),
    "staff": ("sim.cli.staff:staff",
              "The least FTE at which every service norm holds (norms.rule: on its estimate, by default), and its "
              "spread over clusters or departments; with several CONFIGS, the business case: each setup's cost and "
              "saving against the first (--baseline), with intervals from independent blocks of replications."),
    "sweep": ("sim.cli.sweep:sweep",
              "Run CONFIG over the full grid of --vary values: a tidy table (kpis.csv, and kpis.parquet with "
              "pyarrow), one row per setting x replication x KPI, and the summary per setting."),
    "uncertainty": ("sim.cli.uncertainty:uncertainty",
                    "The saving of each of CONFIGS after the first against the first (today's organisation) under "
                    "the uncertainty its inputs carry (each config's uncertainty: section): each setup's saving, "
                    "least FTE and payback as \"simulation +-x, inputs +-y\" with a combined interval, and the "
                    "probability that the saving reaches the article's 15%; uncertainty.png (the saving over the "
                    "input points) and design.csv."),
    "validate": ("sim.cli.validate:validate",
                 "Check the model against queueing theory (Erlang C and A, pooling, blending, arrivals, "
                 "Little's law)."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are run (or their own help is asked for)."""

    def __init__(self, *args: object, lazy: Mapping[str, tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(_import(self.lazy[cmd_name][0]), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands, with the summaries of those not imported taken from the table: listing
        them must not import them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            cmd = self.commands.get(name) or click.Command(name, help=self.lazy[name][1])
            if not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _import(spec: str) -> click.Command:
    module, _, attr = spec.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command), spec
    return command


def import_commands() -> list[click.Command]:
    """Import every command now (a test that forks many times imports them once, before forking)."""
    return [_import(spec) for spec, _ in COMMANDS.values()]


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="secretariat-sim", prog_name="sim",
                      message=f"%(prog)s, version %(version)s; model {compiled.REASON}")
def cli() -> None:
    """Simulate secretariat workload: decentralised vs central setups, Het Nieuwe Werken, service norms."""


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: runs the CLI, turning bad input into one line on stderr and exit code 2."""
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="sim", standalone_mode=False)
    except ConfigError as err:
        click.echo(f"sim: error: {error_line(err)}", err=True)
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


__all__ = ["COMMANDS", "LazyGroup", "cli", "import_commands", "main"]
