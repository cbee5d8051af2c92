"""``sim schema``: the JSON Schema of the config format, for editors."""

from __future__ import annotations

import json

import click

from sim.config import json_schema


@click.command()
def schema() -> None:
    """Print the JSON Schema of the config format (for editors)."""
    click.echo(json.dumps(json_schema(), indent=2))


__all__ = ["schema"]
