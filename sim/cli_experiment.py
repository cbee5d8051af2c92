"""The experiment commands: ``sim compare``, ``sim sweep`` and ``sim staff``.

Each runs replications (in parallel on this machine's cores by default, ``--workers 1`` for one at a time, or
on a Dask cluster with ``--scheduler ADDRESS``), commits each finished replication to ``results.sqlite`` in
the output folder, and writes ``manifest.json``, ``summary.json``, ``kpis.csv``, ``summary.csv`` and
``tables/<table>.csv`` beside it. Running the same command again with the same ``--out`` resumes: finished
replications are not run again. ``--json`` prints the summary as one JSON object.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from sim.cli import load, scenario_options
from sim.config import ConfigError, Scenario
from sim.experiment import (
    DEFAULT_PRECISION_BUDGET,
    DEFAULT_REPLICATIONS,
    ExperimentResult,
    Unit,
    experiment_hash,
    manifest,
    open_store,
    parse_vary,
    run_units,
    session,
    setup_names,
    sweep_units,
    write_manifest,
    write_outputs,
    write_rows_csv,
)
from sim.output import to_json, write_json
from sim.preflight import check_experiment

#: KPIs shown in the printed tables (all of them are in summary.csv); share or number.
SHOWN: list[tuple[str, str]] = [
    ("reachability", "share"), ("reachability_all_callers", "share"), ("calls_after_hours_share", "share"),
    ("calls_abandoned", "share"), ("asa_seconds", "num"),
    ("replaceability", "share"), ("coverage", "share"), ("continuity", "share"), ("continuity_all", "share"),
    ("utilisation", "share"), ("custom_share_requests", "share"), ("custom_share_work", "share"),
    ("interruptions_per_hour", "num"), ("meetings_uncovered", "share"), ("fte", "num"),
    ("cost_per_year", "num"),
]


def experiment_options(func: Callable[..., Any] | None = None, *, precision: bool = True) -> Any:
    """Options of every experiment command: --replications, --workers, --scheduler, --batch-size
    (``@experiment_options(precision=False)`` for a command without --precision)."""
    if func is None:
        return lambda f: experiment_options(f, precision=precision)
    reps_help = f"Replications per setup (default {DEFAULT_REPLICATIONS}"
    reps_help += (f"; with --precision the most it may run, default {DEFAULT_PRECISION_BUDGET})." if precision
                  else ").")
    for option in reversed([
        click.option("--replications", "-r", type=click.IntRange(1, None), default=None, help=reps_help),
        click.option("--workers", "-w", type=click.IntRange(1, None), default=None,
                     help="Processes on this machine (default: one per core; 1 = one at a time)."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="Run on a Dask cluster at ADDRESS, e.g. tcp://127.0.0.1:8786 "
                          "(needs dask[distributed])."),
        click.option("--batch-size", type=click.IntRange(1, None), default=None,
                     help="Replications per task sent to a worker (default: 1 locally, automatic on Dask)."),
    ]):
        func = option(func)
    return func


# ---------------------------------------------------------------------------------------------- format
def _num(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _interval(s: dict[str, Any], kind: str) -> str:
    mean = _num(s.get("mean"), kind)
    if s.get("ci_low") is None:
        return mean
    return f"{mean} [{_num(s['ci_low'], kind)}, {_num(s['ci_high'], kind)}]"


def _kind(kpi: str) -> str:
    for name, kind in SHOWN:
        if name == kpi:
            return kind
    return "share" if kpi.startswith(("service_level.", "utilisation", "coverage")) else "num"


#: KPIs a sweep prints by default (one column each).
SWEEP_SHOWN = ["reachability", "calls_abandoned", "replaceability", "utilisation", "service_level.email"]


def _plus_minus(s: dict[str, Any], kind: str) -> str:
    mean = _num(s.get("mean"), kind)
    if s.get("ci_low") is None:
        return mean
    half = (s["ci_high"] - s["ci_low"]) / 2
    return f"{mean} ±{_num(half, kind).rstrip('%')}"


def _shown(kpis: Sequence[str], chosen: Sequence[str]) -> list[str]:
    if chosen:
        unknown = [k for k in chosen if k not in kpis]
        if unknown:
            raise ConfigError("--kpi", f"unknown KPI {unknown[0]!r}; see summary.csv for the names")
        return list(chosen)
    return [k for k, _ in SHOWN if k in kpis] + [k for k in kpis if k.startswith("service_level.")]


def _emit_json(data: dict[str, Any], folder: Path) -> None:
    data = dict(data)
    data["out"] = str(folder)
    click.echo(json.dumps(json.loads(to_json(data))))


def refresh_report(folder: Path, quiet: bool = False) -> None:
    """Bring an existing ``report.html`` up to date with the folder (imported here: figures need matplotlib)."""
    if (folder / "report.html").exists():
        from sim.cli_report import refresh_report as refresh

        refresh(folder, quiet)


def _executor_note(workers: int | None, scheduler: str | None) -> str:
    if scheduler:
        return f"on Dask at {scheduler}"
    from sim.executors import default_workers

    n = workers or default_workers()
    return "one at a time" if n == 1 else f"in {n} processes"


def _prepare(kind: str, units: Sequence[Unit], seed: int, replications: int, out: Path | None,
             overwrite: bool, default_name: str, configs: Sequence[tuple[str, Scenario]],
             extra: dict[str, Any] | None = None, hash_extra: Any = None) -> tuple[Path, Any, dict[str, Any]]:
    exp = experiment_hash(kind, units, seed, hash_extra)
    folder, store = open_store(out, exp, kind, default_name, overwrite)
    assert folder is not None
    data = manifest(kind, units, seed, replications, store, configs, extra=extra)
    write_manifest(folder, data)  # a killed run leaves a folder that says what it was
    return folder, store, data


def _replications(replications: int | None, precision: str | None) -> int:
    if replications is not None:
        return replications
    return DEFAULT_PRECISION_BUDGET if precision else DEFAULT_REPLICATIONS


def _precision(spec: str | None) -> tuple[str, float] | None:
    if spec is None:
        return None
    kpi, sep, raw = spec.partition("=")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not sep or not kpi or not value > 0:
        raise ConfigError("--precision",
                          f"{spec!r}: expected KPI=RELATIVE_HALF_WIDTH, e.g. reachability=0.02")
    return kpi.strip(), value


# --------------------------------------------------------------------------------------------- compare
@click.command()
@click.argument("configs", nargs=-1, required=True, type=str)
@scenario_options
@experiment_options
@click.option("--precision", metavar="KPI=REL", default=None,
              help="Add replications until KPI's 95% interval half-width is at most REL x its mean, for "
                   "every setup (Hoad, Robinson & Davies 2010), e.g. reachability=0.01.")
def compare(configs: tuple[str, ...], overrides: tuple[str, ...], seed: int | None, days: int | None,
            out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
            scheduler: str | None, batch_size: int | None, precision: str | None) -> None:
    """Compare setups on the same replications (common random numbers): every KPI with its 95% interval,
    and each setup's paired difference against the first."""
    scenarios = [load(c, overrides, days, seed) for c in configs]
    check_experiment(scenarios, precision=precision, scheduler=scheduler)
    base = scenarios[0].run.seed if seed is None else seed
    names = setup_names(scenarios)
    units = [Unit(n, s, {"setup": n}) for n, s in zip(names, scenarios, strict=True)]
    prec = _precision(precision)
    n = _replications(replications, precision)
    extra = {"precision": {"kpi": prec[0], "target": prec[1]} if prec else None}
    folder, store, data = _prepare("compare", units, base, n, out, overwrite, "compare-" + "-vs-".join(names),
                                   list(zip(configs, scenarios, strict=True)), extra)
    with session(store, None, workers, scheduler, batch_size, progress=False if as_json else None) as runner:
        result = run_units("compare", units, n, base, runner, prec)
    write_outputs(folder, result, data)
    refresh_report(folder, quiet=as_json)
    summary = result.summary()
    if as_json:
        _emit_json(summary, folder)
        return
    _print_compare(result, summary)
    click.echo(f"\n{result.replications} replications per setup, seed {base}, "
               f"{_executor_note(workers, scheduler)} ({runner.ran} run now); results in {folder}/")


def _print_compare(result: ExperimentResult, summary: dict[str, Any]) -> None:
    setups = summary["setups"]
    names = list(setups)
    kpis = _shown(result.kpi_names(), ())
    width = 28
    head = f"{'KPI':<30}" + "".join(f"{n[:width]:>{width}}" for n in names)
    diffs = summary["differences"]
    head += "".join(f"{(n + ' - ' + names[0])[:width + 4]:>{width + 4}}" for n in names[1:])
    click.echo(head)
    click.echo("-" * len(head))
    for k in kpis:
        kind = _kind(k)
        line = f"{k[:29]:<30}" + "".join(f"{_interval(setups[n][k], kind):>{width}}" for n in names)
        for n in names[1:]:
            d = diffs[n][k]
            mark = " *" if d.get("significant") else "  "
            line += f"{_interval(d, kind) + mark:>{width + 4}}"
        click.echo(line)
    click.echo("\nmean [95% interval]; * = the paired difference is significant (its interval excludes 0)")
    prec = summary.get("precision")
    if prec:
        state = "reached" if prec["reached"] else "NOT reached within the budget"
        click.echo(f"precision {prec['kpi']} <= {prec['target_relative_half_width']:g} x mean: {state} "
                   f"(solution per setup: {prec['solution']})")


# ----------------------------------------------------------------------------------------------- sweep
@click.command()
@click.argument("config", type=str)
@scenario_options
@experiment_options
@click.option("--vary", "vary", multiple=True, required=True, metavar="PATH=V1,V2,...",
              help="A config field and its values (repeatable: the full grid), e.g. "
                   "--vary dispatch.exchange.policy=none,idle,pool")
@click.option("--precision", metavar="KPI=REL", default=None, help="As for compare, over every setting.")
@click.option("--kpi", "kpis", multiple=True, metavar="NAME", help="KPIs to print (default: the main ones).")
def sweep(config: str, overrides: tuple[str, ...], seed: int | None, days: int | None, out: Path | None,
          overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
          scheduler: str | None, batch_size: int | None, vary: tuple[str, ...], precision: str | None,
          kpis: tuple[str, ...]) -> None:
    """Run CONFIG over the full grid of --vary values: a tidy table (kpis.csv, and kpis.parquet with pyarrow),
    one row per setting x replication x KPI, and the summary per setting."""
    pairs = [parse_vary(v) for v in vary]
    units = sweep_units(config, pairs, overrides, days, seed)
    check_experiment([u.scenario for u in units], precision=precision, kpis=kpis, scheduler=scheduler)
    base = units[0].scenario.run.seed
    prec = _precision(precision)
    n = _replications(replications, precision)
    extra = {"vary": {p: v for p, v in pairs}, "settings": len(units),
             "precision": {"kpi": prec[0], "target": prec[1]} if prec else None}
    folder, store, data = _prepare("sweep", units, base, n, out, overwrite, f"sweep-{units[0].scenario.name}",
                                   [(config, units[0].scenario)], extra)
    with session(store, None, workers, scheduler, batch_size, progress=False if as_json else None) as runner:
        result = run_units("sweep", units, n, base, runner, prec)
    write_outputs(folder, result, data)
    refresh_report(folder, quiet=as_json)
    summary = result.summary()
    summary["vary"] = {p: v for p, v in pairs}
    write_json(folder, "summary.json", summary)
    if as_json:
        _emit_json(summary, folder)
        return
    shown = _shown(result.kpi_names(), kpis or [k for k in SWEEP_SHOWN if k in result.kpi_names()])
    paths = [p for p, _ in pairs]
    head = "".join(f"{p.split('.')[-1][:18]:>19}" for p in paths) + "".join(f"{k[-20:]:>22}" for k in shown)
    click.echo(head)
    click.echo("-" * len(head))
    for s in summary["settings"]:
        line = "".join(f"{str(s['setting'][p])[:18]:>19}" for p in paths)
        line += "".join(f"{_plus_minus(s['kpis'][k], _kind(k)):>22}" for k in shown)
        click.echo(line)
    click.echo("\nmean ±half-width of the 95% interval; every KPI per setting in summary.csv")
    click.echo(f"\n{len(units)} settings x {result.replications} replications, seed {base}, "
               f"{_executor_note(workers, scheduler)} ({runner.ran} run now); results in {folder}/")


# ----------------------------------------------------------------------------------------------- staff
@click.command()
@click.argument("configs", nargs=-1, required=True, type=str)
@scenario_options
@experiment_options(precision=False)
@click.option("--target", "targets", multiple=True, metavar="KPI=VALUE",
              help="A service norm: KPI=V or KPI>=V (at least), KPI<=V (at most), KPI=off (none). Defaults: "
                   "reachability>=0.8, calls_abandoned<=0.05, service_level.<type>>=0.85 for every type.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="A norm holds when this two-sided t-interval of the KPI lies on its side of the target.")
@click.option("--baseline", type=click.Choice(["least", "config"]), default="least", show_default=True,
              help="What the saving is measured against: the first setup at its own least staffing (least), or "
                   "the first config's staffing as it is today (config).")
@click.option("--fte-precision", "fte_precision", type=click.FloatRange(0.0, None, min_open=True), default=None,
              help="Add blocks of replications until each setup's least FTE is known to +- this (95%); default "
                   "one secretary-day (0.2 FTE in a 36-hour week).")
@click.option("--blocks", type=str, default=None, metavar="MIN[:MAX]",
              help="Independent blocks of replications the search runs on (default 3:8); 1 = one search.")
def staff(configs: tuple[str, ...], overrides: tuple[str, ...], seed: int | None, days: int | None,
          out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
          scheduler: str | None, batch_size: int | None, targets: tuple[str, ...], confidence: float,
          baseline: str, fte_precision: float | None, blocks: str | None) -> None:
    """The least FTE at which every service norm holds with confidence, and its spread over clusters or
    departments; with several CONFIGS, the business case: each setup's cost and saving against the first
    (--baseline), with intervals from independent blocks of replications."""
    from sim.business import MAX_BLOCKS, MIN_BLOCKS, business_staff
    from sim.staffing import staff_experiment_hash, staffing_units, targets_for

    scenarios = [load(c, overrides, days, seed) for c in configs]
    check_experiment(scenarios, targets=targets, scheduler=scheduler)
    base = scenarios[0].run.seed if seed is None else seed
    n = replications or DEFAULT_REPLICATIONS
    if n < 2:
        raise ConfigError("--replications", "at least 2 replications are needed for an interval")
    units = staffing_units(scenarios)
    norms = {u.key: targets_for(u.scenario, targets) for u in units}
    exp = staff_experiment_hash(units, base, norms, confidence)
    folder, store = open_store(out, exp, "staff", "staff-" + "-".join(u.key for u in units), overwrite)
    assert folder is not None
    extra = {"targets": {k: [str(t) for t in v] for k, v in norms.items()}, "confidence": confidence}
    data = manifest("staff", units, base, n, store, list(zip(configs, scenarios, strict=True)), extra=extra)
    write_manifest(folder, data)
    lo, hi = parse_blocks(blocks, MIN_BLOCKS, MAX_BLOCKS)
    with session(store, None, workers, scheduler, batch_size, progress=False if as_json else None) as runner:
        result = business_staff(units, norms, n, base, confidence, runner, baseline=baseline,
                                precision=fte_precision, min_blocks=lo, max_blocks=hi)
    exp_result = result.experiment()
    summary = result.summary()
    data["units"] = [{"key": u.key, **dict(u.labels)} for u in exp_result.units]
    write_outputs(folder, exp_result, data, summary=summary, differences=False)
    refresh_report(folder, quiet=as_json)
    write_rows_csv(folder, "trail.csv", result.trail_rows())
    if as_json:
        _emit_json(summary, folder)
        return
    _print_staff(summary)
    click.echo(f"\n{n} replications per candidate and block ({summary['business_case'].get('blocks', 1)} "
               f"blocks), seed {base}, {_executor_note(workers, scheduler)} ({runner.ran} run now); every "
               f"candidate in trail.csv; results in {folder}/")


def parse_blocks(text: str | None, lo: int, hi: int) -> tuple[int, int]:
    """``--blocks MIN[:MAX]``."""
    if text is None:
        return lo, hi
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError:
        raise ConfigError("--blocks", f"{text!r}: expected MIN or MIN:MAX, whole numbers") from None
    a, b = (parts[0], parts[0]) if len(parts) == 1 else (parts[0], parts[1]) if len(parts) == 2 else (0, 0)
    if not 1 <= a <= b <= 50:
        raise ConfigError("--blocks", f"{text!r}: need 1 <= MIN <= MAX <= 50")
    return a, b


def _print_staff(summary: dict[str, Any]) -> None:
    conf = summary["confidence"]
    for name, st in summary["setups"].items():
        cfg, least = st["config"], st["least"]
        meets = "meets" if cfg["meets_norms"] else "misses"
        click.echo(f"{name}: config {cfg['fte']:.1f} FTE ({meets} the norms) -> least {least['fte']:.1f} FTE "
                   f"that meets them ({st['evaluations']} staffings simulated)")
        for g, spread in least["spread"].items():
            people = ", ".join(f"{p} ({len(d)}d)" for p, d in spread["secretaries"].items())
            click.echo(f"    {g:<22}{spread['fte']:5.1f} FTE  {people}")
        click.echo(f"    {'norm':<34}{'target':>10}{f'{100 * conf:g}% interval at least':>30}{'holds':>7}")
        for kpi, nrm in least["norms"].items():
            if nrm.get("department"):
                continue  # per-department norms: the worst department is shown with the business case
            iv = "-" if nrm["ci_low"] is None else \
                f"[{100 * nrm['ci_low']:.1f}%, {100 * nrm['ci_high']:.1f}%]"
            holds = "-" if nrm["holds"] is None else ("yes" if nrm["holds"] else "NO")
            click.echo(f"    {kpi:<34}{nrm['op'] + ' ' + format(100 * nrm['value'], '.0f') + '%':>10}{iv:>30}"
                       f"{holds:>7}")
    case = summary["business_case"]
    if "baseline" in case:
        _print_case(case)
        return
    if len(case["setups"]) < 2:
        return
    click.echo(f"\nbusiness case against {case['reference']} at its least staffing "
               f"(the article expects at least {100 * case['article_saving']:.0f}% saving):")
    click.echo(f"    {'setup':<16}{'config FTE':>11}{'least FTE':>11}{'euro/year':>13}{'saving FTE':>12}"
               f"{'saving':>9}{'euro/year saved':>17}")
    for name, row in case["setups"].items():
        share = "-" if row["saving_share"] is None else f"{100 * row['saving_share']:.1f}%"
        click.echo(f"    {name:<16}{row['fte_config']:>11.1f}{row['fte']:>11.1f}"
                   f"{row['cost_per_year']:>13,.0f}{row['saving_fte']:>12.1f}{share:>9}"
                   f"{row['saving_euro']:>17,.0f}")


# ----------------------------------------------------------------------------------------- sensitivity
@click.command()
@click.argument("config_ref", type=str)
@click.argument("config_alt", type=str)
@scenario_options
@experiment_options
@click.option("--param", "params", multiple=True, metavar="NAME[=LOW,HIGH]",
              help="A parameter to vary (repeatable; default all): patience, talk, work, demand, sickness, "
                   "shrinkage, occupancy, reachability, abandoned, hnw, custom_penalty; =LOW,HIGH another range.")
@click.option("--points", type=click.IntRange(3, 21), default=3, show_default=True,
              help="Values per parameter: the range's ends, the config's value, and more between.")
@click.option("--target", "targets", multiple=True, metavar="KPI=VALUE", help="As for sim staff.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True)
def sensitivity(config_ref: str, config_alt: str, overrides: tuple[str, ...], seed: int | None, days: int | None,
                out: Path | None, overwrite: bool, as_json: bool, replications: int | None, workers: int | None,
                scheduler: str | None, batch_size: int | None, params: tuple[str, ...], points: int,
                targets: tuple[str, ...], confidence: float) -> None:
    """What would flip the business case: the saving of CONFIG_ALT against CONFIG_REF (both at their least
    staffing) as each assumed parameter runs over its range; a tornado figure (tornado.png) and each
    parameter's break-even value, where the saving crosses the article's 15%."""
    from sim.sensitivity import fmt_break_even, parameters, sim_key, tornado
    from sim.sensitivity import sensitivity as run_sensitivity

    ref, alt = (load(c, overrides, days, seed) for c in (config_ref, config_alt))
    base = ref.run.seed if seed is None else seed
    n = replications or DEFAULT_REPLICATIONS
    if n < 2:
        raise ConfigError("--replications", "at least 2 replications are needed for an interval")
    chosen = parameters(params)
    units = [Unit(ref.name, ref), Unit(alt.name, alt)]
    extra = {"params": [[p.name, list(p.values)] for p in chosen], "points": points, "targets": list(targets),
             "confidence": confidence, "sim": [sim_key(ref), sim_key(alt)]}
    exp = experiment_hash("sensitivity", units, base, extra)
    folder, store = open_store(out, exp, "sensitivity", f"sensitivity-{ref.name}-{alt.name}", overwrite)
    assert folder is not None
    data = manifest("sensitivity", units, base, n, store, [(config_ref, ref), (config_alt, alt)], extra=extra)
    write_manifest(folder, data)
    say = None if as_json else (lambda text: click.echo("  " + text, err=True))
    with session(store, None, workers, scheduler, batch_size, progress=False if as_json else None) as runner:
        result = run_sensitivity(ref, alt, runner, n, base, params=chosen, points=points, targets=targets,
                                 confidence=confidence, progress=say)
    write_json(folder, "summary.json", result)
    rows = [{"parameter": r["parameter"], "value": pt["value"], "saving": pt["saving"],
             "fte_reference": pt["fte"]["reference"], "fte_alternative": pt["fte"]["alternative"],
             "binding_reference": " ".join(pt["binding"]["reference"]),
             "binding_alternative": " ".join(pt["binding"]["alternative"])}
            for r in result["parameters"] for pt in r["points"]]
    write_rows_csv(folder, "sensitivity.csv", rows)
    tornado(result, str(folder / "tornado.png"))
    data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_manifest(folder, data)
    if as_json:
        _emit_json(result, folder)
        return
    b = result["base"]
    click.echo(f"saving of {alt.name} against {ref.name} (each at its least staffing) at the config's values: "
               f"{100 * b['saving']:.1f}% ({b['fte']['alternative']:.1f} vs {b['fte']['reference']:.1f} FTE); "
               f"the article expects {100 * result['article_saving']:.0f}%")
    click.echo(f"\n    {'parameter':<38}{'range':>16}{'saving low':>12}{'saving high':>13}{'break-even':>18}")
    for r in result["parameters"]:
        rng = f"{r['low']:g} .. {r['high']:g}"
        click.echo(f"    {r['label']:<38}{rng:>16}"
                   f"{100 * r['saving_low']:>11.1f}%{100 * r['saving_high']:>12.1f}%"
                   f"{fmt_break_even(r['break_even']):>18}")
    click.echo(f"\n{n} replications per candidate, seed {base}, common random numbers, "
               f"{_executor_note(workers, scheduler)} ({runner.ran} run now); tornado.png, sensitivity.csv and "
               f"summary.json in {folder}/")


def _print_case(case: dict[str, Any]) -> None:
    """The business case over blocks (sim.business): headline, costs, binding norms, departments."""
    from sim.business import headline

    click.echo(f"\nbusiness case against {case['reference']}: {case['baseline_meaning']}; {case['blocks']} "
               f"independent blocks (least FTE: mean [95% interval] over blocks; saving paired by block):")
    for line in headline(case):
        click.echo("  " + line)
    click.echo(f"\n    {'setup':<16}{'config FTE':>11}{'least FTE [95%]':>22}{'recommended':>12}"
               f"{'euro/year':>13}{'saving [95%]':>24}{'payback':>9}")
    for name, row in case["setups"].items():
        f = row["fte_least"]
        fte = f"{f['mean']:.1f}" + ("" if f["ci_low"] is None else f" [{f['ci_low']:.1f}, {f['ci_high']:.1f}]")
        sv = row["saving_share_ci"]
        saving = "-" if sv is None or sv["mean"] is None else f"{100 * sv['mean']:.1f}%" + (
            "" if sv["ci_low"] is None else f" [{100 * sv['ci_low']:.1f}, {100 * sv['ci_high']:.1f}]")
        pb = row["payback_years"]
        payback = "-" if pb is None else f"{pb:.1f} y"
        rec = f"{row['fte']:.1f}" + ("" if row["recommended_confirmed"] else "?")
        click.echo(f"    {name:<16}{row['fte_config']:>11.1f}{fte:>22}{rec:>12}{row['cost_per_year']:>13,.0f}"
                   f"{saving:>24}{payback:>9}")
    click.echo("    (recommended: the smallest block answer that meets the norms on every block; ? = none did, "
               "the largest shown)")
    for name, row in case["setups"].items():
        p = row.get("precision")
        if p and not p["reached"]:
            click.echo(f"    {name}: precision NOT reached: least FTE known to +-{p['half_width']:.2f} after "
                       f"{len(row['fte_blocks'])} blocks, asked +-{p['fte']:.2f} (more blocks: --blocks MIN:MAX)")
    for name, row in case["setups"].items():
        binding = ", ".join(f"{k} ({n}x)" for k, n in list(row["binding_norms"].items())[:4]) or "none found"
        click.echo(f"\n{name}: binding norms (broken by one day less): {binding}")
        margins = {k: m for k, m in row["margins"].items() if m is not None and ":" not in k}
        click.echo("    margins at the recommended staffing: " + ", ".join(
            f"{k} {m:+.3f}" for k, m in sorted(margins.items(), key=lambda kv: kv[1])))
        worst = row["worst_department"]
        if worst:
            click.echo(f"    worst department: {worst['department']} ({worst['kpi']} margin {worst['margin']:+.3f})")
        if row["saving_share"] is not None:
            deltas = {d: v.get("reachability_vs_baseline") for d, v in row["departments"].items()}
            known = {d: v for d, v in deltas.items() if v is not None}
            if known:
                gain = max(known, key=lambda d: known[d])
                lose = min(known, key=lambda d: known[d])
                click.echo(f"    reachability vs {case['reference']}: most gained {gain} {100 * known[gain]:+.1f} "
                           f"points, most lost {lose} {100 * known[lose]:+.1f} points")


__all__ = ["compare", "sweep", "staff", "sensitivity", "experiment_options"]
