"""Robustness of the data going out (issue 27): results folders, workbooks, figures and the options that decide
them, through the real ``sim`` entry point (forked, so a case costs milliseconds).

Classes, each held at its root:

- reading a folder: one reader (:mod:`sim.experiments.results`) for report, plot and export, so a damaged manifest, a
  stray non-UTF-8 CSV or a hand-edited summary is one line and exit code 2 in every one of them;
- nothing cut without a note: rows beyond Excel's limit, over-long cells and sheet names are listed on the
  workbook's Notes sheet and About says so;
- figures never crash on user text: names with ``$`` (matplotlib's mathtext) are drawn as written;
- a run with no calls is reported and plotted;
- the staffing search never proposes a staffing its own check refuses (competences);
- every option is checked before any work or file: sensitivity ranges, Morris on an empty range, costs of
  zero, unwritable destinations (exit code 2, as for any --out);
- one writer for every folder: --overwrite leaves no temporary file, a rerun of the same run into its own
  folder is allowed, a folder another sim is writing is refused, nothing is left behind on failure.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.bad_input import BASE, run_forked, tree


def sim(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    return run_forked(argv, cwd)


def one_line(result: tuple[int, str, str], expect: int = 2) -> str:
    code, _, err = result
    assert code == expect, (code, err)
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.startswith("sim: error: "), err
    return err


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, (code, err)
    assert "Traceback" not in err, err
    return out


def config(tmp_path: Path, name: str = "tiny", change: Any = None) -> Path:
    data = copy.deepcopy(BASE)
    data["name"] = name
    if change is not None:
        change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small comparison folder, made once; tests copy it."""
    root = tmp_path_factory.mktemp("cmp")
    config(root, "tiny")
    config(root, "other", lambda d: d["dispatch"]["exchange"].update(policy="none"))
    ok(sim(["compare", "tiny.yaml", "other.yaml", "-r", "2", "-w", "1", "--days", "1", "--out", "cmp"], root))
    return root / "cmp"


def copy_of(folder: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


# ------------------------------------------------------------------------------------------ reading a folder
DAMAGE = {
    "manifest_not_json": ("manifest.json", b"{not json"),
    "manifest_a_list": ("manifest.json", b"[1, 2]\n"),
    "manifest_configs_text": ("manifest.json", b'{"kind": "compare", "configs": "x"}\n'),
    "stray_latin1_csv": ("notes.csv", "naam;straße\n".encode("latin-1")),
    "table_not_utf8": ("tables/per_department.csv", b"\xff\xfe\x00a,b\n"),
    "summary_not_json": ("summary.json", b"\x00\x01"),
}


@pytest.mark.parametrize("command", ["export", "report", "plot"])
@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_folder_is_one_line_in_every_reader(case: str, command: str, compared: Path,
                                                      tmp_path: Path) -> None:
    folder = copy_of(compared, tmp_path)
    name, content = DAMAGE[case]
    (folder / name).write_bytes(content)
    before = tree(folder)
    argv = {"export": ["export", str(folder)], "report": ["report", str(folder)],
            "plot": ["plot", "compare", str(folder)]}[command]
    err = one_line(sim(argv, tmp_path))
    assert name.split("/")[-1] in err
    assert tree(folder) == before  # nothing written beside the damage


def test_a_run_folder_with_a_damaged_summary_is_one_line(tmp_path: Path) -> None:
    config(tmp_path)
    ok(sim(["run", "tiny.yaml", "--days", "1", "--out", "o"], tmp_path))
    (tmp_path / "o" / "summary.json").write_text('{"kpi": [1, 2', encoding="utf-8")
    for argv in (["export", "o"], ["report", "o"], ["plot", "all", "o"]):
        assert "summary.json" in one_line(sim(argv, tmp_path))


def test_the_readers_share_one_cell_rule(compared: Path) -> None:
    from sim.data import export
    from sim.experiments import results
    from sim.presentation import report

    assert report.read_csv is results.read_csv
    for text, value in [("", None), ("True", True), ("False", False), ("0123", "0123"), ("12", 12),
                        ("1.5", 1.5), ("1e3", 1000.0), ("abc", "abc"), ("2025-01-06", "2025-01-06")]:
        got = results.cell(text)
        assert got == value and type(got) is type(value), (text, got)
    assert not hasattr(export, "_value") and not hasattr(report, "_cell")


def test_load_results_opens_a_folder_written_from_python(tmp_path: Path) -> None:
    from sim.config import load_scenario
    from sim.experiments.experiment import compare
    from sim.presentation.report import load_results

    a = load_scenario(config(tmp_path), ["run.days=1"])
    b = load_scenario(config(tmp_path, "other", lambda d: d["dispatch"]["exchange"].update(policy="none")),
                      ["run.days=1"])
    result = compare([a, b], 2, out=tmp_path / "py", workers=1)
    res = load_results(tmp_path / "py")
    assert res.kind == "compare" and res.setups == ["tiny", "other"]
    manifest = json.loads((tmp_path / "py" / "manifest.json").read_text())
    assert manifest["finished"] and manifest["replications"] == 2
    assert json.loads((tmp_path / "py" / "summary.json").read_text())["setups"] == \
        json.loads(json.dumps(result.summary()))["setups"]
    assert (tmp_path / "py" / "tables" / "per_department.csv").exists()
    assert set(res.configs) == {"tiny", "other"}


def test_finished_has_one_format(compared: Path) -> None:
    from datetime import datetime

    from sim.experiments.results import timestamp

    stamp = json.loads((compared / "manifest.json").read_text())["finished"]
    assert datetime.fromisoformat(stamp).tzinfo is not None
    assert len(stamp) == len(timestamp())


# ------------------------------------------------------------------------------------ nothing cut silently
@pytest.fixture
def small_excel(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Excel's limits made small: 3 rows a sheet for the rows' test, 40 characters a cell for the others."""
    import sim.data.export as E

    if "rows" in request.node.name:
        monkeypatch.setattr(E, "MAX_ROWS", 3)
    else:
        monkeypatch.setattr(E, "MAX_CELL", 40)


def _book(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_rows_beyond_excels_limit_are_noted(compared: Path, tmp_path: Path, small_excel: None) -> None:
    from sim.data.export import export

    folder = copy_of(compared, tmp_path)
    export(folder, tmp_path / "x.xlsx")
    book = _book(tmp_path / "x.xlsx")
    notes = book["Notes"]
    assert any("rows cut" in str(r[1]) for r in notes)
    about = dict((r[0], r[1]) for r in book["About"])
    assert "cut" in about


def test_long_cells_and_sheet_names_are_noted(compared: Path, tmp_path: Path, small_excel: None) -> None:
    from sim.data.export import export

    folder = copy_of(compared, tmp_path)
    (folder / f"{'a_very_long_table_name_' * 3}.csv").write_text("x\n" + "y" * 80 + "\n", encoding="utf-8")
    export(folder, tmp_path / "x.xlsx")
    book = _book(tmp_path / "x.xlsx")
    text = " ".join(str(c) for r in book["Notes"] for c in r)
    assert "characters cut" in text
    assert "a_very_long_table_name_a_very_long" in text  # the sheet's full name, where it was shortened
    about = dict((r[0], r[1]) for r in book["About"])
    assert "cut" in about and "Notes" in str(about["cut"])


# ---------------------------------------------------------------------------------------- user text, figures
NAMES = ["$\\frac{a$", "cost $5", "$x^2$", "a$$b", "\\$_{x}"]


def _dollars(data: dict[str, Any], name: str) -> None:
    data["organisation"]["departments"][0]["name"] = name
    data["organisation"]["secretaries"][0]["departments"] = [name]
    data["organisation"]["secretaries"][0]["name"] = name + " sec"


@pytest.mark.parametrize("name", NAMES)
def test_names_with_dollars_are_drawn_as_written(name: str, tmp_path: Path) -> None:
    config(tmp_path, "tiny", lambda d: _dollars(d, name))
    ok(sim(["run", "tiny.yaml", "--days", "1", "--event-log", "--out", "o"], tmp_path))
    ok(sim(["report", "o"], tmp_path))
    ok(sim(["plot", "all", "o", "--format", "svg"], tmp_path))
    svg = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "o" / "figures").glob("*.svg"))
    assert name.replace("&", "&amp;").split("$")[-1] in svg


def test_setup_names_with_dollars_in_a_comparison(tmp_path: Path) -> None:
    config(tmp_path, "tiny", lambda d: d.update(name="$a$"))
    config(tmp_path, "other", lambda d: d.update(name="b$"))
    ok(sim(["compare", "tiny.yaml", "other.yaml", "-r", "2", "-w", "1", "--days", "1", "--out", "c"], tmp_path))
    ok(sim(["report", "c"], tmp_path))
    ok(sim(["plot", "all", "c", "--format", "png"], tmp_path))


def test_every_figure_module_draws_dollars(tmp_path: Path) -> None:
    """The figures of sensitivity, screening and uncertainty, fed labels with ``$``."""
    from sim.presentation.figures.sensitivity import morris_figure, tornado

    row = {"parameter": "p", "label": "$\\frac{x$", "low": 1, "high": 2, "saving_low": 0.1,
           "saving_high": 0.2, "break_even": None, "points": []}
    tornado({"parameters": [row], "base": {"saving": 0.15}, "article_saving": 0.15, "reference": "$a",
             "alternative": "b$"}, str(tmp_path / "t.png"))
    morris = {"parameters": [{"parameter": "p", "label": "$x", "mu_star": 0.1, "mu_star_conf": 0.01,
                              "mu": 0.1, "sigma": 0.05}], "trajectories": 2, "levels": 4, "design_points": 4}
    morris_figure(morris, str(tmp_path / "m.png"), title="$t")
    assert (tmp_path / "t.png").exists() and (tmp_path / "m.png").exists()


# ---------------------------------------------------------------------------------------------- no calls
def _no_calls(data: dict[str, Any]) -> None:
    data["demand"]["calls"]["per_staff_per_day"] = 0


def test_a_run_without_calls_is_reported_and_plotted(tmp_path: Path) -> None:
    config(tmp_path, "tiny", _no_calls)
    ok(sim(["run", "tiny.yaml", "--days", "1", "--event-log", "--out", "o"], tmp_path))
    ok(sim(["report", "o"], tmp_path))
    code, out, err = sim(["plot", "sipp", "o"], tmp_path)
    assert "Traceback" not in err and code in (0, 2), err
    ok(sim(["plot", "all", "o", "--format", "png"], tmp_path))


def test_a_comparison_without_calls_is_reported(tmp_path: Path) -> None:
    config(tmp_path, "tiny", _no_calls)
    config(tmp_path, "other", lambda d: (_no_calls(d), d["dispatch"]["exchange"].update(policy="none")))
    ok(sim(["compare", "tiny.yaml", "other.yaml", "-r", "2", "-w", "1", "--days", "1", "--out", "c"], tmp_path))
    ok(sim(["report", "c"], tmp_path))
    ok(sim(["plot", "all", "c", "--format", "png"], tmp_path))


# ---------------------------------------------------------------------------------- the search's own check
def _competences(data: dict[str, Any]) -> None:
    """Finance has two secretaries, only one of whom does post; leavers allowed."""
    org = data["organisation"]
    org["setup"] = "decentralised"
    org["departments"] = [{"name": "Finance", "staff": 4}, {"name": "Legal", "staff": 4}]
    org["secretaries"] = [
        {"name": "Anna", "departments": ["Finance"], "competences": ["phone", "callback", "email", "minutes"]},
        {"name": "Cas", "departments": ["Finance"], "competences": ["phone", "callback", "email", "post",
                                                                     "minutes"],
         "days": ["mon", "tue"]},
        {"name": "Bea", "departments": ["Legal"]},
    ]
    data["staffing"] = {"allow_leavers": True, "keep_department_secretary": False, "min_contract_days": 2}


def test_the_search_never_removes_the_only_competent_secretary(tmp_path: Path) -> None:
    from sim.config import load_scenario
    from sim.decisions.staffing.moves import Staffing

    sc = load_scenario(config(tmp_path, "tiny", _competences))
    st = Staffing.of(sc)
    for _ in range(20):  # remove days from Finance as far as the rules allow: every step stays valid
        nxt = st.remove_day(sc, "Finance")
        if nxt is None:
            break
        nxt.apply(sc)
        st = nxt
    assert any(s.name == "Cas" for s in st.secretaries)


def test_staff_with_competences_finishes(tmp_path: Path) -> None:
    config(tmp_path, "tiny", _competences)
    ok(sim(["staff", "tiny.yaml", "-r", "2", "-w", "1", "--days", "1", "--blocks", "1", "--no-waterfall",
            "--out", "s"], tmp_path))


# ---------------------------------------------------------------------------- options before work or files
def _pair(tmp_path: Path) -> list[str]:
    config(tmp_path, "tiny")
    config(tmp_path, "other", lambda d: d["organisation"].update(setup="central"))
    return ["sensitivity", "tiny.yaml", "other.yaml", "-r", "2", "-w", "1", "--days", "1", "--out", "s"]


@pytest.mark.parametrize("param", ["occupancy=0.8,0.8", "demand=1,1", "patience=nan,2", "demand=-1,2",
                                   "sickness=0.5,inf", "occupancy=0.5,1.7"])
def test_sensitivity_ranges_are_checked_before_anything_is_written(param: str, tmp_path: Path) -> None:
    argv = _pair(tmp_path) + ["--param", param, "--morris", "2"]
    err = one_line(sim(argv, tmp_path))
    assert "--param" in err
    assert not (tmp_path / "s").exists()


def test_a_one_parameter_sensitivity_draws_without_warnings(tmp_path: Path) -> None:
    from sim.presentation.figures.sensitivity import tornado

    row = {"parameter": "occupancy", "label": "occupancy ceiling", "low": 0.8, "high": 0.9, "saving_low": 0.1,
           "saving_high": 0.2, "break_even": None, "points": []}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tornado({"parameters": [row], "base": {"saving": 0.15}, "article_saving": 0.15,
                 "reference": "a", "alternative": "b"}, str(tmp_path / "t.png"))


def _free(data: dict[str, Any]) -> None:
    data["organisation"]["cost_per_fte_per_year"] = 0


def test_staff_with_no_cost_per_fte_is_one_line_or_runs(tmp_path: Path) -> None:
    config(tmp_path, "tiny", _free)
    code, out, err = sim(["staff", "tiny.yaml", "-r", "2", "-w", "1", "--days", "1", "--blocks", "1",
                          "--no-waterfall", "--out", "s"], tmp_path)
    assert "Traceback" not in err, err
    if code:
        one_line((code, out, err))
        assert not (tmp_path / "s").exists()


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root ignores the mode: a file where the folder should be
        folder.chmod(0o755)
        folder.rmdir()
        folder.write_text("a file, not a folder\n", encoding="utf-8")
    yield folder
    if folder.is_dir():
        folder.chmod(0o755)


def test_unwritable_destinations_are_input_errors(compared: Path, tmp_path: Path, read_only: Path) -> None:
    folder = copy_of(compared, tmp_path)
    before = tree(folder)
    assert "ro" in one_line(sim(["report", str(folder), "--out", str(read_only / "r.html")], tmp_path))
    assert "ro" in one_line(sim(["export", str(folder), str(read_only / "r.xlsx")], tmp_path))
    assert "ro" in one_line(sim(["plot", "compare", str(folder), "--out", str(read_only / "f")], tmp_path))
    assert tree(folder) == before
    assert not read_only.is_dir() or not list(read_only.iterdir())


# ---------------------------------------------------------------------------------------- one folder writer
def test_overwrite_leaves_no_temporary_files(compared: Path, tmp_path: Path) -> None:
    folder = copy_of(compared, tmp_path)
    for stale in (".summary.json.abc123", ".kpis.parquet.tmp", "tables/.per_hour.csv.x1y2z3",
                  "configs/.tiny.yaml.q9", ".manifest.json.k2.tmp"):
        (folder / stale).write_text("half", encoding="utf-8")
    config(tmp_path, "tiny")
    config(tmp_path, "other", lambda d: d["dispatch"]["exchange"].update(policy="none"))
    ok(sim(["compare", "tiny.yaml", "other.yaml", "-r", "2", "-w", "1", "--days", "1", "--out", str(folder),
            "--overwrite"], tmp_path))
    left = [p for p in folder.rglob(".*") if p.is_file()]
    assert not left, left


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    from sim.experiments.results import write_text

    with pytest.raises(ZeroDivisionError):
        from sim.experiments.output import atomic_open

        with atomic_open(tmp_path, "a.txt") as fh:
            fh.write("half")
            raise ZeroDivisionError
    write_text(tmp_path, "b.txt", "whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]


def test_the_same_run_with_an_event_log_may_be_written_again(tmp_path: Path) -> None:
    config(tmp_path)
    argv = ["run", "tiny.yaml", "--days", "1", "--event-log", "--out", "o"]
    def numbers() -> dict[str, Any]:
        data = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
        data.pop("wall_seconds")
        return data

    ok(sim(argv, tmp_path))
    first = numbers()
    ok(sim(argv, tmp_path))
    assert numbers() == first
    # ... and a report of it, and the figures, do not make it someone else's
    ok(sim(["report", "o"], tmp_path))
    ok(sim(argv, tmp_path))
    # another run is still refused
    one_line(sim(["run", "tiny.yaml", "--days", "2", "--out", "o"], tmp_path))


def test_a_folder_another_sim_is_writing_is_refused(compared: Path, tmp_path: Path) -> None:
    folder = copy_of(compared, tmp_path)
    before = tree(folder)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        config(tmp_path, "tiny")
        config(tmp_path, "other", lambda d: d["dispatch"]["exchange"].update(policy="none"))
        err = one_line(sim(["compare", "tiny.yaml", "other.yaml", "-r", "2", "-w", "1", "--days", "1", "--out",
                            str(folder)], tmp_path))
        assert "busy" in err
        assert "busy" in one_line(sim(["report", str(folder)], tmp_path))
    finally:
        os.close(fd)
    assert tree(folder) == before


# ------------------------------------------------------------------------------- one claim on a folder (issue 27)
def _run_folder(tmp_path: Path) -> Path:
    config(tmp_path, "tiny")
    ok(sim(["run", "tiny.yaml", "--days", "1", "--out", "o"], tmp_path))
    return tmp_path / "o"


def test_a_run_into_a_folder_another_sim_holds_is_refused_as_busy(tmp_path: Path) -> None:
    from sim.experiments.output import claim_folder

    folder = _run_folder(tmp_path)
    before = tree(folder)
    with claim_folder(folder, "o", reuse=lambda _: True):  # as the first sim run holds it while it runs
        # a forked child inherits this process's memory, not its lock: it must not take the folder for its own
        for argv in (["run", "tiny.yaml", "--days", "1", "--out", "o"],
                     ["run", "tiny.yaml", "--days", "1", "--out", "o", "--overwrite", "--seed", "9"],
                     ["compare", "tiny.yaml", "tiny.yaml", "-r", "2", "-w", "1", "--days", "1", "--out", "o",
                      "--overwrite"],
                     ["plot", "hourly", "o", "--out", "o"]):
            assert "busy" in one_line(sim(argv, tmp_path)), argv
    assert tree(folder) == before


def test_two_runs_into_one_folder_do_not_mix(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import ROOT

    config(tmp_path, "tiny")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "sim", "run", "tiny.yaml", "--days", "3", "--out", "o", "--seed"]
    procs = [subprocess.Popen([*argv, str(seed)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    assert sorted(code for code, _ in results) == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert loser.count("\n") == 1 and "Traceback" not in loser and ("busy" in loser or "not empty" in loser)
    winner = 1 + [code for code, _ in results].index(0)
    assert json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["seed"] == winner
    assert yaml.safe_load((tmp_path / "o" / "config.resolved.yaml").read_text(encoding="utf-8"))["run"]["seed"] \
        == winner


def test_a_failed_command_leaves_no_folder_it_made(tmp_path: Path) -> None:
    from support.robustness import config as cal_config
    from support.robustness import log_rows, write_csv

    cfg = cal_config(tmp_path)
    rows = log_rows()
    rows[9][0] = rows[4][0]  # a request id twice: refused once the folder is claimed, while the log is read
    write_csv(tmp_path / "requests.csv", rows)
    one_line(sim(["calibrate", cfg.name, "--calls", "requests.csv", "--out", "new"], tmp_path))
    assert not (tmp_path / "new").exists()
    one_line(sim(["calibrate", cfg.name, "--calls", "requests.csv"], tmp_path))
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").iterdir())


def test_calibrate_overwrite_keeps_the_earlier_calibration_when_it_fails(tmp_path: Path) -> None:
    from support.robustness import calibrated, log_rows
    from support.robustness import config as cal_config

    cfg = cal_config(tmp_path)
    ok(calibrated(tmp_path, cfg, log_rows())[0])
    before = tree(tmp_path / "cal")
    rows = log_rows()
    rows[9][0] = rows[4][0]  # a request id twice: refused after the folder was claimed
    one_line(calibrated(tmp_path, cfg, rows, "--overwrite")[0])
    assert tree(tmp_path / "cal") == before


def test_the_probe_of_a_check_may_vanish_or_be_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sims at once: one's --overwrite clears the other's probe file, or a folder the other made for its
    check is gone again; and one sim's probe is not a file that makes a folder "not empty" to the other."""
    import tempfile

    from sim.experiments import output

    real = tempfile.mkstemp
    calls: list[str] = []

    def vanishing(*args: Any, **kwargs: Any) -> tuple[int, str]:
        calls.append("probe")
        if len(calls) == 1:  # the folder looked at is removed (by another sim's check) before the probe is made
            os.rmdir(kwargs["dir"])
            raise FileNotFoundError(2, "No such file or directory")
        fd, name = real(*args, **kwargs)
        os.unlink(name)  # and the probe is cleared by another sim's --overwrite before it is removed
        return fd, name

    monkeypatch.setattr(output.tempfile, "mkstemp", vanishing)
    output.check_writable(tmp_path / "a" / "b")
    assert len(calls) == 2 and not (tmp_path / "a").exists()
    monkeypatch.undo()
    folder = tmp_path / "o"
    folder.mkdir()
    (folder / ".sim-probe-x1y2z3").write_text("", encoding="utf-8")  # another sim checking this folder now
    with output.claim_folder(folder, "o", clear=None) as claimed:
        assert claimed == folder


def test_an_out_that_disappears_under_click_is_ours_to_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """click looked at an --out folder (it is there) and then asked whether it is readable; removed in between,
    click said 'Directory ... is not readable'. The path is now sim's to check: the run writes a new folder."""
    import shutil

    config(tmp_path, "tiny")
    (tmp_path / "o").mkdir()
    real = os.access

    def vanished(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if Path(path).name == "o" and (tmp_path / "o").exists():
            shutil.rmtree(tmp_path / "o")
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", vanished)
    ok(sim(["run", "tiny.yaml", "--days", "1", "--out", "o"], tmp_path))
    assert (tmp_path / "o" / "summary.json").is_file()
    err = one_line(sim(["run", "tiny.yaml", "--days", "1", "--out", ""], tmp_path))
    assert "--out" in err and "empty" in err


def test_an_unreadable_out_is_one_line_of_ours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.config import ConfigError
    from sim.experiments.output import claim_folder

    folder = tmp_path / "o"
    folder.mkdir()
    (folder / "x.txt").write_text("mine", encoding="utf-8")

    def denied(self: Path) -> Iterator[Path]:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(ConfigError, match="cannot be read: permission denied"), claim_folder(folder, "o"):
        pass
    monkeypatch.undo()
    assert (folder / "x.txt").read_text(encoding="utf-8") == "mine"


@pytest.fixture
def roster_config(tmp_path: Path) -> Path:
    pytest.importorskip("ortools")
    from support.roster import tiny

    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    return path


def test_roster_claims_its_folder(roster_config: Path, tmp_path: Path) -> None:
    from sim.experiments.output import claim_folder

    folder = tmp_path / "o"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree(folder)
    argv = ["roster", "r.yaml", "-r", "2", "--max-rounds", "1", "--time-limit", "5", "--workers", "1", "--out", "o"]
    assert "not empty" in one_line(sim(argv, tmp_path))
    with claim_folder(folder, "o", reuse=lambda _: True):
        assert "busy" in one_line(sim([*argv, "--overwrite"], tmp_path))
    assert tree(folder) == before


def test_roster_keep_of_nobody_names_the_option_once(roster_config: Path, tmp_path: Path) -> None:
    err = one_line(sim(["roster", "r.yaml", "-r", "2", "--max-rounds", "1", "--time-limit", "5", "--workers", "1",
                        "--keep", "Nobody.days=[mon]", "--out", "o"], tmp_path))
    assert "--keep: nobody called 'Nobody'" in err and "--keep: --keep" not in err
    assert not (tmp_path / "o").exists()
