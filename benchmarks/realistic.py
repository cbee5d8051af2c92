"""Realistic benchmark: the shipped configs, against SimPy's own floor for the same mix of events.

For each config (default ``configs/central.yaml`` and ``configs/decentral.yaml``) it measures, over repeated
rounds (floor, model, floor; the configs in turn):

- **events per second**: SimPy events the model scheduled (``Result.events``) per wall second;
- **seconds per simulated year**: wall time per 260 working days (52 weeks of five days);
- **SimPy floor**: a bare SimPy program that processes the same number and kinds of events as the model (as
  many processes started, as many timeouts that resume a process, as many timeouts with a plain callback),
  with no model logic at all: the least any SimPy model with this event mix can cost. The ratio model / floor
  says how much the model's own logic adds to SimPy's event loop. Each round runs the floor, the model and the
  floor again; the ratio is given as the ratio of the median times, and as the median over the rounds of the
  model's time over the mean of the two floor runs around it (the steadier figure on a shared machine);
- **memory over the horizon**: the peak traced memory (tracemalloc) of one run of ``--days`` and of ten times
  as many days, without the event log;
- **parallel replications**: ``--replications`` runs of the first config through the experiments' executors
  (:mod:`sim.experiments.executors`): serially in this process, and in a pool of one worker process and of
  ``--workers``, pool start-up included; the speed-up is the ratio of the wall times of one worker and of ``--workers``.

Usage::

    python benchmarks/realistic.py [CONFIG ...] [--days 260] [--repeat 5] [--replications 8] [--workers 2]
        [--parallel-repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import simpy
from _common import Timing, interleaved, median, medians, peak_mb, table, timed
from simpy.core import Environment
from simpy.events import Initialize, Process, Timeout

from sim.config import Scenario, load_scenario
from sim.core.model import run_replication
from sim.experiments.executors import Job, PoolExecutor, SerialExecutor

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIGS = [ROOT / "configs" / "central.yaml", ROOT / "configs" / "decentral.yaml"]
WORKING_DAYS_PER_YEAR = 260


def with_days(scen: Scenario, days: int) -> Scenario:
    return scen.model_copy(update={"run": scen.run.model_copy(update={"days": days})})


# --------------------------------------------------------------------------------------- the event mix
def event_mix(scen: Scenario, seed: int) -> Counter[str]:
    """The kinds of events one run of ``scen`` processes, counted by watching SimPy's event loop (untimed)."""
    mix: Counter[str] = Counter()
    original = Environment.step

    def counting_step(env: Environment) -> None:
        event = env._queue[0][3] if env._queue else None
        if isinstance(event, Initialize):
            mix["process start"] += 1
        elif isinstance(event, Process):
            mix["process end"] += 1
        elif event is not None:  # timeouts, and the rosters' URGENT events
            resumes = any(getattr(cb, "__func__", None) is Process._resume for cb in event.callbacks or ())
            mix["timeout resuming a process" if resumes else "timeout with a callback"] += 1
        original(env)

    Environment.step = counting_step  # type: ignore[method-assign]
    try:
        run_replication(scen, seed=seed)
    finally:
        Environment.step = original  # type: ignore[method-assign]
    return mix


def simpy_floor(mix: Counter[str], horizon: float, seed: int = 1) -> Callable[[], int]:
    """A bare SimPy program with the same event mix: ``process start`` processes that share the
    process-resuming timeouts, and as many chains of callback timeouts (each callback schedules the next) that
    share the callback timeouts; delays are random so the event heap is shuffled as in a model. Returns a
    function that runs it and returns the number of events it processed."""
    n_proc = max(1, mix["process start"])
    n_resume = mix["timeout resuming a process"]
    n_callback = mix["timeout with a callback"] + mix["other"]
    chains = min(n_proc, max(1, n_callback))
    rng = random.Random(seed)
    mean = horizon / max(1, n_resume + n_callback) * (n_proc + chains)
    delays = [rng.expovariate(1 / mean) for _ in range(4096)]

    def run() -> int:
        env = simpy.Environment()
        processed = [0]

        def proc(steps: int, k: int) -> Any:
            for i in range(steps):
                yield env.timeout(delays[(k + i) & 4095])

        def chain(steps: int, k: int) -> None:
            left = [steps]
            i = [k]

            def again(_: simpy.Event) -> None:
                processed[0] += 1
                left[0] -= 1
                if left[0] > 0:
                    i[0] += 1
                    Timeout(env, delays[i[0] & 4095]).callbacks.append(again)

            Timeout(env, delays[k & 4095]).callbacks.append(again)

        for k in range(n_proc):
            env.process(proc(n_resume // n_proc + (k < n_resume % n_proc), 97 * k))
        for k in range(chains):
            steps = n_callback // chains + (k < n_callback % chains)
            if steps:
                chain(steps, 31 * k)
        env.run()
        return int(next(env._eid))

    return run


# ---------------------------------------------------------------------------------------- replications
def replications(scen: Scenario, n: int, workers: int) -> float:
    """Wall seconds of ``n`` replications through the experiments' executor: in this process (``workers``
    0) or in a pool of ``workers`` worker processes, pool start-up included."""
    tasks = [Job(unit="bench", replication=r, seed=r, scenario=scen) for r in range(1, n + 1)]
    t = time.perf_counter()
    with SerialExecutor() if workers == 0 else PoolExecutor(workers) as executor:
        done = list(executor.run(tasks))
    assert len(done) == n
    return time.perf_counter() - t


# ------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("configs", nargs="*", type=Path, default=DEFAULT_CONFIGS)
    p.add_argument("--days", type=int, default=260,
                   help="working days measured per run (plus the warm-up); 260: one simulated year")
    p.add_argument("--repeat", type=int, default=5, help="rounds per config (floor, model, floor)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--replications", type=int, default=8,
                   help="replications for the parallel speed-up (0: skip)")
    p.add_argument("--workers", type=int, default=2, help="workers to compare with one")
    p.add_argument("--parallel-repeat", type=int, default=3, help="timed runs per pool size (interleaved)")
    p.add_argument("--horizon-factor", type=int, default=10,
                   help="memory check: --days against this many times")
    a = p.parse_args(argv)

    scens = {path.stem: with_days(load_scenario(path), a.days) for path in a.configs}
    models: dict[str, Callable[[], Any]] = {}
    floors: dict[str, Callable[[], Any]] = {}
    events: dict[str, int] = {}
    for name, scen in scens.items():
        mix = event_mix(scen, a.seed)
        events[name] = sum(mix.values())
        horizon = (scen.run.days + scen.run.warmup_days) * 1440 * 7 / 5
        models[name] = lambda scen=scen: run_replication(scen, seed=a.seed)
        floors[name] = simpy_floor(mix, horizon, a.seed)
        print(f"{name}: event mix of one run: " + ", ".join(f"{k} {v:,}" for k, v in mix.most_common()))
    print(f"{a.days} measured days per run, {a.repeat} rounds per config (floor, model, floor), seed {a.seed}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other programs compete for the cores above 0)")
    times: dict[str, list[Timing]] = {name: [] for name in scens}
    floor_times: dict[str, list[Timing]] = {name: [] for name in scens}
    paired: dict[str, list[float]] = {name: [] for name in scens}
    for _ in range(a.repeat):
        for name in scens:
            # the model between two runs of its floor: the ratio of the model to the mean of the two compares
            # them under the same load, so the median of these paired ratios moves less with bursts of load on
            # a shared machine than the ratio of the medians
            before, model, after = timed(floors[name])[0], timed(models[name])[0], timed(floors[name])[0]
            times[name].append(model)
            floor_times[name] += [before, after]
            paired[name].append(model.wall / ((before.wall + after.wall) / 2))

    rows = []
    for name, scen in scens.items():
        t = medians(times[name])
        floor = medians(floor_times[name])
        days = scen.run.days + scen.run.warmup_days
        rows.append([name, days, events[name], t.wall, t.cpu, events[name] / t.wall,
                     t.wall / days * WORKING_DAYS_PER_YEAR, events[name] / floor.wall, t.wall / floor.wall,
                     t.cpu / floor.cpu, median(paired[name])])
    print(table(["config", "days simulated", "events", "median s", "median CPU s", "events/s",
                 "s per simulated year", "floor events/s", "ours / floor (target <= 2)", "same, CPU",
                 "median of paired ratios"], rows))

    mem_rows = []
    for name, scen in scens.items():
        long = a.days * a.horizon_factor
        m1, _ = peak_mb(lambda scen=scen: run_replication(scen, seed=a.seed))
        m10, _ = peak_mb(lambda scen=scen, long=long: run_replication(with_days(scen, long), seed=a.seed))
        mem_rows.append([name, a.days, m1, long, m10, m10 / m1])
    print()
    print(table(["config", "days", "peak MB (tracemalloc)", f"days x{a.horizon_factor}", "peak MB",
                 "ratio (target < 1.2)"], mem_rows))

    if a.replications > 0:
        name, scen = next(iter(scens.items()))
        pools = (0, 1, a.workers)
        par = interleaved({w: lambda w=w: replications(scen, a.replications, w) for w in pools},
                          a.parallel_repeat)
        wall = {w: medians(par[w]).wall for w in pools}
        print()
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print(f"{a.replications} replications of {name} (sim.experiments.executors), {a.parallel_repeat} interleaved "
              f"runs per pool size; workers 0: serially in this process")
        print(table(["workers", "median wall s", "speed-up over 1 worker (target >= 1.7 on 2)"],
                    [[w, wall[w], wall[1] / wall[w]] for w in pools]))


if __name__ == "__main__":
    main()
