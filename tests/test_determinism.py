"""Determinism: the same config and seed give bit-identical results -- across runs, across processes (with
different hash seeds, so no result depends on the order of a set or dict of strings), and across executors
and numbers of workers.

"Bit-identical" is checked on the plain data of a result: every KPI, table, accounting count and event count
compared with ``==`` (floats included), and the JSON text of the whole result compared as text. Only
``wall_seconds`` may differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIGS, ROOT
from hypothesis import HealthCheck, given, settings
from support.strategies import scenario_configs

from sim.config import Scenario, load_scenario, parse_scenario
from sim.core.model import Result, run_replication
from sim.experiments.executors import PoolExecutor, SerialExecutor
from sim.experiments.experiment import ExperimentResult, compare
from sim.experiments.output import to_json

SHORT = ["run.days=3", "run.warmup_days=1"]


def short(name: str, *more: str) -> Scenario:
    return load_scenario(CONFIGS / name, [*SHORT, *more])


def as_json(result: Result) -> str:
    data = result.to_dict()
    data.pop("wall_seconds")
    return to_json(data)


# ----------------------------------------------------------------------------------------- in one process
@pytest.mark.parametrize("name", ["decentral.yaml", "central.yaml", "central_hnw.yaml"])
def test_same_config_and_seed_give_identical_results(name: str) -> None:
    scenario = short(name)
    a, b = run_replication(scenario, seed=7), run_replication(scenario, seed=7)
    assert a == b
    assert as_json(a) == as_json(b)
    c = run_replication(scenario, seed=8)
    assert c.kpi != a.kpi  # the seed matters, so the equality above is not vacuous


def test_a_loaded_config_equals_its_reloaded_resolved_form(tmp_path: Path) -> None:
    """Writing the resolved config and loading it again gives the same scenario and the same result."""
    scenario = short("central.yaml")
    path = tmp_path / "resolved.json"
    path.write_text(json.dumps(scenario.model_dump(mode="json")))
    again = parse_scenario(json.loads(path.read_text()))
    assert again == scenario
    assert run_replication(again, seed=3) == run_replication(scenario, seed=3)


@settings(max_examples=8, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario_configs())
def test_random_scenarios_are_deterministic(config: dict[str, Any]) -> None:
    scenario = parse_scenario(config)
    logs: list[list[tuple[Any, ...]]] = [[], []]
    results = [run_replication(scenario, event_log=lambda *row, k=k: logs[k].append(row)) for k in (0, 1)]
    assert results[0] == results[1] and as_json(results[0]) == as_json(results[1])
    assert logs[0] == logs[1]
    # the event log is an observer: it does not change the result
    assert run_replication(scenario) == results[0]


# ------------------------------------------------------------------------------------ across processes
def sim_json(config: Path, *args: str, cwd: Path, hash_seed: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(config), "--json", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", ["central_hnw.yaml", pytest.param("decentral.yaml", marks=pytest.mark.slow)])
def test_a_subprocess_gives_the_same_result_as_this_process(name: str, tmp_path: Path) -> None:
    args = ["--set", SHORT[0], "--set", SHORT[1], "--seed", "11"]
    scenario = short(name, "run.seed=11")
    here = json.loads(as_json(run_replication(scenario)))
    runs = [sim_json(CONFIGS / name, *args, "--out", str(tmp_path / f"out{k}"), cwd=tmp_path, hash_seed=h)
            for k, h in enumerate(["0", "4242"])]
    for there in runs:
        for key in ("seed", "config_hash", "days", "kpi", "accounting", "events"):
            assert there[key] == here[key], key
    # the tables written by the subprocess equal this process's, value for value
    written = json.loads((tmp_path / "out0" / "summary.json").read_text())
    assert written["kpi"] == here["kpi"]
    per_type = (tmp_path / "out1" / "per_type.csv").read_text().splitlines()
    assert len(per_type) == 1 + len(here["tables"]["per_type"])


# ------------------------------------------------------------------------------------- across executors
def records(result: ExperimentResult) -> list[tuple[Any, ...]]:
    """Everything a replication produced, in (unit, replication) order, as comparable data."""
    return [(r.unit, r.replication, r.seed, r.config_hash, json.dumps(r.kpis, sort_keys=True),
             json.dumps(r.accounting, sort_keys=True), r.events, json.dumps(r.tables, sort_keys=True))
            for r in result.store.records([u.key for u in result.units], result.replications, tables=True)]


def _compare(executor: Any, replications: int) -> ExperimentResult:
    return compare([short("decentral.yaml"), short("central.yaml")], replications=replications, seed=5,
                   executor=executor)


def test_results_do_not_depend_on_executor_or_workers(runslow: bool) -> None:
    replications = 6 if runslow else 3
    serial = _compare(SerialExecutor(), replications)
    reference = records(serial)
    assert len(reference) == 2 * replications
    assert len({r[2] for r in reference}) == replications  # one seed per replication, shared by the setups
    widths = [(1, 1), (2, 1), (2, 2)] + ([(3, 1), (2, 5)] if runslow else [])
    for workers, batch in widths:
        with PoolExecutor(workers, batch) as pool:
            other = _compare(pool, replications)
        assert records(other) == reference, (workers, batch)
        assert json.dumps(other.summary()) == json.dumps(serial.summary())


def test_results_do_not_depend_on_dask(runslow: bool) -> None:
    distributed = pytest.importorskip("distributed")
    from sim.experiments.executors import DaskExecutor

    replications = 4 if runslow else 2
    reference = records(_compare(SerialExecutor(), replications))
    # CI: a Dask cluster of threads in this process; slow suite: two worker processes
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=runslow,
                                       dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            for batch in (1, 3):
                result = _compare(DaskExecutor(client, batch_size=batch), replications)
                assert records(result) == reference, batch
    finally:
        cluster.close()
