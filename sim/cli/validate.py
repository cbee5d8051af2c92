"""``sim validate``: the model against queueing theory (:func:`sim.experiments.validate.validate` runs the cases)."""

from __future__ import annotations

from pathlib import Path

import click

from sim.experiments import validate as validation
from sim.experiments.output import to_json
from sim.experiments.validate import CASES, summary, table


@click.command("validate")
@click.option("--quick/--full", "quick", default=True, help="Quick (CI, under a minute) or full (minutes).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as a JSON list.")
@click.option("--replications", type=click.IntRange(2, 100_000), default=None,
              help="Replications per case (default: 10 quick, 30 full).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=1, help="Root seed of the replications.")
@click.option("--case", "cases", multiple=True, type=click.Choice(list(CASES)), help="Only these cases.")
@click.option("--configs", "configs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of configs for Little's law (default: the shipped configs/).")
@click.pass_context
def validate(ctx: click.Context, quick: bool, as_json: bool, replications: int | None, seed: int,
                 cases: tuple[str, ...], configs_dir: Path | None) -> None:
    """Check the model against queueing theory (Erlang C and A, pooling, blending, arrivals, Little's law).

    Exit code 1 if any check fails.
    """
    rows = validation.validate("quick" if quick else "full", replications=replications, seed=seed, cases=cases or None,
                    configs_dir=configs_dir, progress=lambda msg: click.echo(msg, err=True))
    if as_json:
        click.echo(to_json([r.to_dict() for r in rows]), nl=False)
    else:
        click.echo(table(rows))
        click.echo("\n" + summary(rows))
    if not all(r.passed for r in rows):
        ctx.exit(1)


__all__ = ["validate"]
