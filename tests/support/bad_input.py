"""Configs and runners of the bad-input tests: a small valid config, a folder's files, a command run in a forked
child."""

from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import yaml

from sim.cli import import_commands, main

#: A small valid scenario: two departments in two clusters, two secretaries, e-mail, post and meetings.
BASE: dict[str, Any] = {
    "name": "tiny",
    "run": {"days": 2, "warmup_days": 0, "seed": 3},
    "calendar": {"working_days": ["mon", "tue", "wed", "thu", "fri"], "open": "08:30", "close": "17:00"},
    "organisation": {
        "setup": "central",
        "departments": [
            {"name": "Finance", "staff": 20, "cluster": "North"},
            {"name": "Legal", "staff": 10, "cluster": "South"},
        ],
        "secretaries": [
            {"name": "Anna", "departments": ["Finance"], "start": "08:30", "end": "16:30"},
            {"name": "Bea", "departments": ["Legal"], "days": ["mon", "tue", "wed"]},
        ],
    },
    "dispatch": {"exchange": {"policy": "idle"}},
    "demand": {
        "calls": {"per_staff_per_day": 0.5, "talk_minutes": {"dist": "exponential", "mean": 3},
                  "patience_seconds": {"mean": 60}},
        "tasks": {
            "email": {"per_staff_per_day": 0.5, "work_minutes": {"mean": 5}, "norm_working_hours": 17},
            "post": {"per_staff_per_day": 0.1, "arrivals": "batches", "batch_times": ["09:00"],
                     "work_minutes": {"dist": "lognormal", "mean": 4, "cv": 0.5}, "norm_working_hours": 17},
        },
        "meetings": {"per_department_per_week": 1},
    },
}


BASE_TEXT = yaml.safe_dump(BASE, sort_keys=False)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


def run_forked(argv: list[str], cwd: Path, timeout: float | None = None,
               memory_bytes: int | None = None) -> tuple[int, str, str]:
    """``sim ARGV`` in a child process forked from this one (the modules are imported already, so a case
    costs milliseconds, not the second of a fresh interpreter): the real entry point, with the real file
    descriptors 1 and 2 and the real exit code. An exception that escapes the entry point is printed as a
    traceback, as the interpreter would. With ``memory_bytes`` the child's address space is limited to it; with
    ``timeout`` it is killed after so many seconds (exit code -9 then)."""
    import_commands()  # import the commands' modules once, here, not in every child
    fd_out, out_name = tempfile.mkstemp(prefix="sim-out-")
    fd_err, err_name = tempfile.mkstemp(prefix="sim-err-")
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            if memory_bytes is not None:
                resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
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
    status = None
    if timeout is None:
        status = os.waitpid(pid, 0)[1]
    else:
        deadline = time.monotonic() + timeout
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
