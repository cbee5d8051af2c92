"""Surviving interruption: an experiment killed with SIGKILL at a random moment and started again loses no
finished replication and ends with exactly the results of a run that was never interrupted.

The test does it for real: ``python -m sim compare`` (or ``sweep``) with ``--out`` runs in its own process
group (its pool workers included); at a random moment -- after a random number of replications have reached
the results store, plus a random fraction of a second -- the whole group gets SIGKILL, with no chance to clean
up. Then the store must still be a sound SQLite file, and running the same command again must keep every
replication the store already held (the same rows, byte for byte, not recomputed), run only the rest, and
end with the same replications, KPIs, summary and tidy tables as an uninterrupted run in another folder.

``sim run`` is a single replication: its files are written atomically, so a killed run leaves each file
either complete or absent, and running it again with ``--overwrite`` gives the uninterrupted result.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIGS, ROOT

#: Kills survived by the tests of this module in this session (reported by the slow test).
KILLS: list[str] = []

SHORT = ["--days", "2", "--set", "run.warmup_days=1"]
COMPARE = ["compare", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"), *SHORT]
SWEEP = ["sweep", str(CONFIGS / "central.yaml"), *SHORT, "--vary", "dispatch.exchange.policy=none,idle,pool"]


def start(args: list[str], out: Path) -> subprocess.Popen[str]:
    """``python -m sim ARGS --out OUT`` in a new process group (so its workers can be killed with it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    return subprocess.Popen([sys.executable, "-m", "sim", *args, "--out", str(out)], cwd=out.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def rows(out: Path) -> dict[tuple[str, int], tuple[Any, ...]]:
    """Every stored replication, as stored (timestamps and wall time included)."""
    path = out / "results.sqlite"
    if not path.exists():
        return {}
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            found = db.execute("SELECT unit, replication, seed, config_hash, kpis, tables, accounting, "
                               "events, wall_seconds, finished FROM replications").fetchall()
        except sqlite3.OperationalError:  # killed before the table was made
            return {}
    finally:
        db.close()
    return {(r[0], r[1]): tuple(r[2:]) for r in found}


def count(out: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{out / 'results.sqlite'}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(db.execute("SELECT COUNT(*) FROM replications").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def kill_at_random(args: list[str], out: Path, total: int, rng: random.Random) -> bool:
    """Start the command and SIGKILL it once a random number of replications is stored, plus a random
    fraction of a second. Returns whether it was killed (it may have finished first)."""
    target = rng.randint(0, total - 2)
    extra = rng.uniform(0.0, 0.4)
    proc = start(args, out)
    deadline = time.monotonic() + 600
    while proc.poll() is None and count(out) < target and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(extra)
    if proc.poll() is not None:
        proc.communicate()
        return False
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    KILLS.append(f"{args[0]} after {target} replications + {extra:.2f} s")
    return True


def comparable(out: Path) -> dict[str, Any]:
    """What an experiment produced, without what legitimately differs between two runs (times, paths)."""
    summary = json.loads((out / "summary.json").read_text())
    # seed, config hash, KPIs, tables, accounting, events
    data = {key: row[:6] for key, row in rows(out).items()}
    files = {p.relative_to(out).as_posix(): p.read_text() for p in sorted(out.rglob("*.csv"))}
    return {"rows": data, "summary": summary, **files}


def survive(args: list[str], tmp_path: Path, kills: int, total: int, seed: int) -> int:
    """Kill the command ``kills`` times at random moments, resume it to the end, and compare with a run that
    was never interrupted. Returns the kills that happened."""
    rng = random.Random(seed)
    out = tmp_path / "interrupted"
    happened = 0
    for _ in range(kills):
        before = rows(out)
        if not kill_at_random(args, out, total, rng):
            break
        happened += 1
        after = rows(out)
        assert all(after[key] == row for key, row in before.items()), "a kill changed a stored replication"
        assert len(after) <= total  # killed maybe after the last replication, while writing the outputs
    kept = rows(out)
    finish(start(args, out))  # started again: resumes
    final = rows(out)
    assert len(final) == total
    assert all(final[key] == row for key, row in kept.items()), "a finished replication was run again"
    clean = tmp_path / "clean"
    finish(start(args, clean))
    assert comparable(out) == comparable(clean)
    return happened


def test_compare_killed_at_random_moments_resumes_to_the_same_result(tmp_path: Path) -> None:
    reps = 6
    happened = survive([*COMPARE, "-r", str(reps), "-w", "2"], tmp_path, kills=2, total=2 * reps, seed=1)
    assert happened >= 1
    print(f"kills survived: {KILLS}")


@pytest.mark.slow
@pytest.mark.parametrize("kind, workers, seed", [("compare", "1", 2), ("compare", "2", 3), ("sweep", "2", 4),
                                                 ("sweep", "1", 5)])
def test_many_kills_at_random_moments(kind: str, workers: str, seed: int, tmp_path: Path) -> None:
    reps = 8
    args, units = (COMPARE, 2) if kind == "compare" else (SWEEP, 3)
    happened = survive([*args, "-r", str(reps), "-w", workers], tmp_path, kills=5, total=units * reps,
                       seed=seed)
    assert happened >= 3
    print(f"{len(KILLS)} kills survived so far: {KILLS}")


@pytest.mark.slow
def test_a_killed_single_run_leaves_whole_files_only(tmp_path: Path) -> None:
    args = ["run", str(CONFIGS / "central.yaml"), "--days", "30", "--set", "run.warmup_days=1", "--event-log"]
    out = tmp_path / "run"
    rng = random.Random(6)
    proc = start(args, out)
    time.sleep(rng.uniform(0.5, 2.0))
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    KILLS.append("run")
    for path in out.glob("*") if out.exists() else []:
        if path.name.startswith("."):  # an atomic write's temporary file, never a result file
            continue
        text = path.read_text()
        if path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".csv":
            lines = text.splitlines()
            assert all(line.count(",") == lines[0].count(",") for line in lines if '"' not in line)
    finish(start([*args, "--overwrite"], out))
    clean = tmp_path / "clean"
    finish(start(args, clean))
    for name in ("summary.json", "per_type.csv", "per_secretary.csv", "events.csv"):
        a, b = (out / name).read_text(), (clean / name).read_text()
        if name == "summary.json":
            a, b = (json.loads(x) for x in (a, b))
            for d in (a, b):
                d.pop("wall_seconds")
        assert a == b, name
