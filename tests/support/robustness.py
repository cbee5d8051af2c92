"""Inputs and runs of the robustness tests: a config from the bad-input one, a request log, a CSV, ``sim`` in a
forked child with a memory limit, and a calibration of a log."""

from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sim.cli import import_commands, main
from support.bad_input import BASE

LIMIT_BYTES = 3 * 2**30  # a child that needs more than this has blown up


def sim(argv: list[str], cwd: Path, timeout: float = 60) -> tuple[int, str, str]:
    """``sim ARGV`` in a forked child, killed after ``timeout`` seconds (exit code -9 then)."""
    import_commands()
    fd_out, out_name = tempfile.mkstemp(prefix="sim-out-")
    fd_err, err_name = tempfile.mkstemp(prefix="sim-err-")
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))
            os.chdir(cwd)
            os.dup2(fd_out, 1)
            os.dup2(fd_err, 2)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            try:
                main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 (what a real process would print)
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        time.sleep(0.02)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd_out)
    os.close(fd_err)
    out, err = Path(out_name).read_text(), Path(err_name).read_text()
    os.unlink(out_name)
    os.unlink(err_name)
    return (-9 if status is None else os.waitstatus_to_exitcode(status)), out, err


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
