"""``sim check``: validate a config and summarise it, without simulating (it starts in well under a second:
no simulation, no matplotlib or scipy is imported)."""

from __future__ import annotations

import click

from sim.cli.common import load
from sim.config import config_hash
from sim.core.costs import cost_per_fte
from sim.core.coverage import roster_warnings


@click.command()
@click.argument("config", type=str)
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a config field.")
def check(config: str, overrides: tuple[str, ...]) -> None:
    """Validate CONFIG and summarise it, without simulating."""
    scenario = load(config, overrides)
    org = scenario.organisation
    click.echo(f"{config}: valid. {scenario.name}: {org.setup}, {len(org.departments)} departments, "
               f"{len(org.secretaries)} secretaries, {scenario.fte():.2f} FTE, "
               f"{scenario.fte() * cost_per_fte(scenario):,.0f} euro/year, config {config_hash(scenario)}")
    for warning in roster_warnings(scenario):
        click.echo(f"warning: {warning}")


__all__ = ["check"]
