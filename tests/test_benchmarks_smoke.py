"""Smoke tests of the benchmark scripts: they run on a tiny case and print the tables they promise.

Nothing here is timed; the timings themselves are for people to read (see benchmarks/README.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(out: str, first_column: str) -> dict[str, list[str]]:
    """The rows, by their first cell, of the table in ``out`` whose header starts with ``first_column``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_column}"))
    found = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        found[cells[0]] = cells[1:]
    return found


def test_mm5_prints_all_models_ratios_and_memory() -> None:
    out = run("mm5.py", "--calls", "2000", "--repeat", "1", "--horizon-days", "1")
    header = next(line for line in out.splitlines() if line.startswith("| model"))
    for column in ("calls", "mean wait min", "median s", "peak MB (tracemalloc)"):
        assert column in header
    models = rows(out, "model")
    expected = {"ours (full model)", "SimPy (minimal)", "heap loop (floor)"}
    assert expected <= set(models)
    # one day at 4.5 calls a minute: 6480 expected arrivals, Poisson sd 80; every model sees about that many
    for name in expected:
        assert abs(int(models[name][0].replace(",", "")) - 6480) < 500, (name, models[name])
    ratios = rows(out, "ratio of medians")
    assert "ours / SimPy (target <= 1.5)" in ratios
    assert float(ratios["ours / SimPy (target <= 1.5)"][0]) > 0
    memory = rows(out, "horizon (ours)")
    assert {"1x", "10x", "ratio (target < 1.2)"} <= set(memory)


def test_realistic_prints_events_floor_memory_and_speedup() -> None:
    out = run("realistic.py", str(ROOT / "configs" / "central.yaml"), "--days", "2", "--repeat", "1",
              "--replications", "2", "--horizon-factor", "2", "--parallel-repeat", "1")
    speed = rows(out, "config")
    assert "central" in speed
    header = next(line for line in out.splitlines() if line.startswith("| config"))
    for column in ("events/s", "s per simulated year", "floor events/s", "ours / floor"):
        assert column in header
    events = int(speed["central"][1].replace(",", ""))
    assert events > 0
    assert "timeout with a callback" in out
    workers = rows(out, "workers")
    assert {"0", "1", "2"} <= set(workers)


def test_whole_case_runs_staff_uncertainty_sensitivity_and_report_into_one_folder() -> None:
    out = run("whole_case.py", "--quick")
    assert "whole case in" in out and "target 10 min" in out
    for name in ("staff", "uncertainty", "sensitivity", "report"):
        assert any(line.split()[:1] == [name] for line in out.splitlines()), name
    assert "P(saving >= 15%)" in out and "simulation +-" in out and "break-even" in out
