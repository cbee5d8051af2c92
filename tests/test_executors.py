"""Executors: serial, a process pool and a local Dask cluster give bit-identical results."""

from __future__ import annotations

import pytest
from conftest import CONFIGS

from sim.config import load_scenario
from sim.experiments.executors import Job, PoolExecutor, SerialExecutor, batches, make_executor, run_job
from sim.experiments.experiment import compare

SHORT = ["run.days=2", "run.warmup_days=1"]


@pytest.fixture(scope="module")
def scenarios():
    return [load_scenario(CONFIGS / n, SHORT) for n in ("decentral.yaml", "central_hnw.yaml")]


@pytest.fixture(scope="module")
def serial(scenarios):
    return compare(scenarios, replications=3, seed=11, executor=SerialExecutor())


def _same(a, b) -> None:
    assert a.summary() == b.summary()
    units = [u.key for u in a.units]
    assert a.store.records(units, tables=True) == b.store.records(units, tables=True)  # KPIs, tables, seeds


def test_pool_equals_serial(scenarios, serial) -> None:
    for workers, batch in ((2, 1), (2, 2)):
        with PoolExecutor(workers, batch) as ex:
            _same(serial, compare(scenarios, replications=3, seed=11, executor=ex))


def test_dask_local_cluster_equals_serial(scenarios, serial) -> None:
    distributed = pytest.importorskip("distributed")
    from sim.experiments.executors import DaskExecutor

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with cluster, DaskExecutor(cluster.scheduler_address, batch_size=2) as ex:
        assert ex.parallelism == 2
        _same(serial, compare(scenarios, replications=3, seed=11, executor=ex))


def test_order_of_completion_does_not_matter(scenarios, serial) -> None:
    class Backwards(SerialExecutor):
        def run(self, tasks):
            yield from super().run(list(reversed(tasks)))

    _same(serial, compare(scenarios, replications=3, seed=11, executor=Backwards()))


def test_batches_and_choice_of_executor(scenarios) -> None:
    tasks = [Job("a", i, i, scenarios[0]) for i in range(5)]
    assert [len(b) for b in batches(tasks, 2)] == [2, 2, 1]
    assert isinstance(make_executor(workers=1), SerialExecutor)
    rec = run_job(tasks[0])
    assert rec.unit == "a" and rec.seed == 0 and "reachability" in rec.kpis and "per_hour" in rec.tables
