"""Inputs and runs of the robustness tests: a config from the bad-input one, a request log, a CSV, ``sim`` in a
forked child with a memory limit, and a calibration of a log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from support.bad_input import BASE, run_forked

LIMIT_BYTES = 3 * 2**30  # a child that needs more than this has blown up


def sim(argv: list[str], cwd: Path, timeout: float = 60) -> tuple[int, str, str]:
    """``sim ARGV`` in a forked child with a memory limit, killed after ``timeout`` seconds (exit code -9 then)."""
    return run_forked(argv, cwd, timeout, LIMIT_BYTES)


# ------------------------------------------------------------------------------------------------ inputs
def config(folder: Path, name: str = "tiny.yaml", **changes: Any) -> Path:
    """The small valid config of test_bad_input, with top-level sections replaced (``None`` removes one)."""
    data = {**BASE}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


DAYS = ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10"]  # Monday to Friday


def log_rows(days: list[str] = DAYS, per_day: int = 12, dept: Callable[[int], str] | None = None,
             talk: Callable[[int], str] | None = None, stamp: Callable[[str, int], str] | None = None) \
        -> list[list[str]]:
    """A request log (the columns ``sim run --event-log`` writes): calls and e-mail tasks, Finance getting three
    requests for each one of Legal."""
    rows = [["id", "kind", "type", "department", "arrival", "wait_seconds", "duration_minutes", "outcome"]]
    n = 0
    for day in days:
        for j in range(per_day):
            n += 1
            when = stamp(day, j) if stamp else f"{day} {9 + j % 7:02d}:{(7 * j) % 60:02d}:00"
            department = dept(n) if dept else ("Legal" if n % 4 == 0 else "Finance")
            answered = j % 5 != 0
            minutes = talk(n) if talk else f"{1 + (n * 37 % 11) / 2:g}"
            rows.append([str(n), "call", "", department, when, str(5 + n * 13 % 90),
                         minutes if answered else "", "answered" if answered else "abandoned"])
            if j % 3 == 0:
                n += 1
                rows.append([str(n), "task", "email", department, when, "", f"{2 + n % 9}", "done"])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def calibrated(tmp_path: Path, cfg: Path, rows: list[list[str]], *extra: str) -> tuple[tuple[int, str, str], Path]:
    log = write_csv(tmp_path / "requests.csv", rows)
    out = tmp_path / "cal"
    return sim(["calibrate", cfg.name, "--calls", log.name, "--out", out.name, *extra], tmp_path, 120), out
