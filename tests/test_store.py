"""The results store: exact round trips, one row per replication, refusing another experiment, resuming."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import CONFIGS

from sim.cli import main
from sim.config import ConfigError, load_scenario
from sim.experiments.executors import Job, SerialExecutor
from sim.experiments.experiment import compare
from sim.experiments.store import ReplicationRecord, ResultStore

SHORT = ["run.days=3", "run.warmup_days=1"]


def record(unit: str = "a", rep: int = 0, value: float | None = 0.1 + 0.2) -> ReplicationRecord:
    return ReplicationRecord(unit=unit, replication=rep, seed=2**63 - 1, config_hash="abc",
                             kpis={"x": value, "y": None, "z": float("nan")}, accounting={"n": 3}, events=7,
                             wall_seconds=0.5, tables={"t": [{"k": 1 / 3, "s": "é"}]})


def test_round_trip_is_exact(tmp_path: Path) -> None:
    with ResultStore.open(tmp_path / "r.sqlite", "exp1", "compare") as store:
        assert store.put(record()) is True
        assert store.put(record()) is False  # never twice
        back = store.records(["a"], tables=True)[0]
    assert back.kpis == {"x": 0.1 + 0.2, "y": None, "z": None}  # NaN is stored as missing
    assert back.seed == 2**63 - 1 and back.tables == {"t": [{"k": 1 / 3, "s": "é"}]}
    assert back.accounting == {"n": 3} and back.events == 7


def test_wal_mode_and_one_row_per_replication(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    with ResultStore.open(path, "exp1", "compare") as store:
        for rep in (2, 0, 1):
            store.put(record("b", rep))
            store.put(record("a", rep))
        assert store.done() == {(u, r) for u in "ab" for r in range(3)}
        assert [(r.unit, r.replication) for r in store.records(["a", "b"], 2)] == \
            [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT COUNT(*) FROM replications").fetchone()[0] == 6


def test_another_experiment_is_refused_unless_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    ResultStore.open(path, "exp1", "compare").put(record())
    with pytest.raises(ConfigError, match="another experiment"):
        ResultStore.open(path, "exp2", "sweep")
    with ResultStore.open(path, "exp1", "compare") as same:
        assert same.count() == 1
    with ResultStore.open(path, "exp2", "sweep", overwrite=True) as fresh:
        assert fresh.count() == 0 and fresh.meta("kind") == "sweep"


class Interrupted(SerialExecutor):
    """Serial, but 'killed' (KeyboardInterrupt) after ``after`` replications."""

    def __init__(self, after: int) -> None:
        self.after = after

    def run(self, tasks: Sequence[Job]) -> Iterator[ReplicationRecord]:
        for i, rec in enumerate(super().run(tasks)):
            if i == self.after:
                raise KeyboardInterrupt
            yield rec


def test_resume_after_an_interruption_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    scenarios = [load_scenario(CONFIGS / n, SHORT) for n in ("decentral.yaml", "central.yaml")]
    with pytest.raises(KeyboardInterrupt):
        compare(scenarios, replications=3, out=tmp_path / "a", executor=Interrupted(after=4))
    db = sqlite3.connect(tmp_path / "a" / "results.sqlite")
    assert db.execute("SELECT COUNT(*) FROM replications").fetchone()[0] == 4  # every finished one was kept
    db.close()
    resumed = compare(scenarios, replications=3, out=tmp_path / "a", executor=Interrupted(after=99))
    whole = compare(scenarios, replications=3, out=tmp_path / "b", workers=1)
    assert resumed.store.count() == 6
    assert resumed.summary() == whole.summary()
    units = [u.key for u in whole.units]
    assert resumed.store.records(units, tables=True) == whole.store.records(units, tables=True)


def test_cli_resumes_the_same_command_and_refuses_another(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.experiments.executors

    out = tmp_path / "cmp"
    argv = ["compare", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"), "--days", "2",
            "--set", "run.warmup_days=1", "-r", "2", "--workers", "1", "--out", str(out)]
    real = sim.experiments.executors.run_job
    calls = {"n": 0}

    def dies_after_three(task: Job) -> ReplicationRecord:
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(sim.experiments.executors, "run_job", dies_after_three)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 130
    resumed: list[tuple[str, int]] = []

    def counts(task: Job) -> ReplicationRecord:
        resumed.append((task.unit, task.replication))
        return real(task)

    monkeypatch.setattr(sim.experiments.executors, "run_job", counts)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--json"])
    assert exc.value.code == 0
    assert len(resumed) == 1  # the same command resumes: only the replication the interrupted run had not done
    shown = json.loads(capsys.readouterr().out)  # --json: stdout is one JSON object, without the human note
    assert set(shown["setups"]) == {"decentral", "central"}
    db = sqlite3.connect(out / "results.sqlite")
    assert db.execute("SELECT COUNT(*) FROM replications").fetchone()[0] == 4
    whole = tmp_path / "whole"
    with pytest.raises(SystemExit):
        main([*argv[:-1], str(whole)])
    # without --json the note on how many ran is part of the command's report, on stdout
    assert "(4 run now)" in capsys.readouterr().out
    assert (out / "summary.json").read_text() == (whole / "summary.json").read_text()
    assert (out / "kpis.csv").read_text() == (whole / "kpis.csv").read_text()
    assert (out / "tables" / "per_department.csv").read_text() == \
        (whole / "tables" / "per_department.csv").read_text()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(CONFIGS / "central.yaml"), "--days", "2", "-r", "2", "--out", str(out)])
    assert exc.value.code == 2
    assert "another experiment" in capsys.readouterr().err


def test_overwrite_reruns_even_the_same_experiment(tmp_path: Path) -> None:
    """--overwrite starts afresh also when the folder holds this very experiment: the experiment's key holds its
    configs, not the code that ran them, so a rerun after a model change must not resume old results."""
    import subprocess
    import sys

    out = tmp_path / "cmp"
    args = [sys.executable, "-m", "sim", "compare", "configs/central.yaml", "--days", "2", "-r", "2", "-w", "1",
            "--out", str(out)]
    root = Path(__file__).resolve().parent.parent
    first = subprocess.run(args, capture_output=True, text=True, cwd=root, timeout=300)
    again = subprocess.run(args, capture_output=True, text=True, cwd=root, timeout=300)
    fresh = subprocess.run([*args, "--overwrite"], capture_output=True, text=True, cwd=root, timeout=300)
    assert first.returncode == again.returncode == fresh.returncode == 0, (first.stderr, fresh.stderr)
    assert "(2 run now)" in first.stdout
    assert "(0 run now)" in again.stdout  # without --overwrite the same experiment resumes
    assert "(2 run now)" in fresh.stdout
