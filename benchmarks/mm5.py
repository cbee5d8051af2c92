"""M/M/5 benchmark: the project's full model against a minimal SimPy model, Ciw and a hand-written event loop.

All four simulate the same queue: Poisson arrivals at 4.5 a minute, exponential service with a mean of one
minute, five servers, first come first served, over the same horizon (about ``--calls`` arrivals). The
project's model runs as it always does, with the whole secretariat machinery (calendar, roster, dispatcher,
every metric and histogram) configured down to one group of five secretaries on duty round the clock who only
answer the phone. The minimal SimPy model is the classic one (a ``Resource`` and a process per customer), the
hand-written loop (a binary heap of events, no framework) is the floor of what Python can do.

Usage::

    python benchmarks/mm5.py [--calls 200000] [--repeat 5] [--horizon-days 3] [--rss]

Prints, per model, the mean wait (a check that they all simulate the same queue: Erlang C says 1.525 min),
the median and the spread of the wall times over the repeats (interleaved), the median CPU time, the peak
traced memory of one run (tracemalloc) and, with ``--rss``, how much the maximum resident set size of a fresh
process grows while it runs the model once (over what the interpreter and the imports already hold). Then the
ratios the issue asks for, of wall and of CPU times, and, last, the project model's peak memory over a horizon
ten times longer.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any, NamedTuple

import simpy
from _common import interleaved, medians, peak_mb, table

from sim import theory
from sim.config import Scenario, parse_scenario
from sim.core.model import run_replication

C, LAM, MU = 5, 4.5, 1.0  # servers, arrivals a minute, services a minute
DAY = 1440.0


class Outcome(NamedTuple):
    served: int  # customers who started service within the horizon
    mean_wait: float  # minutes, of those customers


# ------------------------------------------------------------------------------------------ the models
def scenario(days: int) -> Scenario:
    """The project's model as an M/M/5 queue: one department, five secretaries on duty round the clock, phone
    only, no patience limit, no absence, no warm-up."""
    secretaries = [{"name": f"S{i}", "departments": ["D"], "start": "00:00", "end": "24:00",
                    "lunch_minutes": 0} for i in range(C)]
    calls = {"per_staff_per_day": LAM * DAY, "talk_minutes": {"dist": "exponential", "mean": 1 / MU},
             "profile": {"start": "00:00", "slot_minutes": 60, "weights": [1] * 24},
             "custom_share": 0, "callback_share": 0, "norm_seconds": 20}
    return parse_scenario({
        "name": "mm5", "run": {"days": days, "warmup_days": 0},
        "calendar": {"working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                     "open": "00:00", "close": "24:00"},
        "organisation": {"setup": "central", "departments": [{"name": "D", "staff": 1, "cluster": "C"}],
                         "secretaries": secretaries},
        "dispatch": {"exchange": {"policy": "pool"}},
        "absence": {"sickness": {"share": 0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": calls},
    })


def run_ours(scen: Scenario, seed: int) -> Outcome:
    r = run_replication(scen, seed=seed)
    return Outcome(r.accounting["calls_answered"], (r.kpi["asa_seconds"] or 0.0) / 60)


def run_simpy(horizon: float, seed: int) -> Outcome:
    """The textbook SimPy model: a source process, a process per customer, a Resource for the servers."""
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=C)
    stats = [0, 0.0]

    def customer() -> Any:
        arrival = env.now
        with servers.request() as req:
            yield req
            stats[0] += 1
            stats[1] += env.now - arrival
            yield env.timeout(rng.expovariate(MU))

    def source() -> Any:
        while True:
            yield env.timeout(rng.expovariate(LAM))
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    return Outcome(stats[0], stats[1] / max(stats[0], 1))


def run_ciw(horizon: float, seed: int) -> Outcome:
    """Ciw as its documentation shows it; its records (one per customer) are how results come out."""
    import ciw

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
                                 service_distributions=[ciw.dists.Exponential(rate=MU)],
                                 number_of_servers=[C])
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_time(horizon)
    waits = [r.waiting_time for r in q.get_all_records()]
    return Outcome(len(waits), sum(waits) / max(len(waits), 1))


def run_heap(horizon: float, seed: int) -> Outcome:
    """A hand-written event loop: a heap of (time, kind) events and a FIFO of waiting arrival times."""
    rng = random.Random(seed)
    expo = rng.expovariate
    heap: list[tuple[float, int]] = [(expo(LAM), 0)]  # kind 0: arrival, 1: departure
    waiting: deque[float] = deque()
    free, served, waits = C, 0, 0.0
    while heap:
        t, kind = heappop(heap)
        if t >= horizon:
            break
        if kind == 0:
            heappush(heap, (t + expo(LAM), 0))
            if free:
                free -= 1
                served += 1
                heappush(heap, (t + expo(MU), 1))
            else:
                waiting.append(t)
        elif waiting:
            waits += t - waiting.popleft()
            served += 1
            heappush(heap, (t + expo(MU), 1))
        else:
            free += 1
    return Outcome(served, waits / max(served, 1))


def models(days: int, seed: int, with_ciw: bool) -> dict[str, Callable[[], Outcome]]:
    scen = scenario(days)
    horizon = days * DAY
    out: dict[str, Callable[[], Outcome]] = {
        "ours (full model)": lambda: run_ours(scen, seed),
        "SimPy (minimal)": lambda: run_simpy(horizon, seed),
        "heap loop (floor)": lambda: run_heap(horizon, seed),
    }
    if with_ciw:
        out["Ciw"] = lambda: run_ciw(horizon, seed)
    return out


# ------------------------------------------------------------------------------------------ measuring
def max_rss_mb(name: str, days: int, seed: int) -> float:
    """How much a fresh Python process's maximum resident set size grows, in MB, while it runs the model once,
    over what it already held after importing everything (interpreter, SimPy, numpy, pydantic, Ciw)."""
    cmd = [sys.executable, __file__, "--child", name, "--days", str(days), "--seed", str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["max_rss_mb"])


def _peak_rss_kb() -> int:
    """This process's peak resident set size in KB. Linux's VmHWM belongs to the process's own address
    space; ``ru_maxrss`` would not do in a child, as it starts from the parent's peak at the fork."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KB on Linux, bytes on macOS


def _child(name: str, days: int, seed: int) -> None:
    import ciw  # noqa: F401  every child imports the same modules

    fn = models(days, seed, True)[name]
    before = _peak_rss_kb()
    fn()
    print(json.dumps({"max_rss_mb": (_peak_rss_kb() - before) / 1024}))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=200_000, help="about this many arrivals per run")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per model (interleaved)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--horizon-days", type=int, default=3, help="memory check: this many days against 10x")
    p.add_argument("--rss", action="store_true", help="also measure max RSS in a fresh process per model")
    p.add_argument("--no-ciw", action="store_true", help="leave Ciw out")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--days", type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        _child(a.child, a.days, a.seed)
        return
    with_ciw = not a.no_ciw
    if with_ciw:
        try:
            import ciw  # noqa: F401
        except ImportError:
            print("Ciw is not installed (pip install -e '.[bench]'): left out")
            with_ciw = False

    days = max(1, round(a.calls / (LAM * DAY)))
    cases = models(days, a.seed, with_ciw)
    print(f"M/M/{C}: arrivals {LAM}/min, mean service {1 / MU} min, {days} days = {days * DAY:,.0f} min "
          f"(about {LAM * DAY * days:,.0f} calls), {a.repeat} interleaved runs per model, seed {a.seed}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other programs compete for the cores above 0)")
    times = interleaved(cases, a.repeat)
    rows, med = [], {}
    for name, fn in cases.items():
        mem, outcome = peak_mb(fn)
        med[name] = medians(times[name])
        walls = [t.wall for t in times[name]]
        row: list[Any] = [name, outcome.served, outcome.mean_wait, med[name].wall, min(walls), max(walls),
                          med[name].cpu, mem]
        if a.rss:
            row.append(max_rss_mb(name, days, a.seed))
        rows.append(row)
    header = ["model", "calls", "mean wait min", "median s", "min s", "max s", "median CPU s",
              "peak MB (tracemalloc)"]
    if a.rss:
        header.append("RSS growth MB (subprocess)")
    print(table(header, rows))
    print(f"Erlang C mean wait: {theory.erlang_c_wq(C, LAM, MU):.3f} min")

    ours, simpy_, heap = med["ours (full model)"], med["SimPy (minimal)"], med["heap loop (floor)"]
    ratios = [["ours / SimPy (target <= 1.5)", ours.wall / simpy_.wall, ours.cpu / simpy_.cpu],
              ["ours / heap loop", ours.wall / heap.wall, ours.cpu / heap.cpu]]
    if with_ciw:
        ratios.append(["Ciw / ours (target >= 1.5)", med["Ciw"].wall / ours.wall, med["Ciw"].cpu / ours.cpu])
    print()
    print(table(["ratio of medians", "wall", "CPU"], ratios))

    small, large = a.horizon_days, 10 * a.horizon_days
    m1, _ = peak_mb(lambda: run_ours(scenario(small), a.seed))
    m10, _ = peak_mb(lambda: run_ours(scenario(large), a.seed))
    print()
    print(table(["horizon (ours)", "days", "peak MB (tracemalloc)"],
                [["1x", small, m1], ["10x", large, m10],
                 ["ratio (target < 1.2)", None, m10 / m1 if m1 else math.nan]]))


if __name__ == "__main__":
    main()
