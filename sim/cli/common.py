"""What every command shares: its options, loading a config with the command-line overrides, and the wording
of a bad input as one line (the library names options by neutral keys, :data:`OPTION_FLAGS` names their flags).

(The experiment commands' own shared parts are in :mod:`sim.cli.experiments`.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from sim.config import ConfigError, Scenario, load_scenario

#: The command-line flag of each option the library names by a neutral key (:class:`sim.config.OptionError`,
#: :func:`sim.config.option`): the one table from which a printed error names the flag.
OPTION_FLAGS: dict[str, str] = {
    "baseline": "--baseline", "blocks": "--blocks", "calls": "--calls", "confidence": "--confidence",
    "departments": "--departments", "fte": "--fte", "keep": "--keep", "kpi": "--kpi", "levels": "--levels",
    "map": "--map", "morris": "--morris", "out": "--out", "overwrite": "--overwrite", "param": "--param",
    "points": "--points", "precision": "--precision", "replications": "--replications", "roster": "--roster",
    "scheduler": "--scheduler", "secretaries": "--secretaries", "set": "--set", "setup": "--setup",
    "target": "--target", "tasks": "--tasks", "vary": "--vary",
}


def error_line(err: ConfigError) -> str:
    """A bad input as the one line a command prints: its options named by their flags."""
    return err.words(OPTION_FLAGS)


class OutPath(click.ParamType):
    """A path sim writes to (``--out``), taken as given: whether it can be written is sim's own check when the
    command claims it (:func:`sim.experiments.output.claim_folder`), one line naming the folder and why not. click.Path
    would look first, and could answer with its own message: "not readable" of a folder that disappears
    between its look and ours, or that is only to be written."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        if not str(value):
            self.fail("an empty path; name a folder or a file", param, ctx)
        return Path(value)


#: The type of every option and argument that names where sim writes.
OUT_PATH = OutPath()


def scenario_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options every simulating command shares: --set, --seed, --days, --out, --overwrite, --json."""
    for option in reversed([
        click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                     help="Override a config field, e.g. --set run.days=60 (repeatable)."),
        click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Seed (default: the config's)."),
        click.option("--days", type=click.IntRange(1, None), default=None, help="Working days to measure."),
        click.option("--out", type=OUT_PATH, default=None,
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


__all__ = ["OUT_PATH", "OutPath", "load", "scenario_options"]
