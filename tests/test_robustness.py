"""Robustness, round two (issue 17): the folder, the store, the environment and the workers, through the real
``sim`` in a real process.

- A results folder is reused only when provably ours (the store's application_id); an empty file, another
  program's SQLite database or a user's files are refused without --overwrite and left byte for byte as they
  were; --overwrite starts truly afresh (no stale events.csv, a damaged store replaced).
- Inputs that are not files (a FIFO, /dev/zero) or too big are refused at once, without hanging.
- Output that cannot be written (a read-only or full file system) gives one line; a full disk during an
  experiment leaves a store that resumes to the same numbers.
- Killing only the main process of ``sim compare -w 2`` leaves no worker behind.
- Names with commas and quotes survive in events.csv; swept clock times are labelled as written; a date in
  a description is kept as text and hashes the same in every process.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from support.bad_input import BASE_TEXT, run_forked, tree

from sim.experiments.store import APPLICATION_ID


def sim_process(argv: list[str], cwd: Path, timeout: float = 120) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "sim", *argv], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return proc.returncode, proc.stdout, proc.stderr


def one_line(code: int, out: str, err: str, expect: int = 2) -> str:
    assert code == expect, (code, err)
    assert "Traceback" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("sim: error: ")
    return err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    return path


COMPARE = ["compare", "tiny.yaml", "-r", "2", "-w", "1", "--days", "1", "--json"]


# ----------------------------------------------------------------------------------- whose folder is it
def _foreign_db(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE diary (day TEXT, note TEXT)")
    db.execute("INSERT INTO diary VALUES ('monday', 'mine')")
    db.commit()
    db.close()


@pytest.mark.parametrize("store", ["empty", "foreign", "text", "damaged"])
@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_a_store_that_is_not_ours_is_refused_and_untouched(store: str, command: str, tmp_path: Path,
                                                           config: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"precious": true}\n')
    target = out / "results.sqlite"
    if store == "empty":
        target.write_bytes(b"")
    elif store == "foreign":
        _foreign_db(target)
    elif store == "text":
        target.write_text("my notes\n")
    else:
        target.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = tree(tmp_path)
    argv = COMPARE if command == "compare" else ["sweep", "tiny.yaml", "-r", "2", "-w", "1", "--days", "1",
                                                 "--vary", "run.seed=1,2"]
    err = one_line(*run_forked([*argv, "--out", "out"], tmp_path))
    assert "results.sqlite" in err and "--overwrite" in err
    assert tree(tmp_path) == before, "nothing may be written to a folder that is not ours"
    if store == "foreign":
        db = sqlite3.connect(target)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["diary"]
        db.close()


@pytest.mark.parametrize("store", ["foreign", "damaged", "empty"])
def test_overwrite_replaces_what_is_not_ours_and_starts_afresh(store: str, tmp_path: Path, config: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "results.sqlite"
    if store == "foreign":
        _foreign_db(target)
    elif store == "damaged":
        target.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    else:
        target.write_bytes(b"")
    (out / "events.csv").write_text("stale\n")
    (out / "differences.csv").write_text("stale\n")
    (out / "tables").mkdir()
    (out / "tables" / "old_table.csv").write_text("stale\n")
    (out / "notes.txt").write_text("keep me\n")
    code, stdout, err = run_forked([*COMPARE, "--out", "out", "--overwrite"], tmp_path)
    assert code == 0, err
    assert json.loads(stdout)["replications"] == 2
    assert not (out / "events.csv").exists() and not (out / "differences.csv").exists()
    assert not (out / "tables" / "old_table.csv").exists()
    assert (out / "notes.txt").read_text() == "keep me\n"
    db = sqlite3.connect(target)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert "diary" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    # and ours is resumed without --overwrite: nothing runs again
    code, stdout, err = run_forked([*COMPARE, "--out", "out"], tmp_path)
    assert code == 0, err


def test_run_overwrite_drops_the_previous_event_log(tmp_path: Path, config: Path) -> None:
    """``sim plot day`` must not plot the previous run's events after a run without --event-log."""
    code, _, err = run_forked(["run", "tiny.yaml", "--out", "out", "--event-log", "--days", "1"], tmp_path)
    assert code == 0 and (tmp_path / "out" / "events.csv").exists(), err
    code, _, err = run_forked(["run", "tiny.yaml", "--out", "out", "--overwrite", "--days", "1"], tmp_path)
    assert code == 0, err
    assert not (tmp_path / "out" / "events.csv").exists()
    assert (tmp_path / "out" / "summary.json").exists()


def test_a_user_summary_beside_no_store_is_refused(tmp_path: Path, config: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"mine": 1}\n')
    before = tree(tmp_path)
    err = one_line(*run_forked([*COMPARE, "--out", "out"], tmp_path))
    assert "not empty" in err
    assert tree(tmp_path) == before


# ------------------------------------------------------------------------------------- inputs that hang
def test_a_fifo_or_a_device_as_the_config_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for name in (str(fifo), "/dev/zero", "/dev/stdin"):
        started = time.monotonic()
        err = one_line(*sim_process(["check", name], tmp_path, timeout=60))
        assert "not a regular file" in err, err
        assert time.monotonic() - started < 60


def test_a_huge_file_is_refused_by_its_size(tmp_path: Path) -> None:
    """A 50 MB config (sparse: nothing is really written) is refused by its size, not read."""
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.write(b"name: [")
        fh.truncate(50 * 2**20)
    err = one_line(*run_forked(["run", "big.yaml", "--out", "out"], tmp_path))
    assert "big.yaml: is 50.0 MB; a config file is at most 1 MB" in err
    assert not (tmp_path / "out").exists()


def test_a_long_list_without_aliases_is_not_blamed_on_aliases(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.config import ConfigError, read_yaml
    from sim.config import reading as config

    monkeypatch.setattr(config, "MAX_YAML_VALUES", 1000)
    path = tmp_path / "long.yaml"
    path.write_text("a: &a [" + ",".join(["0"] * 100) + "]\nb: [" + ",".join(["*a"] * 11) + "]\n")
    with pytest.raises(ConfigError, match="aliases expand this config to more than 1,000 values"):
        read_yaml(path)
    path.write_text("name: [" + ",".join(["0"] * 600) + "]\n" + "more: [" + ",".join(["0"] * 600) + "]\n")
    with pytest.raises(ConfigError) as err:
        read_yaml(path)
    assert "aliases" not in str(err.value) and "holds more than 1,000 values" in str(err.value)


# --------------------------------------------------------------------------------- silently wrong answers
def test_names_with_commas_and_quotes_survive_in_the_event_log(tmp_path: Path) -> None:
    data = yaml.safe_load(BASE_TEXT)
    data["organisation"]["secretaries"][0]["name"] = 'Anna, "the boss"'
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = run_forked(["run", "tiny.yaml", "--out", "out", "--event-log", "--days", "1"], tmp_path)
    assert code == 0, err
    with open(tmp_path / "out" / "events.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(len(r) == 5 and None not in r for r in rows)
    assert {r["secretary"] for r in rows} == {'Anna, "the boss"', "Bea"}


def test_swept_clock_times_are_labelled_as_written(tmp_path: Path, config: Path) -> None:
    code, stdout, err = run_forked(["sweep", "tiny.yaml", "-r", "2", "-w", "1", "--days", "1", "--json",
                                    "--vary", "calendar.close=17:00,16:30", "--out", "out"], tmp_path)
    assert code == 0, err
    settings = [s["setting"]["calendar.close"] for s in json.loads(stdout)["settings"]]
    assert settings == ["17:00", "16:30"]
    with open(tmp_path / "out" / "summary.csv", newline="") as fh:
        assert {r["calendar.close"] for r in csv.DictReader(fh)} == {"17:00", "16:30"}


def test_a_date_in_the_description_is_text_and_hashes_alike(tmp_path: Path) -> None:
    (tmp_path / "dated.yaml").write_text(BASE_TEXT.replace("name: tiny", "name: tiny\ndescription: 2024-05-01"))
    hashes = set()
    for _ in range(2):
        code, out, err = sim_process(["run", "dated.yaml", "--days", "1", "--seed", "5", "--set",
                                      "run.warmup_days=0", "--json", "--out", f"out{len(hashes)}{_}"], tmp_path)
        assert code == 0, err
        hashes.add(json.loads(out)["config_hash"])
    assert len(hashes) == 1
    resolved = yaml.safe_load((tmp_path / "out00" / "config.resolved.yaml").read_text())
    assert resolved["description"] == "2024-05-01"


def test_report_on_damaged_files_is_one_line(tmp_path: Path, config: Path) -> None:
    code, _, err = run_forked([*COMPARE, "--out", "res"], tmp_path)
    assert code == 0, err
    res = tmp_path / "res"
    good = {name: (res / name).read_bytes() for name in ("manifest.json", "summary.json", "kpis.csv")}
    for name, content in [("manifest.json", "{not json"), ("manifest.json", "[1, 2]"),
                          ("summary.json", '{"kind": "compare", '), ("kpis.csv", b"\xff\xfe\x00bad")]:
        for original, data in good.items():
            (res / original).write_bytes(data)
        if isinstance(content, bytes):
            (res / name).write_bytes(content)
        else:
            (res / name).write_text(content)
        before = tree(tmp_path)
        err = one_line(*run_forked(["report", "res"], tmp_path))
        assert f"{name}: is damaged" in err, err
        assert tree(tmp_path) == before


# ------------------------------------------------------------------------------------ the environment
@contextlib.contextmanager
def small_fs(folder: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    folder.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {proc.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_read_only_file_system_is_found_before_the_work(tmp_path: Path, config: Path) -> None:
    with small_fs(tmp_path / "ro", "100k", read_only=True):
        for argv in (["run", "tiny.yaml", "--out", "ro/out"], [*COMPARE, "--out", "ro/out"]):
            err = one_line(*run_forked(argv, tmp_path))
            assert "ro/out" in err and "read-only" in err


def test_a_full_disk_during_an_experiment_keeps_a_resumable_store(tmp_path: Path, config: Path) -> None:
    """The tables of 6 replications do not fit in 200 KB: the command fails with one line (exit 1), the store
    keeps what was committed, and once there is room the same command resumes to the numbers of a run that
    never failed."""
    argv = ["compare", "tiny.yaml", "tiny.yaml", "-r", "6", "-w", "1", "--days", "3", "--json"]
    code, reference, err = run_forked([*argv, "--out", "ref"], tmp_path)
    assert code == 0, err
    with small_fs(tmp_path / "disk", "200k") as disk:
        code, out, err = run_forked([*argv, "--out", "disk/out"], tmp_path)
        assert code in (1, 2), err
        one_line(code, out, err, expect=code)
        assert "no space left" in err or "disk is full" in err, err
        db = sqlite3.connect(disk / "out" / "results.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], check=True)
        code, out, err = run_forked([*argv, "--out", "disk/out"], tmp_path)
        assert code == 0, err
        assert _numbers(out) == _numbers(reference)


def _numbers(text: str) -> dict[str, object]:
    data = json.loads(text)
    return {k: data[k] for k in ("setups", "differences", "replications", "seed")}


# -------------------------------------------------------------------------------------------- workers
def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "kill"])
def test_killing_the_parent_leaves_no_worker(sig: int, tmp_path: Path) -> None:
    data = yaml.safe_load(BASE_TEXT)
    data["run"]["days"] = 400  # long enough to be killed mid-run
    (tmp_path / "long.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    proc = subprocess.Popen([sys.executable, "-m", "sim", "compare", "long.yaml", "long.yaml", "-w", "2", "-r", "8",
                             "--out", "out"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) >= 2, "the pool did not start"
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "a worker outlived its parent"
    finally:
        for w in workers:
            with contextlib.suppress(OSError):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()

