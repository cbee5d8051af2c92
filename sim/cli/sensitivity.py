"""``sim sensitivity``: what would flip the business case, parameter by parameter
(:func:`sim.decisions.studies.sensitivity` runs it and writes the folder; this command prints it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sim.cli.common import load, scenario_options
from sim.cli.experiments import CountingExecutor, experiment_options
from sim.cli.experiments import emit_json as _emit_json
from sim.cli.experiments import executor_note as _executor_note
from sim.experiments.experiment import DEFAULT_REPLICATIONS
from sim.experiments.output import choose_out_dir


# ----------------------------------------------------------------------------------------- sensitivity
@click.command()
@click.argument("config_ref", type=str)
@click.argument("config_alt", type=str)
@scenario_options
@experiment_options
@click.option("--param", "params", multiple=True, metavar="NAME[=LOW,HIGH]",
              help="A parameter to vary (repeatable; default all): patience, talk, work, demand, sickness, "
                   "shrinkage, occupancy, reachability, abandoned, hnw, custom_penalty, and the alternative's "
                   "costs (no search runs for them): manager_fte, coordination, cost_per_fte, reorganisation "
                   "(payback only); =LOW,HIGH another range.")
@click.option("--points", type=click.IntRange(3, 21), default=3, show_default=True,
              help="Values per parameter: the range's ends, the config's value, and more between.")
@click.option("--target", "targets", multiple=True, metavar="KPI=VALUE", help="As for sim staff.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True)
@click.option("--baseline", type=click.Choice(["least", "config"]), default="least", show_default=True,
              help="CONFIG_REF at its own least staffing (least: equal service), or as its config staffs it "
                   "today (config: only CONFIG_ALT is searched).")
@click.option("--morris", "trajectories", type=click.IntRange(0, 1000), default=0, metavar="R",
              help="After the one-at-a-time analysis, a global Morris screening (all parameters moved together) "
                   "with R trajectories (at least 2; 0: none): R x (k + 1) more design points for k parameters, "
                   "each a least-staffing search of both setups (all 15 parameters, R=4: 64 points; a step "
                   "that moves only a cost figure reuses the previous point's search). Writes "
                   "morris.csv, morris.png and a morris section in summary.json. Needs SALib "
                   "(pip install 'secretariat-sim[screening]').")
@click.option("--levels", type=click.IntRange(2, 20), default=4, show_default=True,
              help="Grid levels per parameter range for --morris (even).")
def sensitivity(config_ref: str, config_alt: str, overrides: tuple[str, ...], seed: int | None, days: int | None,
                out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
                scheduler: str | None, batch_size: int | None, params: tuple[str, ...], points: int,
                targets: tuple[str, ...], confidence: float, baseline: str, trajectories: int, levels: int) -> None:
    """What would flip the business case: the saving of CONFIG_ALT against CONFIG_REF (both at their least
    staffing, or CONFIG_REF as staffed today with --baseline config) as each assumed parameter runs over its
    range; a tornado figure (tornado.png) and each parameter's break-even value, where the saving crosses the
    article's 15%.

    With --morris R, a global screening too (sim.decisions.screening): each parameter's mean absolute effect on the
    saving (mu*) and the spread of its effects (sigma), in morris.csv and morris.png.
    """
    from sim.decisions.sensitivity import fmt_break_even
    from sim.decisions.studies import sensitivity as run_sensitivity
    from sim.presentation.figures.sensitivity import SENSITIVITY_FIGURES

    ref, alt = (load(c, overrides, days, seed) for c in (config_ref, config_alt))
    base = ref.run.seed if seed is None else seed
    n = replications or DEFAULT_REPLICATIONS
    folder = out if out is not None else choose_out_dir(None, f"sensitivity-{ref.name}-{alt.name}", overwrite)
    say = None if as_json else (lambda text: click.echo("  " + text, err=True))
    executor = CountingExecutor(workers, scheduler, batch_size)
    try:
        result = run_sensitivity(ref, alt, n, seed, params=params, points=points, targets=targets,
                                 confidence=confidence, baseline=baseline, trajectories=trajectories, levels=levels,
                                 out=folder, overwrite=overwrite, executor=executor,
                                 progress=False if as_json else None, say=say,
                                 config_paths=[config_ref, config_alt], figures=SENSITIVITY_FIGURES)
    finally:
        executor.close()
    if as_json:
        _emit_json(result, folder)
        return
    b = result["base"]
    against = "each at its least staffing" if baseline == "least" else f"{ref.name} as staffed today"
    click.echo(f"saving of {alt.name} against {ref.name} ({against}) at the config's values: "
               f"{100 * b['saving']:.1f}% ({b['fte']['alternative']:.1f} vs {b['fte']['reference']:.1f} FTE); "
               f"the article expects {100 * result['article_saving']:.0f}%")
    click.echo(f"\n    {'parameter':<38}{'range':>16}{'saving low':>12}{'saving high':>13}{'break-even':>18}"
               f"{'payback low..high':>20}")
    for r in result["parameters"]:
        rng = f"{r['low']:g} .. {r['high']:g}"
        payback = " .. ".join("-" if v is None else f"{v:.1f}" for v in (r.get("payback_low"), r.get("payback_high")))
        click.echo(f"    {r['label']:<38}{rng:>16}"
                   f"{100 * r['saving_low']:>11.1f}%{100 * r['saving_high']:>12.1f}%"
                   f"{fmt_break_even(r['break_even']):>18}{payback + ' y':>20}")
    if trajectories:
        _echo_morris(result["morris"])
    files = "tornado.png, sensitivity.csv, morris.csv, morris.png" if trajectories else "tornado.png, sensitivity.csv"
    click.echo(f"\n{n} replications per candidate, seed {base}, common random numbers, "
               f"{_executor_note(workers, scheduler)} ({executor.ran} run now); {files} and summary.json in {folder}/")


def _echo_morris(morris: dict[str, Any]) -> None:
    click.echo(f"\nMorris screening, all parameters together: {morris['trajectories']} trajectories x "
               f"{morris['levels']} levels, {morris['design_points']} points; effects on the saving across each "
               "range, percentage points")
    click.echo(f"    {'parameter':<38}{'mu*':>8}{'+-':>7}{'mu':>8}{'sigma':>8}")
    for r in morris["parameters"]:
        conf = "" if r["mu_star_conf"] is None else f"{100 * r['mu_star_conf']:.1f}"
        sigma = "" if r["sigma"] is None else f"{100 * r['sigma']:.1f}"
        click.echo(f"    {r['label']:<38}{100 * r['mu_star']:>8.1f}{conf:>7}{100 * r['mu']:>8.1f}{sigma:>8}")


__all__ = ["sensitivity"]
