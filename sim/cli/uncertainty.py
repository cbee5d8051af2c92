"""``sim uncertainty``: the saving with one interval that covers the inputs' stated uncertainty as well as the
simulation's noise (:mod:`sim.decisions.uncertainty`)."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.common import load, scenario_options
from sim.cli.experiments import emit_json as _emit_json
from sim.cli.experiments import executor_note as _executor_note
from sim.cli.experiments import experiment_options
from sim.config import ConfigError
from sim.experiments.experiment import DEFAULT_REPLICATIONS, Unit, experiment_hash, manifest, results_folder, session


@click.command()
@click.argument("configs", nargs=-1, required=True)
@scenario_options
@experiment_options
@click.option("--points", type=click.IntRange(2, 10000), default=None,
              help="Input points drawn by Latin hypercube from the configs' uncertainty: sections "
                   "(default 24).")
@click.option("--blocks", "blocks", type=click.IntRange(1, 20), default=None,
              help="Blocks of replications per input point, on the same seeds at every point (default 1; 2 or "
                   "more separate the input part from the simulation noise by ANOVA).")
@click.option("--nominal-blocks", type=click.IntRange(1, 20), default=None,
              help="Blocks at the config's values: the estimate and its simulation part (default 3).")
@click.option("--target", "targets", multiple=True, metavar="KPI=VALUE", help="As for sim sensitivity.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True)
@click.option("--baseline", type=click.Choice(["least", "config"]), default="config", show_default=True,
              help="The first config as its config staffs it today (config), or at its own least staffing.")
def uncertainty(configs: tuple[str, ...], overrides: tuple[str, ...], seed: int | None, days: int | None,
                out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
                scheduler: str | None, batch_size: int | None, points: int | None, blocks: int | None,
                nominal_blocks: int | None, targets: tuple[str, ...], confidence: float, baseline: str) -> None:
    """The saving of each of CONFIGS after the first against the first (today's organisation) under the
    uncertainty its inputs carry (each config's uncertainty: section): each setup's saving, least FTE and
    payback as "simulation +-x, inputs +-y" with a combined interval, and the probability that the saving
    reaches the article's 15%; uncertainty.png (the saving over the input points) and design.csv.
    """
    from sim.decisions.uncertainty import (
        DEFAULT_BLOCKS,
        DEFAULT_NOMINAL_BLOCKS,
        DEFAULT_POINTS,
        headline,
        inputs_of,
    )
    from sim.decisions.uncertainty import uncertainty as run_uncertainty
    from sim.presentation.figures.uncertainty import uncertainty_figure

    if len(configs) < 2:
        raise ConfigError("CONFIGS", "give today's organisation and at least one setup to compare with it")
    scenarios = [load(c, overrides, days, seed) for c in configs]
    ref, alts = scenarios[0], scenarios[1:]
    for a in alts:
        inputs_of({"reference": ref, "alternative": a})  # a conflicting declaration: refused before anything runs
    base = ref.run.seed if seed is None else seed
    n = replications or DEFAULT_REPLICATIONS
    if n < 2:
        raise ConfigError("--replications", "at least 2 replications are needed for an interval")
    m = points or DEFAULT_POINTS
    b = blocks or DEFAULT_BLOCKS
    b0 = nominal_blocks or DEFAULT_NOMINAL_BLOCKS
    units = [Unit(s.name, s) for s in scenarios]
    extra = {"points": m, "blocks": b, "nominal_blocks": b0, "targets": list(targets), "confidence": confidence,
             "baseline": baseline,
             "uncertainty": [{k: u.model_dump(mode="json") for k, u in s.uncertainty.items()} for s in scenarios]}
    exp = experiment_hash("uncertainty", units, base, extra)
    name = f"uncertainty-{'-'.join(s.name for s in scenarios)}"
    say = None if as_json else (lambda text: click.echo("  " + text, err=True))
    with results_folder(out, exp, "uncertainty", name, overwrite) as (folder, store):
        assert folder is not None
        data = manifest("uncertainty", units, base, n, store, list(zip(configs, scenarios, strict=True)),
                        extra=extra)
        folder.start(data)
        with session(store, None, workers, scheduler, batch_size, progress=False) as runner:
            result = run_uncertainty(ref, alts, runner, n, base, points=m, blocks=b, nominal_blocks=b0,
                                     targets=targets, confidence=confidence, baseline=baseline, progress=say)
        lines = headline(result)
        summary = {"kind": "uncertainty", "headline": lines, "uncertainty": result, "replications_run": runner.ran}
        folder.write_json("summary.json", summary)
        folder.write_table("design.csv", [{"point": i, **row} for i, row in enumerate(result["design"])])
        folder.write_figure("uncertainty.png", uncertainty_figure(result), bbox_inches="tight")
        folder.finish(data)
    path = folder.path
    if as_json:
        _emit_json(summary, path)
        return
    click.echo("inputs (as declared):")
    for i in result["inputs"]:
        where = "all" if len(i["setups"]) == 2 else ", ".join(i["setups"])
        click.echo(f"    {i['input']:<36}{i['distribution']:<11}{i['low']:>10g} .. {i['high']:<10g}"
                   f"({where})  {i['source']}")
    click.echo("")
    for line in lines:
        click.echo(line)
    click.echo(f"\nestimate: mean of {b0} blocks at the config's values; simulation +-x: its {100 * confidence:.0f}% "
               f"half-width; inputs +-y: {100 * confidence:.0f}% of the spread over the inputs; [low, high]: "
               f"combined interval. {m} input points x {b} block(s) x {n} replications per candidate, seed {base}, "
               f"common random numbers, {_executor_note(workers, scheduler)} ({runner.ran} run now); "
               f"uncertainty.png, design.csv and summary.json in {path}/")


__all__ = ["uncertainty"]
