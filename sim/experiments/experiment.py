"""Experiments: replications with confidence intervals, fair comparisons of setups, and sweeps over settings.

An experiment runs *units* (setups to compare, settings of a sweep, candidate staffings) for replications
0, 1, 2, ... Replication ``i`` of every unit uses the same seed, derived from the base seed by a numpy seed
sequence (``SeedSequence(base).spawn(...)[i]``), and the model keys each random stream by seed and stream
name: so the setups compared on replication ``i`` see the same calls, mail and meetings (common random
numbers), and their per-replication differences are *paired*. Every KPI gets its mean, sd and a 95% interval
that respects its range (:func:`sim.experiments.stats.summarize_kpi`: logit scale for shares, log scale for durations
and rates, Student t for the rest); every setup after the first gets the paired difference against the first, with
its Student-t interval.

Everything here composes :func:`sim.core.model.run_replication`, through an executor (:mod:`sim.experiments.executors`:
serial, a process pool, or Dask) and the results store (:mod:`sim.experiments.store`), which commits each replication as
it finishes and lets a killed run resume. Aggregates are computed from what the store holds, sorted by (unit,
replication), so they are the same whatever the executor, the number of workers, the order of completion or
any interruption.

From Python (pandas is needed for the frames only, imported when asked for)::

    from sim.experiments.experiment import compare
    res = compare([load_scenario("configs/decentral.yaml"), load_scenario("configs/central.yaml")],
                  replications=10)
    res.summary_frame(); res.differences_frame(); res.kpis_frame(); res.table_frame("per_department")
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config import OptionError, Scenario, config_hash, load_scenario, option, parse_yaml, plain_data
from sim.experiments.executors import Executor, Job, make_executor
from sim.experiments.results import ResultsFolder, manifest, write_manifest
from sim.experiments.seeds import replication_seed
from sim.experiments.stats import ALPHA, Difference, ReplicationsAlgorithm, Summary, paired_difference, summarize_kpi
from sim.experiments.store import ReplicationRecord, ResultStore

#: Replications when none are asked for.
DEFAULT_REPLICATIONS = 10
#: The most replications --precision may run when --replications does not say.
DEFAULT_PRECISION_BUDGET = 100


# ------------------------------------------------------------------------------------------------ units
@dataclass(frozen=True)
class Unit:
    """What an experiment runs replications of: a setup, a sweep setting or a candidate staffing.

    ``labels`` become the leading columns of every tidy table (``{"setup": "central"}``, or the setting's
    ``{"setup": ..., "dispatch.exchange.policy": "pool"}``). ``stream`` is None for common random numbers.
    """

    key: str
    scenario: Scenario
    labels: Mapping[str, Any] = field(default_factory=dict)
    stream: int | None = None

    def seed(self, base_seed: int, replication: int) -> int:
        return replication_seed(base_seed, replication, self.stream)


def setup_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with duplicates made unique: ``central``, ``central-2``."""
    names: list[str] = []
    for s in scenarios:
        name, k = s.name, 2
        while name in names:
            name, k = f"{s.name}-{k}", k + 1
        names.append(name)
    return names


def experiment_hash(kind: str, units: Sequence[Unit], base_seed: int, extra: Any = None) -> str:
    """Identifies an experiment in the results store: its kind, every unit's key, config and seed stream,
    the base seed, and anything else that decides which replications it runs (not how many: a store can be
    extended with more replications)."""
    data = {
        "kind": kind, "seed": base_seed, "extra": extra,
        "units": [[u.key, config_hash(u.scenario), u.stream] for u in units],
    }
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


# --------------------------------------------------------------------------------------------- running
class Runner:
    """Runs the replications an experiment still misses, commits each to the store, shows progress."""

    def __init__(self, store: ResultStore, executor: Executor, progress: bool | None = None) -> None:
        self.store = store
        self.executor = executor
        self.progress = _want_progress(progress)
        self._bar: Any = None
        self.ran = 0  # replications simulated by this runner (not found in the store)

    @property
    def parallelism(self) -> int:
        return self.executor.parallelism

    def ensure(self, units: Sequence[Unit], replications: int, base_seed: int) -> None:
        """Make sure replications 0 .. replications-1 of every unit are in the store."""
        done = self.store.done()
        tasks = [Job(u.key, i, u.seed(base_seed, i), u.scenario)
                 for i in range(replications) for u in units if (u.key, i) not in done]
        self.run(tasks)

    def run(self, tasks: Sequence[Job]) -> None:
        if not tasks:
            return
        bar = self._progress_bar(len(tasks))
        results = self.executor.run(tasks)
        try:
            for record in results:
                self.store.put(record)
                self.ran += 1
                if bar is not None:
                    bar.update(1)
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # a generator over a pool or a cluster cancels what is still pending

    def _progress_bar(self, more: int) -> Any:
        if not self.progress:
            return None
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=more, unit="rep", desc="replications", delay=2.0, file=sys.stderr,
                             dynamic_ncols=True, leave=False)
        elif self._bar.total is not None:
            # A second batch (a staffing search's next candidate, more replications for --precision): the
            # total is not known in advance, and a total that keeps growing (0/3 ... 42/45) makes the time
            # left meaningless, so the bar counts replications and their rate without a total from here on.
            self._bar.total = None
            self._bar.refresh()
        return self._bar

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _want_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def session(store: ResultStore, executor: Executor | None = None, workers: int | None = None,
            scheduler: str | None = None, batch_size: int | None = None,
            progress: bool | None = None) -> Iterator[Runner]:
    """A runner over ``store`` with the given executor (or one made from workers/scheduler), closed after."""
    own = executor is None
    ex = executor if executor is not None else make_executor(workers, scheduler, batch_size)
    runner = Runner(store, ex, progress)
    try:
        yield runner
    finally:
        runner.close()
        if own:
            ex.close()


# -------------------------------------------------------------------------------------------- results
@dataclass
class ExperimentResult:
    """The replications of an experiment's units, and what they say (intervals, paired differences)."""

    kind: str
    units: list[Unit]
    replications: int
    seed: int
    store: ResultStore
    crn: bool = True
    info: dict[str, Any] = field(default_factory=dict)
    records: list[ReplicationRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.records:
            self.records = self.store.records([u.key for u in self.units], self.replications)
        by_unit: dict[str, list[ReplicationRecord]] = {}
        for r in self.records:
            by_unit.setdefault(r.unit, []).append(r)
        self._by_unit = by_unit
        missing = [u.key for u in self.units if len(by_unit.get(u.key, [])) != self.replications]
        if missing:
            raise RuntimeError(f"replications missing from the store for {', '.join(missing)}")

    # -- per KPI -----------------------------------------------------------------------------------------
    def kpi_names(self) -> list[str]:
        """Every KPI of any replication, in the order they first appear."""
        return list(dict.fromkeys(k for r in self.records for k in r.kpis))

    def values(self, unit: str, kpi: str) -> list[float | None]:
        """The KPI's value in each replication of ``unit``, in replication order (None where unmeasured)."""
        return [r.kpis.get(kpi) for r in self._by_unit[unit]]

    def summaries(self) -> dict[str, dict[str, Summary]]:
        names = self.kpi_names()
        return {u.key: {k: summarize_kpi(k, self.values(u.key, k)) for k in names} for u in self.units}

    def differences(self) -> dict[str, dict[str, Difference]]:
        """Each unit after the first minus the first, paired by replication."""
        if not self.units:
            return {}
        ref = self.units[0].key
        names = self.kpi_names()
        return {u.key: {k: paired_difference(self.values(u.key, k), self.values(ref, k)) for k in names}
                for u in self.units[1:]}

    def summary(self) -> dict[str, Any]:
        """The --json object: every unit's KPIs as {mean, ci_low, ci_high, sd, n}, and the paired differences
        against the first unit as {mean, ci_low, ci_high, significant, sd, n}."""
        sums = self.summaries()
        diffs = self.differences()
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "sweep":
            out["settings"] = [
                {"key": u.key, "setting": {k: v for k, v in u.labels.items() if k != "setup"},
                 "kpis": {k: s.to_dict() for k, s in sums[u.key].items()}}
                for u in self.units
            ]
        else:
            out["setups"] = {u.key: {k: s.to_dict() for k, s in sums[u.key].items()} for u in self.units}
        out["reference"] = self.units[0].key if self.units else None
        out["differences"] = {
            key: {k: {"mean": d.mean, "ci_low": d.ci_low, "ci_high": d.ci_high, "significant": d.significant,
                      "sd": d.sd, "n": d.n} for k, d in kd.items()}
            for key, kd in diffs.items()
        }
        out["replications"] = self.replications
        out["seed"] = self.seed
        out["confidence"] = 1 - ALPHA
        out["common_random_numbers"] = self.crn
        out.update(self.info)
        return out

    # -- tidy rows ---------------------------------------------------------------------------------------
    def label_columns(self) -> list[str]:
        """Every label of any unit, in the order they first appear."""
        return list(dict.fromkeys(k for u in self.units for k in u.labels))

    def _labels(self, unit: Unit) -> dict[str, Any]:
        return {c: unit.labels.get(c) for c in self.label_columns()}

    def kpi_rows(self) -> Iterator[dict[str, Any]]:
        """One row per unit x replication x KPI: labels, replication, seed, kpi, value."""
        for u in self.units:
            labels = self._labels(u)
            for r in self._by_unit[u.key]:
                for k, v in r.kpis.items():
                    yield {**labels, "replication": r.replication, "seed": r.seed, "kpi": k, "value": v}

    def summary_rows(self) -> Iterator[dict[str, Any]]:
        sums = self.summaries()
        for u in self.units:
            labels = self._labels(u)
            for k, s in sums[u.key].items():
                yield {**labels, "kpi": k, **s.to_dict()}

    def difference_rows(self) -> Iterator[dict[str, Any]]:
        units = {u.key: u for u in self.units}
        for key, kd in self.differences().items():
            labels = self._labels(units[key])
            for k, d in kd.items():
                yield {**labels, "reference": self.units[0].key, "kpi": k, **d.to_dict()}

    def table_names(self) -> list[str]:
        names: dict[str, None] = {}
        for rec in self.store.iter_records([u.key for u in self.units[:1]], 1, tables=True):
            for name in rec.tables or {}:
                names[name] = None
        return list(names)

    def table_rows(self, name: str) -> Iterator[dict[str, Any]]:
        """Rows of result table ``name`` from every replication, with leading labels and replication."""
        for u in self.units:
            labels = self._labels(u)
            for rec in self.store.iter_records([u.key], self.replications, tables=True):
                for row in (rec.tables or {}).get(name, []):
                    yield {**labels, "replication": rec.replication, **row}

    # -- data frames (pandas imported only here) ---------------------------------------------------------
    def kpis_frame(self) -> Any:
        return _frame(self.kpi_rows())

    def summary_frame(self) -> Any:
        return _frame(self.summary_rows())

    def differences_frame(self) -> Any:
        return _frame(self.difference_rows())

    def table_frame(self, name: str) -> Any:
        return _frame(self.table_rows(name))


def _frame(rows: Iterable[dict[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("data frames need pandas: pip install 'secretariat-sim[frames]'") from None
    return pd.DataFrame(list(rows))


# ----------------------------------------------------------------------------------------- experiments
def open_store(out: str | Path | None, experiment: str, kind: str, default_name: str,
               overwrite: bool = False, root: str | Path = "results") -> tuple[Path | None, ResultStore]:
    """The output folder and its results store (:meth:`sim.experiments.results.ResultsFolder.open`, for callers that
    only want the two)."""
    folder = ResultsFolder.open(out, experiment, kind, default_name, overwrite, root)
    folder.close()  # no lock held: the caller owns the folder from here
    return folder.path, folder.store


@contextlib.contextmanager
def results_folder(out: str | Path | None, experiment: str, kind: str, name: str,
                   overwrite: bool) -> Iterator[tuple[ResultsFolder | None, ResultStore]]:
    """The experiment's folder (None without ``out``: the store in memory, no files) and its store; the folder
    is released when the block ends."""
    if out is None:
        store = ResultStore.open(None, experiment, kind)
        yield None, store
        return
    folder = ResultsFolder.open(out, experiment, kind, name, overwrite)
    try:
        yield folder, folder.store
    finally:
        folder.close()


def run_units(kind: str, units: Sequence[Unit], replications: int, seed: int, runner: Runner,
              precision: tuple[str, float] | None = None, crn: bool = True) -> ExperimentResult:
    """Run ``replications`` of every unit (or, with ``precision=(kpi, target)``, as many as the replications
    algorithm needs, at most ``replications``) and gather the result from the store."""
    info: dict[str, Any] = {}
    n = replications
    if precision is not None:
        n, info = run_to_precision(units, seed, runner, precision[0], precision[1], budget=replications)
    else:
        runner.ensure(units, n, seed)
    return ExperimentResult(kind, list(units), n, seed, runner.store, crn, info)


def run_to_precision(units: Sequence[Unit], seed: int, runner: Runner, kpi: str, target: float,
                     budget: int = DEFAULT_PRECISION_BUDGET) -> tuple[int, dict[str, Any]]:
    """Add replications until ``kpi``'s relative half-width is at most ``target`` for every unit, and stays
    so over the look-ahead (Hoad, Robinson & Davies 2010). Replications run in rounds as wide as the
    executor; the answer is what a sequential run would give, whatever the width."""
    alg = ReplicationsAlgorithm(target=target, budget=max(budget, 3))
    limit = alg.budget + alg.k_limit(alg.budget)
    step = max(2, runner.parallelism)
    n = 0
    while True:
        n = min(limit, max(alg.initial, n + step))
        runner.ensure(units, n, seed)
        records = runner.store.records([u.key for u in units], n)
        decisions = {}
        for u in units:
            values = [r.kpis.get(kpi) for r in records if r.unit == u.key]
            if all(v is None for v in values):
                raise OptionError("precision", f"no KPI {kpi!r} in the results; see kpis.csv for the names")
            decisions[u.key] = alg.decide(values)
        if all(stop is not None for _, stop in decisions.values()) or n >= limit:
            stops = [stop if stop is not None else n for _, stop in decisions.values()]
            final = max(stops)
            reached = all(sol is not None for sol, _ in decisions.values())
            return final, {"precision": {
                "kpi": kpi, "target_relative_half_width": target, "reached": reached, "budget": alg.budget,
                "solution": {k: sol for k, (sol, _) in decisions.items()},
            }}


def compare(scenarios: Sequence[Scenario], replications: int = DEFAULT_REPLICATIONS,
            seed: int | None = None, *,
            out: str | Path | None = None, overwrite: bool = False, workers: int | None = None,
            scheduler: str | None = None, executor: Executor | None = None, batch_size: int | None = None,
            progress: bool | None = False, precision: tuple[str, float] | None = None,
            crn: bool = True, config_paths: Sequence[str | Path | None] | None = None) -> ExperimentResult:
    """Run every scenario for the same replications and compare each with the first.

    ``seed`` defaults to the first scenario's ``run.seed``. ``crn=False`` gives each setup independent seeds
    (to show what common random numbers buy). ``out`` keeps the results store there (resumable) and writes
    the complete results folder (:mod:`sim.experiments.results`: manifest, summary, CSVs, configs), which ``sim
    report``, ``sim plot`` and ``sim export`` read; ``config_paths`` are the config files named in its manifest. Without
    ``out`` the store is in memory and no files are written.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    base = scenarios[0].run.seed if seed is None else seed
    names = setup_names(scenarios)
    units = [Unit(n, s, {"setup": n}, None if crn else j)
             for j, (n, s) in enumerate(zip(names, scenarios, strict=True))]
    exp = experiment_hash("compare", units, base)
    paths = list(config_paths) if config_paths is not None else [None] * len(scenarios)
    with results_folder(out, exp, "compare", "compare-" + "-vs-".join(names), overwrite) as (folder, store):
        with session(store, executor, workers, scheduler, batch_size, progress) as runner:
            result = run_units("compare", units, replications, base, runner, precision, crn)
        if folder is not None:
            extra = {"precision": {"kpi": precision[0], "target": precision[1]} if precision else None}
            data = manifest("compare", result.units, base, replications, store,
                            list(zip(paths, scenarios, strict=True)), extra=extra)
            folder.write_experiment(result, data)
        return result


def parse_vary(spec: str) -> tuple[str, list[str]]:
    """``dotted.path=v1,v2,...`` -> (path, [v1, v2, ...]); commas inside [] or {} do not split."""
    path, sep, raw = spec.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise OptionError("vary", f"{spec!r}: expected dotted.path=value1,value2,...")
    values, depth, cur = [], 0, ""
    for ch in raw:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            values.append(cur.strip())
            cur = ""
        else:
            cur += ch
    values.append(cur.strip())
    if any(not v for v in values):
        raise OptionError("vary", f"{spec!r}: an empty value in the list")
    if len(set(values)) != len(values):
        raise OptionError("vary", f"{spec!r}: a value is listed twice")
    return path, values


def sweep_units(config: str | Path, vary: Sequence[tuple[str, Sequence[Any]]], overrides: Sequence[str] = (),
                days: int | None = None, seed: int | None = None) -> list[Unit]:
    """One unit per point of the full grid of ``vary`` (path, values), in grid order (last path fastest)."""
    paths = [p for p, _ in vary]
    if len(set(paths)) != len(paths):
        raise OptionError("vary", "a path is varied twice")
    texts = [[v if isinstance(v, str) else json.dumps(v) for v in values] for _, values in vary]
    grid: list[list[tuple[str, str]]] = [[]]
    for path, values in zip(paths, texts, strict=True):
        grid = [point + [(path, v)] for point in grid for v in values]
    extra = list(overrides)
    if days is not None:
        extra.append(f"run.days={days}")
    if seed is not None:
        extra.append(f"run.seed={seed}")
    units = []
    for point in grid:
        scenario = load_scenario(config, extra + [f"{p}={v}" for p, v in point])
        labels: dict[str, Any] = {"setup": scenario.name}
        labels.update({p: _label(v) for p, v in point})
        units.append(Unit(",".join(f"{p}={v}" for p, v in point) or "base", scenario, labels))
    return units


def _label(text: str) -> Any:
    """A swept value as the user wrote it: read as the config reads it (``17:00`` stays the text "17:00",
    not YAML 1.1's 1020 minutes)."""
    return plain_data(parse_yaml(text, option("vary")), option("vary"))


def sweep(config: str | Path, vary: Sequence[tuple[str, Sequence[Any]]] | Mapping[str, Sequence[Any]],
          replications: int = DEFAULT_REPLICATIONS, seed: int | None = None, *, overrides: Sequence[str] = (),
          days: int | None = None, out: str | Path | None = None, overwrite: bool = False,
          workers: int | None = None, scheduler: str | None = None, executor: Executor | None = None,
          batch_size: int | None = None, progress: bool | None = False,
          precision: tuple[str, float] | None = None) -> ExperimentResult:
    """Run the full grid of ``vary`` ({dotted.path: values}) over ``config``, with common random numbers."""
    pairs = list(vary.items()) if isinstance(vary, Mapping) else list(vary)
    units = sweep_units(config, pairs, overrides, days, seed)
    base = units[0].scenario.run.seed
    exp = experiment_hash("sweep", units, base)
    with results_folder(out, exp, "sweep", f"sweep-{units[0].scenario.name}", overwrite) as (folder, store):
        with session(store, executor, workers, scheduler, batch_size, progress) as runner:
            result = run_units("sweep", units, replications, base, runner, precision)
        result.info["vary"] = {p: list(v) for p, v in pairs}
        if folder is not None:
            extra = {"vary": result.info["vary"], "settings": len(units),
                     "precision": {"kpi": precision[0], "target": precision[1]} if precision else None}
            data = manifest("sweep", result.units, base, replications, store, [(config, units[0].scenario)],
                            extra=extra)
            folder.write_experiment(result, data)
        return result


# ---------------------------------------------------------------------------------------------- output


__all__ = [
    "DEFAULT_REPLICATIONS", "Unit", "Runner", "ExperimentResult", "replication_seed", "setup_names",
    "experiment_hash", "session", "open_store", "run_units", "run_to_precision", "compare", "sweep",
    "sweep_units", "parse_vary", "manifest", "write_manifest", "results_folder",
]
