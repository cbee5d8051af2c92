"""Small things a user trips over (issue 15), each with the test that holds it fixed."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from sim.experiments.experiment import Runner
from sim.experiments.output import write_text

ROOT = Path(__file__).resolve().parent.parent
CENTRAL = str(ROOT / "configs" / "central.yaml")
SHORT = ("--days", "2", "--set", "run.warmup_days=1")


def cli_here(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from sim.cli import main

    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def test_output_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_text(tmp_path, "a.csv", "x\n")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not -rw------- (mkstemp's default)
        os.umask(0o077)
        assert stat.S_IMODE(write_text(tmp_path, "b.csv", "x\n").stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_run_json_creates_no_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli_here(capsys, "run", CENTRAL, *SHORT, "--json")
    assert code == 0 and json.loads(out)["out"] is None
    assert list(tmp_path.iterdir()) == []
    code, out, _ = cli_here(capsys, "run", CENTRAL, *SHORT, "--json", "--out", "mine")
    assert code == 0 and (tmp_path / "mine" / "summary.json").exists()  # with --out it writes


def test_readme_event_log_then_report_after_the_setup_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the README's set-up runs `sim run configs/central.yaml` (results/central); its next example writes the
    # same run again with an event log into results/central and reports it
    monkeypatch.chdir(tmp_path)
    assert cli_here(capsys, "run", CENTRAL, *SHORT)[0] == 0
    assert (tmp_path / "results" / "central" / "summary.json").exists()
    code, _, err = cli_here(capsys, "run", CENTRAL, *SHORT, "--event-log", "--out", "results/central")
    assert code == 0, err
    assert (tmp_path / "results" / "central" / "events.csv").exists()
    assert cli_here(capsys, "report", "results/central")[0] == 0
    assert cli_here(capsys, "report", "results/central")[0] == 0  # the folder's report is brought up to date
    # another scenario (here: another seed) into that folder is refused, as before
    code, _, err = cli_here(capsys, "run", CENTRAL, *SHORT, "--seed", "9", "--out", "results/central")
    assert code == 2 and "not empty" in err


def test_help_texts(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli_here(capsys, "compare", "--help")
    assert "95% interval" in out and "%%" not in out
    _, out, _ = cli_here(capsys, "staff", "--help")
    assert "--precision" not in out


def test_progress_bar_total_does_not_grow() -> None:
    class Serial:
        parallelism = 1

        def run(self, tasks):  # noqa: ANN001, ANN202
            return iter(())

    class Store:
        def done(self):  # noqa: ANN202
            return set()

    runner = Runner(Store(), Serial(), progress=True)  # type: ignore[arg-type]
    bar = runner._progress_bar(3)
    assert bar.total == 3
    bar = runner._progress_bar(42)  # a staffing search's next candidate: no made-up total
    assert bar.total is None
    runner.close()


def test_validate_table_does_not_cut_parameters() -> None:
    from sim.experiments.validate import Row, table

    row = Row(case="erlang_a_overload", quantity="P(abandon) of calls, a long quantity name that goes on",
              params={"c": 5, "lam": 0.123456, "mu": 1 / 3, "theta": 0.5, "policy": "overflow", "t": 1 / 3},
              theory=0.5, mean=0.5, ci_low=0.4, ci_high=0.6, n=10, passed=True, rule="inside")
    text = table([row])
    assert "lam=0.1235" in text and "policy=overflow" in text and "goes on" in text


def test_report_refreshed_when_resume_adds_replications(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "cmp")
    args = ("compare", CENTRAL, *SHORT, "-w", "1", "--out", out)
    assert cli_here(capsys, *args, "-r", "2")[0] == 0
    assert cli_here(capsys, "report", out)[0] == 0
    page = (tmp_path / "cmp" / "report.html").read_text()
    assert re.search(r"\b2 replications", page)
    code, _, err = cli_here(capsys, *args, "-r", "3")
    assert code == 0 and "refreshed" in err
    page = (tmp_path / "cmp" / "report.html").read_text()
    assert re.search(r"\b3 replications", page) and not re.search(r"\b2 replications", page)
