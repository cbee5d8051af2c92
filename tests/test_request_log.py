"""The request log (one row per call, task and meeting, with real dates) and a run's tables as data frames."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest
from conftest import CONFIGS, ROOT

from sim import load_scenario, run_replication
from sim.data.request_log import COLUMNS, TIME_FORMAT, RequestLog


def logged(config: str = "central.yaml", *overrides: str) -> tuple[object, list[dict[str, str]]]:
    scenario = load_scenario(CONFIGS / config, ["run.days=6", "run.warmup_days=2", *overrides])
    buf = io.StringIO()
    result = run_replication(scenario, request_log=RequestLog(scenario, buf))
    return result, list(csv.DictReader(io.StringIO(buf.getvalue())))


def test_the_log_changes_no_result() -> None:
    scenario = load_scenario(CONFIGS / "central.yaml", ["run.days=6", "run.warmup_days=2"])
    plain = run_replication(scenario)
    with_log, _ = logged()
    assert with_log.kpi == plain.kpi and with_log.tables == plain.tables  # type: ignore[attr-defined]


@pytest.mark.parametrize("config", ["central.yaml", "decentral.yaml"])
def test_every_request_once_and_the_counts_add_up(config: str) -> None:
    result, rows = logged(config)
    acc = result.accounting  # type: ignore[attr-defined]
    assert rows and list(rows[0]) == list(COLUMNS)
    assert [int(r["id"]) for r in rows] == list(range(1, len(rows) + 1))
    measured = [r for r in rows if r["warmup"] == "0"]
    calls = Counter(r["outcome"] for r in measured if r["kind"] == "call")
    assert calls["answered"] == acc["calls_answered"]
    assert calls["abandoned"] == acc["calls_abandoned"]
    assert calls["after_hours"] == acc["calls_after_hours"]
    assert calls["open_at_end"] == acc["calls_waiting_at_end"]
    for name, counts in acc["tasks"].items():
        tasks = Counter(r["outcome"] for r in measured if r["kind"] == "task" and r["type"] == name)
        assert (tasks["done"], tasks["open_at_end"]) == (counts["done"], counts["open"]), name


def test_times_are_consistent_real_dates() -> None:
    _, rows = logged()
    first = datetime(2025, 1, 6)  # the default calendar.start_date, a Monday
    for r in rows:
        arrival = datetime.strptime(r["arrival"], TIME_FORMAT)
        assert arrival >= first and arrival.weekday() < 5
        if r["outcome"] in ("answered", "done"):
            start, end = (datetime.strptime(r[k], TIME_FORMAT) for k in ("start", "end"))
            assert arrival <= start <= end
            assert abs((start - arrival).total_seconds() - float(r["wait_seconds"])) <= 1.0
            assert r["secretary"]
        if r["outcome"] == "answered":
            assert abs((end - start).total_seconds() / 60 - float(r["duration_minutes"])) <= 1 / 60
        if r["outcome"] == "abandoned":
            assert not r["start"] and not r["secretary"] and float(r["wait_seconds"]) > 0
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["call"] and kinds["task"] and kinds["meeting"]
    # an unanswered caller's voicemail is a call-back task of its own
    voicemails = sum(1 for r in rows if r["kind"] == "call" and r["callback"] == "1")
    callbacks = sum(1 for r in rows if r["type"] == "callback")
    assert voicemails == callbacks > 0


def test_start_date_labels_the_dates_and_must_be_a_monday() -> None:
    _, rows = logged("central.yaml", "calendar.start_date=2024-09-02")
    assert rows[0]["arrival"].startswith("2024-09-02")
    from sim.config import ConfigError
    with pytest.raises(ConfigError, match="start_date: 2024-09-03 is a Tuesday"):
        load_scenario(CONFIGS / "central.yaml", ["calendar.start_date=2024-09-03"])


def test_cli_event_log_writes_requests_csv_and_parquet(tmp_path: object) -> None:
    out = tmp_path / "run"  # type: ignore[operator]
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(CONFIGS / "central.yaml"), "--days", "3",
                           "--event-log", "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((out / "requests.csv").open()))
    assert rows and (out / "events.csv").exists()
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.read_parquet(out / "requests.parquet")
    assert len(frame) == len(rows) and str(frame["arrival"].dtype).startswith("datetime64")


def test_result_frame() -> None:
    pytest.importorskip("pandas")
    scenario = load_scenario(CONFIGS / "central.yaml", ["run.days=3", "run.warmup_days=1"])
    result = run_replication(scenario)
    frame = result.frame("per_department")
    assert list(frame["department"]) == [d.name for d in scenario.organisation.departments]
    kpi = result.frame("kpi")
    assert kpi.set_index("kpi")["value"]["reachability"] == result.kpi["reachability"]
    with pytest.raises(KeyError, match="per_hour"):
        result.frame("nope")
