"""Long runs: a ten-year horizon completes, and memory does not grow with the horizon.

The model keeps no record per request (metrics are O(1) counters, time integrals and fixed histograms), so
the peak memory a replication allocates should be the same for one year as for ten. Measured with
tracemalloc as the peak above what was allocated before the run, without an event log (which a caller keeps
or streams as it likes). Slow suite: one year (260 working days) against ten (2600, the longest horizon a
config may ask for); CI: one month against three.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest
from conftest import CONFIGS

from sim.config import MAX_DAYS, load_scenario
from sim.core.model import Result, run_replication

#: Allowed growth of the peak from the short to the long horizon.
FLAT = 1.2


CENTRAL = CONFIGS / "central.yaml"
#: Secretaries on duty round the clock: each is present for the whole run, one interval as long as the horizon.
ROUND_THE_CLOCK = CONFIGS / "validation" / "erlang_c.yaml"


def peak_bytes(days: int, path: Path = CENTRAL, overrides: tuple[str, ...] = ()) -> tuple[int, Result]:
    """Peak memory allocated while simulating ``path`` for ``days`` working days."""
    scenario = load_scenario(path, [f"run.days={days}", "run.warmup_days=5", *overrides])
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = run_replication(scenario, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base, result


def check_flat(short_days: int, long_days: int, path: Path = CENTRAL, overrides: tuple[str, ...] = (),
               calls_per_day: float = 80) -> None:
    # a first short run, so that what the first run of a process caches is not counted
    run_replication(load_scenario(path, ["run.days=2", "run.warmup_days=0", *overrides]))
    short, _ = peak_bytes(short_days, path, overrides)
    long, result = peak_bytes(long_days, path, overrides)
    assert result.days == long_days
    acc = result.accounting
    assert acc["calls_offered"] > calls_per_day * long_days  # central: about 110 calls a working day
    ended = ("calls_answered", "calls_abandoned", "calls_waiting_at_end")
    assert acc["calls_offered"] == sum(acc[k] for k in ended)
    report = f"peak {short / 1e6:.2f} MB for {short_days} days, {long / 1e6:.2f} MB for {long_days}"
    print(report)
    assert long / short < FLAT, report


def test_memory_is_flat_one_month_against_three() -> None:
    check_flat(20, 60)


def test_memory_is_flat_round_the_clock() -> None:
    """A secretary present for the whole run: her presence statistics by clock hour were once built as one
    list of hours for the whole interval, and the peak grew with the horizon (0.37 MB at 30 days, 0.83 MB at
    300 for M/M/5)."""
    check_flat(20, 200, ROUND_THE_CLOCK, ("demand.calls.per_staff_per_day=300",), calls_per_day=250)


@pytest.mark.slow
def test_ten_years_complete_with_flat_memory() -> None:
    assert MAX_DAYS >= 2600
    check_flat(260, 2600)
