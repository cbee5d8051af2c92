"""``sim sensitivity``: what would flip the business case, parameter by parameter (:mod:`sim.sensitivity`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from sim.cli.common import load, scenario_options
from sim.cli.experiments import emit_json as _emit_json
from sim.cli.experiments import executor_note as _executor_note
from sim.cli.experiments import experiment_options
from sim.config import ConfigError
from sim.experiment import (
    DEFAULT_REPLICATIONS,
    Unit,
    experiment_hash,
    manifest,
    open_store,
    session,
    write_manifest,
)
from sim.output import write_csv, write_json


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

    With --morris R, a global screening too (sim.screening): each parameter's mean absolute effect on the
    saving (mu*) and the spread of its effects (sigma), in morris.csv and morris.png.
    """
    from sim.sensitivity import fmt_break_even, parameters, sim_key, tornado
    from sim.sensitivity import sensitivity as run_sensitivity

    ref, alt = (load(c, overrides, days, seed) for c in (config_ref, config_alt))
    base = ref.run.seed if seed is None else seed
    n = replications or DEFAULT_REPLICATIONS
    if n < 2:
        raise ConfigError("--replications", "at least 2 replications are needed for an interval")
    chosen = parameters(params)
    if trajectories:
        from sim.screening import check, require_salib

        check(trajectories, levels, chosen)
        require_salib()  # before anything runs
    units = [Unit(ref.name, ref), Unit(alt.name, alt)]
    extra = {"params": [[p.name, list(p.values)] for p in chosen], "points": points, "targets": list(targets),
             "confidence": confidence, "sim": [sim_key(ref), sim_key(alt)],
             **({"baseline": baseline} if baseline != "least" else {}),
             **({"morris": [trajectories, levels]} if trajectories else {})}
    exp = experiment_hash("sensitivity", units, base, extra)
    folder, store = open_store(out, exp, "sensitivity", f"sensitivity-{ref.name}-{alt.name}", overwrite)
    assert folder is not None
    data = manifest("sensitivity", units, base, n, store, [(config_ref, ref), (config_alt, alt)], extra=extra)
    write_manifest(folder, data)
    say = None if as_json else (lambda text: click.echo("  " + text, err=True))
    with session(store, None, workers, scheduler, batch_size, progress=False if as_json else None) as runner:
        result = run_sensitivity(ref, alt, runner, n, base, params=chosen, points=points, targets=targets,
                                 confidence=confidence, progress=say, baseline=baseline)
        if trajectories:
            from sim.screening import screening

            result["morris"] = screening(ref, alt, runner, n, base, params=chosen, trajectories=trajectories,
                                         levels=levels, targets=targets, confidence=confidence, baseline=baseline,
                                         progress=say)
    write_json(folder, "summary.json", result)
    rows = [{"parameter": r["parameter"], "value": pt["value"], "saving": pt["saving"],
             "fte_reference": pt["fte"]["reference"], "fte_alternative": pt["fte"]["alternative"],
             "binding_reference": " ".join(pt["binding"]["reference"]),
             "binding_alternative": " ".join(pt["binding"]["alternative"])}
            for r in result["parameters"] for pt in r["points"]]
    write_csv(folder, "sensitivity.csv", rows)
    tornado(result, str(folder / "tornado.png"))
    if trajectories:
        _write_morris(folder, result["morris"])
    data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_manifest(folder, data)
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
               f"{_executor_note(workers, scheduler)} ({runner.ran} run now); {files} and summary.json in {folder}/")


def _write_morris(folder: Path, morris: dict[str, Any]) -> None:
    from sim.screening import figure
    from sim.screening import rows as morris_rows

    write_csv(folder, "morris.csv", morris_rows(morris))
    write_csv(folder, "morris_design.csv",
                   [{"point": i, **pt["values"], "saving": pt["saving"], "fte_reference": pt["fte"]["reference"],
                     "fte_alternative": pt["fte"]["alternative"]} for i, pt in enumerate(morris["points"])])
    figure(morris, str(folder / "morris.png"))


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
