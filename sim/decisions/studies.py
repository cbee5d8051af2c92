"""Studies that end in a results folder: the business case (``sim staff``) and the sensitivity analysis (``sim
sensitivity``), from Python as from the command line.

Each composes the library's parts, which sit below this module (the staffing search and business case of
:mod:`sim.decisions.business`, the saving's waterfall of :mod:`sim.decisions.waterfall`, the one-at-a-time analysis of
:mod:`sim.decisions.sensitivity` and the Morris screening of :mod:`sim.decisions.screening`), and, given ``out``, writes
the complete folder through :mod:`sim.experiments.results`: the manifest first (``finished: null``), the tables, figures
and summary, and the manifest again, last, when it finished. A command only checks its options, calls one of these and
prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.config import ConfigError, OptionError, Scenario
from sim.decisions.business import MAX_BLOCKS, MIN_BLOCKS, StaffResult, business_staff, plan
from sim.decisions.sensitivity import Parameter, applied, parameters, sim_key
from sim.experiments.executors import Executor
from sim.experiments.experiment import DEFAULT_REPLICATIONS, Unit, experiment_hash, results_folder, session
from sim.experiments.output import plain_text
from sim.experiments.results import ResultsFolder, manifest
from sim.experiments.stats import ALPHA

__all__ = ["cash_flow_rows", "check_ranges", "sensitivity", "staff_case"]

Paths = Sequence[str | Path | None] | None


# ------------------------------------------------------------------------------------------ business case
def staff_case(scenarios: Sequence[Scenario], replications: int = DEFAULT_REPLICATIONS, seed: int | None = None,
               *, targets: Sequence[str] = (), confidence: float = 1 - ALPHA, baseline: str = "config",
               precision: float | None = None, min_blocks: int = MIN_BLOCKS, max_blocks: int = MAX_BLOCKS,
               waterfall: bool = False, out: str | Path | None = None, overwrite: bool = False,
               workers: int | None = None, scheduler: str | None = None, executor: Executor | None = None,
               batch_size: int | None = None, progress: bool | None = False,
               config_paths: Paths = None) -> StaffResult:
    """The business case of ``scenarios`` (the first is today's organisation, the baseline): each setup's
    least staffing over blocks of replications, its cost and saving, and with ``waterfall`` where the saving
    comes from. With ``out`` the results store is kept there (resumable) and the complete folder written (as
    ``sim staff`` writes it); without, the store is in memory and nothing is written."""
    p = plan(scenarios, replications, seed, targets=targets, confidence=confidence)
    name = "staff-" + "-".join(u.key for u in p.units)
    with results_folder(out, p.experiment, "staff", name, overwrite) as (folder, store):
        data: dict[str, Any] = {}
        if folder is not None:
            paths = list(config_paths) if config_paths is not None else [None] * len(scenarios)
            extra = {"targets": {k: [str(t) for t in v] for k, v in p.norms.items()}, "target_specs": list(targets),
                     "confidence": confidence}
            data = manifest("staff", p.units, p.seed, replications, store,
                            list(zip(paths, scenarios, strict=True)), extra=extra)
            folder.start(data)
        with session(store, executor, workers, scheduler, batch_size, progress) as runner:
            result = business_staff(p.units, p.norms, replications, p.seed, confidence, runner, baseline=baseline,
                                    precision=precision, min_blocks=min_blocks, max_blocks=max_blocks,
                                    specs=targets)
            if waterfall and result.case is not None:
                from sim.decisions.waterfall import waterfalls

                for key, wf in waterfalls(result, runner).items():
                    result.case["setups"][key]["waterfall"] = wf
        if folder is not None:
            _write_staff(folder, result, data)
        return result


def _write_staff(folder: ResultsFolder, result: StaffResult, data: dict[str, Any]) -> None:
    from sim.decisions.waterfall import csv_rows as waterfall_rows

    summary = result.summary()
    case = summary["business_case"]
    folder.write_table("trail.csv", result.trail_rows())
    folder.write_table("roster.csv", [{"setup": name, **r} for name, row in case["setups"].items()
                                      for r in row.get("roster") or []])
    folder.write_table("cash_flow.csv", cash_flow_rows(case))
    folder.write_table("waterfall.csv", waterfall_rows(case))
    folder.write_table("gain_loss.csv", [{"setup": name, **r} for name, row in case["setups"].items()
                                         for r in row.get("gain_loss") or []])
    folder.write_table("service_curve.csv", [
        {"setup": name, "fte": r["fte"], "feasible": r["feasible"],
         **{f"{k}.{q}": r[k][q] for k in ("reachability", "calls_abandoned", "utilisation")
            for q in ("mean", "ci_low", "ci_high")},
         **{f"worst_margin.{k}": v for k, v in r["worst_department_margin"].items()}}
        for name, row in case["setups"].items() for r in row.get("service_curve") or []])
    exp_result = result.experiment()
    data = {**data, "targets": {k: [str(t) for t in v] for k, v in result.targets.items()},
            "units": [{"key": u.key, **dict(u.labels)} for u in exp_result.units]}
    folder.write_experiment(exp_result, data, summary=summary, differences=False)


def cash_flow_rows(case: dict[str, Any]) -> list[dict[str, Any]]:
    """``cash_flow.csv``: per setup, reduction and year, the move's cash flow (sim.decisions.business.cash_flow)."""
    return [{"setup": name, "reduction": k, "chosen": k == row["cash_flow"]["chosen"], **r}
            for name, row in case["setups"].items() if row.get("cash_flow")
            for k in ("attrition", "redundancy") for r in row["cash_flow"][k]["rows"]]


# -------------------------------------------------------------------------------------------- sensitivity
def check_ranges(ref: Scenario, alt: Scenario, chosen: Sequence[Parameter]) -> None:
    """Every end of every parameter's range gives a valid config of each setup it applies to (a sick-leave
    share of 1.5, a negative demand factor), checked before any replication runs or any file is written."""
    setups = {"reference": ref, "alternative": alt}
    for p in chosen:
        for value in (min(p.values), max(p.values)):
            for which in p.setups:
                try:
                    applied(setups[which], [(p, value)])
                except ConfigError as err:
                    raise OptionError("param", f"{p.name}={value:g} does not give a valid config: "
                                                 f"{err.message}") from None


def sensitivity(ref: Scenario, alt: Scenario, replications: int = DEFAULT_REPLICATIONS, seed: int | None = None,
                *, params: Sequence[str] | Sequence[Parameter] = (), points: int = 3, targets: Sequence[str] = (),
                confidence: float = 1 - ALPHA, baseline: str = "least", trajectories: int = 0, levels: int = 4,
                out: str | Path | None = None, overwrite: bool = False, workers: int | None = None,
                scheduler: str | None = None, executor: Executor | None = None, batch_size: int | None = None,
                progress: bool | None = False, say: Callable[[str], None] | None = None,
                config_paths: Paths = None,
                figures: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None) -> dict[str, Any]:
    """What would flip the business case: the saving of ``alt`` against ``ref`` as each parameter runs over its
    range (:func:`sim.decisions.sensitivity.sensitivity`), and with ``trajectories`` >= 2 a Morris screening too
    (:func:`sim.decisions.screening.screening`). Every option is checked before anything runs or is written. With
    ``out`` the complete folder: summary.json, sensitivity.csv (and morris.csv, morris_design.csv), the figures'
    data, the manifest last; with ``figures`` (``sim.presentation.figures.SENSITIVITY_FIGURES``, as ``sim
    sensitivity`` passes it: this layer draws nothing) also tornado.png (and morris.png)."""
    from sim.decisions.sensitivity import sensitivity as one_at_a_time

    base = ref.run.seed if seed is None else seed
    if replications < 2:
        raise OptionError("replications", "at least 2 replications are needed for an interval")
    chosen = [p for p in params if isinstance(p, Parameter)] if params and all(
        isinstance(p, Parameter) for p in params) else parameters([str(p) for p in params])
    check_ranges(ref, alt, chosen)
    if trajectories:
        from sim.decisions.screening import check, require_salib

        check(trajectories, levels, chosen)
        require_salib()
    units = [Unit(ref.name, ref), Unit(alt.name, alt)]
    extra = {"params": [[p.name, list(p.values)] for p in chosen], "points": points, "targets": list(targets),
             "confidence": confidence, "sim": [sim_key(ref), sim_key(alt)],
             **({"baseline": baseline} if baseline != "least" else {}),
             **({"morris": [trajectories, levels]} if trajectories else {})}
    exp = experiment_hash("sensitivity", units, base, extra)
    name = f"sensitivity-{ref.name}-{alt.name}"
    with results_folder(out, exp, "sensitivity", name, overwrite) as (folder, store):
        data: dict[str, Any] = {}
        if folder is not None:
            paths = list(config_paths) if config_paths is not None else [None, None]
            data = manifest("sensitivity", units, base, replications, store, list(zip(paths, (ref, alt),
                                                                                      strict=True)), extra=extra)
            folder.start(data)
        with session(store, executor, workers, scheduler, batch_size, progress) as runner:
            result = one_at_a_time(ref, alt, runner, replications, base, params=chosen, points=points,
                                   targets=targets, confidence=confidence, progress=say, baseline=baseline)
            if trajectories:
                from sim.decisions.screening import screening

                result["morris"] = screening(ref, alt, runner, replications, base, params=chosen,
                                             trajectories=trajectories, levels=levels, targets=targets,
                                             confidence=confidence, baseline=baseline, progress=say)
        if folder is not None:
            _write_sensitivity(folder, result, data, figures or {})
        return result


def _write_sensitivity(folder: ResultsFolder, result: dict[str, Any], data: dict[str, Any],
                       figures: Mapping[str, Callable[[dict[str, Any]], Any]]) -> None:
    folder.write_json("summary.json", result)
    folder.write_table("sensitivity.csv", [
        {"parameter": r["parameter"], "value": pt["value"], "saving": pt["saving"],
         "fte_reference": pt["fte"]["reference"], "fte_alternative": pt["fte"]["alternative"],
         "binding_reference": " ".join(pt["binding"]["reference"]),
         "binding_alternative": " ".join(pt["binding"]["alternative"])}
        for r in result["parameters"] for pt in r["points"]])
    if "tornado" in figures:
        _figure(folder, "tornado.png", lambda: figures["tornado"](result))
    morris = result.get("morris")
    if morris:
        from sim.decisions.screening import rows as morris_rows

        folder.write_table("morris.csv", morris_rows(morris))
        folder.write_table("morris_design.csv", [
            {"point": i, **pt["values"], "saving": pt["saving"], "fte_reference": pt["fte"]["reference"],
             "fte_alternative": pt["fte"]["alternative"]} for i, pt in enumerate(morris["points"])])
        if "morris" in figures:
            _figure(folder, "morris.png", lambda: figures["morris"](morris))
    folder.finish(data)


def _figure(folder: ResultsFolder, name: str, draw: Callable[[], Any]) -> None:
    """A figure drawn by ``draw`` (which returns it), written atomically into the folder, then closed."""
    import matplotlib.pyplot as plt

    with plain_text():
        fig = draw()
        try:
            folder.write_figure(name, fig, bbox_inches="tight")
        finally:
            plt.close(fig)
