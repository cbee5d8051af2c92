"""Robustness, round three (issue 27), the data-in half: every input a user gives (config, roster spreadsheet,
telephony export, task log, ``--set`` value, ``sim init`` option) is read by one guarded reader and checked once
at the edge. Bad input gives one line naming the file, the field (the sheet's row and column for a spreadsheet)
and what is wrong, exit code 2, no traceback, and no file already written lost; valid input gives the right
answer, never a silently wrong one.

Each case runs the real entry point in a forked child with a time limit (a hang is a failure, not a stuck test)
and an address-space limit (a memory blow-up is a failure, not a swapping machine).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from support.bad_input import BASE
from support.robustness import calibrated, config, log_rows, sim, write_csv

from sim.config import ConfigError, load_scenario

openpyxl = pytest.importorskip("openpyxl")


def refused(result: tuple[int, str, str], *parts: str) -> str:
    """Exit code 2 and one line without a traceback that holds every one of ``parts``."""
    code, _, err = result
    assert code == 2, (code, err)
    assert "Traceback" not in err, err
    assert err.startswith("sim: error: ") and err.count("\n") == 1, err
    bare = re.sub(r"/[^\s:']*/", "", err)  # folders dropped: a test's own folder name must not match a part
    for part in parts:
        assert part in bare, (part, err)
    return err


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, (code, err)
    return out


def org(**changes: Any) -> dict[str, Any]:
    out = {**BASE["organisation"]}
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


DEPARTMENTS = [["name", "staff", "cluster"], ["Finance", "20", "North"], ["Legal", "10", "South"]]
SECRETARIES = [["name", "departments", "days", "start", "end"], ["Anna", "Finance", "", "08:30", "16:30"],
               ["Bea", "Legal", "mon;tue;wed", "", ""]]


def roster_config(folder: Path, departments: list[list[Any]] = DEPARTMENTS,
                  secretaries: list[list[Any]] | None = SECRETARIES, **extra: Any) -> Path:
    write_csv(folder / "departments.csv", departments)
    files: dict[str, Any] = {"departments_file": "departments.csv"}
    if secretaries is not None:
        write_csv(folder / "secretaries.csv", secretaries)
        files["secretaries_file"] = "secretaries.csv"
    o = {"setup": "central", **files, **extra}
    if secretaries is None:
        o["secretaries"] = BASE["organisation"]["secretaries"]
    return config(folder, organisation=o)


# ================================================================ 1. silent wrong answers, data loss
def test_a_departments_list_beside_a_departments_file_is_refused(tmp_path: Path) -> None:
    write_csv(tmp_path / "departments.csv", DEPARTMENTS)
    path = config(tmp_path, organisation=org(departments_file="departments.csv"))
    refused(sim(["check", path.name], tmp_path), "tiny.yaml", "organisation", "departments_file")


def test_departments_5_beside_a_departments_file_is_refused(tmp_path: Path) -> None:
    write_csv(tmp_path / "departments.csv", DEPARTMENTS)
    path = config(tmp_path, organisation=org(departments_file="departments.csv", departments=5))
    refused(sim(["check", path.name], tmp_path), "tiny.yaml", "departments_file")
    path = config(tmp_path, organisation=org(departments=5, secretaries_file="secretaries.csv",
                                             secretaries=None))
    write_csv(tmp_path / "secretaries.csv", SECRETARIES)
    refused(sim(["check", path.name], tmp_path), "tiny.yaml", "organisation.departments")


def test_a_list_in_an_extending_file_replaces_the_base_s_departments_file(tmp_path: Path) -> None:
    roster_config(tmp_path)
    child = tmp_path / "child.yaml"
    departments = [{"name": "Finance", "staff": 40, "cluster": "North", "demand_factor": 1.5},
                   {"name": "Legal", "staff": 10, "cluster": "South", "demand_factor": 0.25}]
    child.write_text(yaml.safe_dump({"extends": "tiny.yaml", "organisation": {"departments": departments}}))
    scenario = load_scenario(child)
    assert [(d.staff, d.demand_factor) for d in scenario.organisation.departments] == [(40, 1.5), (10, 0.25)]
    assert [s.name for s in scenario.organisation.secretaries] == ["Anna", "Bea"]  # still from the sheet


def test_a_weekday_twice_is_refused_in_yaml_and_in_a_sheet(tmp_path: Path) -> None:
    secretaries = [{**BASE["organisation"]["secretaries"][0], "days": ["mon"] * 5},
                   BASE["organisation"]["secretaries"][1]]
    path = config(tmp_path, organisation=org(secretaries=secretaries))
    refused(sim(["check", path.name], tmp_path), "organisation.secretaries[0].days", "twice")
    for cell in ("mon;Monday", "ma, mon", "tue;tue"):
        sheet = [SECRETARIES[0], SECRETARIES[1], ["Bea", "Legal", cell, "", ""]]
        path = roster_config(tmp_path, secretaries=sheet)
        refused(sim(["check", path.name], tmp_path), "secretaries.csv", "row 3", "column 'days'", "twice")


def test_a_calibrated_config_of_a_roster_file_config_keeps_the_estimated_factors(tmp_path: Path) -> None:
    cfg = roster_config(tmp_path)
    result, out = calibrated(tmp_path, cfg, log_rows())
    ok(result)
    scenario = load_scenario(out / "calibrated.yaml")
    factors = {d.name: d.demand_factor for d in scenario.organisation.departments}
    # Finance: 3 of every 4 requests for 20 staff; Legal: 1 of 4 for 10 staff
    assert factors["Finance"] == pytest.approx(1.125, abs=0.02) and factors["Legal"] == pytest.approx(0.75, abs=0.02)
    assert [s.name for s in scenario.organisation.secretaries] == ["Anna", "Bea"]


def test_calibrate_keeps_the_set_overrides_in_calibrated_yaml(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    result, out = calibrated(tmp_path, cfg, log_rows(), "--set", "run.days=7",
                             "--set", "organisation.secretaries.Anna.start=09:00",
                             "--set", "calendar.close=17:30")
    ok(result)
    scenario = load_scenario(out / "calibrated.yaml")
    assert scenario.run.days == 7 and scenario.calendar.close == "17:30"
    assert scenario.organisation.secretaries[0].start == "09:00"
    assert scenario.organisation.secretaries[1].days == ["mon", "tue", "wed"]
    assert scenario.organisation.departments[0].demand_factor != 1.0  # the estimate, not the base's


def test_log_departments_that_match_no_department(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    # another case: matched, and said so
    rows = log_rows(dept=lambda n: "legal" if n % 4 == 0 else "FINANCE")
    out = ok(calibrated(tmp_path, cfg, rows)[0])
    assert "'FINANCE' as 'Finance'" in out
    # a name that is no department: refused with a suggestion, and the row
    rows = log_rows(dept=lambda n: "Legals" if n % 4 == 0 else "Finance")
    refused(calibrated(tmp_path, cfg, rows, "--overwrite")[0], "requests.csv", "column 'department'", "'Legals'",
            "Legal")
    rows = log_rows(dept=lambda n: "" if n == 7 else "Finance")
    refused(calibrated(tmp_path, cfg, rows, "--overwrite")[0], "requests.csv", "row 8", "column 'department'")


def test_utc_offsets_are_converted_or_refused_never_dropped(tmp_path: Path) -> None:
    from sim.config.tabular import read_table
    from sim.data.calibration import parse_mapping, read_calls

    cfg = config(tmp_path)
    mixed = log_rows(stamp=lambda day, j: f"{day}T{8 + j % 7:02d}:00:00" + ("Z" if j % 2 else "+01:00"))
    refused(calibrated(tmp_path, cfg, mixed)[0], "requests.csv", "column 'arrival'", "offset",
            "calls.timezone")
    ok(calibrated(tmp_path, cfg, mixed, "--map", "calls.timezone=Europe/Amsterdam", "--overwrite")[0])
    log = write_csv(tmp_path / "utc.csv", [["arrival", "department"], ["2025-01-06T08:00:00Z", "Finance"],
                                           ["2025-07-07T08:00:00+00:00", "Finance"],
                                           ["2025-07-07 10:00:00", "Finance"]])
    calls = read_calls(read_table(log), parse_mapping(["calls.timezone=Europe/Amsterdam"])[0])
    assert list(calls.clock) == [9 * 60, 10 * 60, 10 * 60]  # CET, CEST, and local time as written
    one = write_csv(tmp_path / "one.csv", [["arrival", "department"], ["2025-01-06T09:00:00+01:00", "Finance"]])
    calls = read_calls(read_table(one), parse_mapping([])[0])
    assert list(calls.clock) == [9 * 60] and "+01:00" in calls.units["arrival"]  # one offset: the clock as written
    bad = parse_mapping(["calls.timezone=Mars/Olympus"])
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        read_calls(read_table(mixed_path := write_csv(tmp_path / "m.csv", mixed)), bad[0])
    assert mixed_path.exists()


def test_duplicate_request_ids_are_refused_naming_the_rows(tmp_path: Path) -> None:
    rows = log_rows()
    rows[9][0] = rows[4][0]
    refused(calibrated(tmp_path, config(tmp_path), rows)[0], "requests.csv", "column 'id'", "rows 5 and 10")


def test_a_request_id_shared_by_a_call_and_a_task_is_refused(tmp_path: Path) -> None:
    rows = log_rows()
    call = next(k for k, r in enumerate(rows) if r[1] == "call")
    task = next(k for k, r in enumerate(rows) if r[1] == "task")
    rows[task][0] = rows[call][0]
    err = refused(calibrated(tmp_path, config(tmp_path), rows)[0], "requests.csv", "column 'id'",
                  f"request id '{rows[call][0]}'", f"rows {min(call, task) + 1} and {max(call, task) + 1}")
    assert "a call and a task" in err or "a task and a call" in err
    assert not (tmp_path / "cal").exists()


def test_negative_durations_are_refused_in_every_format(tmp_path: Path) -> None:
    from datetime import timedelta

    cfg = config(tmp_path)
    rows = log_rows()
    rows[3][6] = "-2"
    refused(calibrated(tmp_path, cfg, rows)[0], "requests.csv", "row 4", "negative")
    cells: list[list[Any]] = [[float(c) if k in (5, 6) and c and n else c for k, c in enumerate(r)]
                              for n, r in enumerate(log_rows())]
    cells[3][6] = -2.0
    write_xlsx(tmp_path / "log.xlsx", {"Log": cells})
    refused(sim(["calibrate", cfg.name, "--calls", "log.xlsx", "--out", "x"], tmp_path),
            "log.xlsx", "sheet 'Log', row 4", "column 'duration_minutes'", "negative")
    cells[3][6] = timedelta(minutes=-3)
    write_xlsx(tmp_path / "log.xlsx", {"Log": cells})
    refused(sim(["calibrate", cfg.name, "--calls", "log.xlsx", "--out", "x"], tmp_path),
            "log.xlsx", "row 4", "negative")


def test_negative_durations_in_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    from datetime import timedelta

    import pyarrow.parquet as pq

    rows = log_rows()
    columns = {name: [r[k] for r in rows[1:]] for k, name in enumerate(rows[0])}
    columns["wait_seconds"] = [timedelta(seconds=float(x)) if x else None for x in columns["wait_seconds"]]
    columns["wait_seconds"][4] = timedelta(seconds=-4)  # a call's
    pq.write_table(pa.table(columns), tmp_path / "log.parquet")
    refused(sim(["calibrate", config(tmp_path).name, "--calls", "log.parquet", "--map", "calls.wait_unit=seconds",
                 "--out", "x"], tmp_path), "log.parquet", "row 6", "negative")


def test_a_formula_without_a_stored_value_is_refused_naming_the_cell(tmp_path: Path) -> None:
    sheet: list[list[Any]] = [["name", "staff", "cluster"], ["Finance", "=10+10", "North"], ["Legal", 10, "South"]]
    write_xlsx(tmp_path / "roster.xlsx", {"Departments": sheet})
    path = config(tmp_path, organisation=org(departments=None, departments_file="roster.xlsx"))
    refused(sim(["check", path.name], tmp_path), "roster.xlsx", "sheet 'Departments', row 2", "column 'staff'",
            "a formula without a stored value")


@pytest.mark.parametrize("label", ["phone", "calls", "Phone"])
def test_a_reserved_task_type_in_a_log_is_refused(label: str, tmp_path: Path) -> None:
    rows = [r if r[1] != "task" else [*r[:2], label, *r[3:]] for r in log_rows()]
    refused(calibrated(tmp_path, config(tmp_path), rows)[0], "reserved")


def test_an_empty_or_odd_task_type_is_refused(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    rows = [r if r[1] != "task" else [*r[:2], "", *r[3:]] for r in log_rows()]
    refused(calibrated(tmp_path, cfg, rows)[0], "requests.csv", "column 'type'", "row 3")
    rows = [r if r[1] != "task" else [*r[:2], "a/b", *r[3:]] for r in log_rows()]
    refused(calibrated(tmp_path, cfg, rows)[0], "'a/b'", "--map tasks.type.a/b=a_b")
    refused(calibrated(tmp_path, cfg, log_rows(), "--map", "tasks.type.email=phone")[0], "--map", "reserved")
    write_csv(tmp_path / "types.csv", [["label", "type"], ["E-mail", "calls"]])
    refused(calibrated(tmp_path, cfg, log_rows(), "--type-map", "types.csv")[0], "types.csv", "row 2", "reserved")


def test_two_calibrations_into_one_folder_do_not_mix(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    write_csv(tmp_path / "requests.csv", log_rows())
    argv = [sys.executable, "-m", "sim", "calibrate", cfg.name, "--calls", "requests.csv", "--out", "cal"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([*argv, "--set", f"run.seed={k}"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in (1, 2)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    assert sorted(code for code, _ in results) == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "Traceback" not in loser and loser.count("\n") == 1
    winner = 1 + [code for code, _ in results].index(0)
    assert f"run.seed={winner}" in (tmp_path / "cal" / "calibrated.yaml").read_text() or \
        load_scenario(tmp_path / "cal" / "calibrated.yaml").run.seed == winner


def test_the_output_folder_is_claimed_before_the_work(tmp_path: Path) -> None:
    from sim.experiments.output import claim_folder

    cfg = config(tmp_path)
    with claim_folder(tmp_path / "cal", "cal"):
        refused(calibrated(tmp_path, cfg, log_rows(), "--overwrite")[0], "cal", "busy")
    ok(calibrated(tmp_path, cfg, log_rows())[0])
    before = (tmp_path / "cal" / "calibrated.yaml").read_bytes()
    refused(calibrated(tmp_path, cfg, log_rows())[0], "not empty")
    assert (tmp_path / "cal" / "calibrated.yaml").read_bytes() == before


@pytest.mark.parametrize("name", ["Noord #2", "'s-Hertogenbosch", "null", "A #b", "yes", "[x]", "x: y", "*a"])
def test_init_keeps_any_scenario_name(name: str, tmp_path: Path) -> None:
    ok(sim(["init", "s.yaml", "--departments", "Verkeer:40,Groen #1:30", "--name", name], tmp_path))
    scenario = load_scenario(tmp_path / "s.yaml")
    assert scenario.name == name
    assert [d.name for d in scenario.organisation.departments] == ["Verkeer", "Groen #1"]
    assert not list(tmp_path.glob(".*"))


def test_init_roster_names_are_text_not_formulas(tmp_path: Path) -> None:
    ok(sim(["init", "s.yaml", "--departments", "=1+1:40,Groen:30", "--roster", "r.xlsx"], tmp_path))
    assert [d.name for d in load_scenario(tmp_path / "s.yaml").organisation.departments] == ["=1+1", "Groen"]


# ================================================================ 2. hangs and memory blow-ups
@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "sparse_csv", "sparse_xlsx", "sparse_parquet", "folder"])
@pytest.mark.parametrize("where", ["calls", "roster", "type_map"])
def test_tabular_inputs_have_the_config_guards(kind: str, where: str, tmp_path: Path) -> None:
    suffix = {"sparse_xlsx": ".xlsx", "sparse_parquet": ".parquet"}.get(kind, ".csv")
    target = tmp_path / f"input{suffix}"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev_zero":
        target.symlink_to("/dev/zero")
    elif kind == "folder":
        target.mkdir()
    else:
        with target.open("wb") as fh:
            fh.truncate(2 * 2**30)
    cfg = config(tmp_path)
    if where == "calls":
        argv = ["calibrate", cfg.name, "--calls", target.name, "--out", "x"]
    elif where == "type_map":
        write_csv(tmp_path / "requests.csv", log_rows())
        argv = ["calibrate", cfg.name, "--calls", "requests.csv", "--type-map", target.name, "--out", "x"]
    else:
        cfg = config(tmp_path, organisation=org(departments=None, departments_file=target.name))
        argv = ["check", cfg.name]
    err = refused(sim(argv, tmp_path, timeout=30), target.name)
    assert any(w in err for w in ("not a regular file", "MB", "folder")), err
    assert not (tmp_path / "x").exists()


def test_bytes_invalid_in_every_encoding(tmp_path: Path) -> None:
    (tmp_path / "departments.csv").write_bytes(b"name,staff,cluster\nFin\x81\x8d\x90,20,North\nLegal,10,South\n")
    cfg = config(tmp_path, organisation=org(departments=None, departments_file="departments.csv"))
    refused(sim(["check", cfg.name], tmp_path), "departments.csv", "UTF-8")


def test_tiny_shrinkage_blocks_are_refused(tmp_path: Path) -> None:
    for value in (1e-9, 0.001):
        cfg = config(tmp_path, absence={"shrinkage": {"share": 0.1, "block_minutes": value}})
        refused(sim(["check", cfg.name], tmp_path, timeout=30), "absence.shrinkage.block_minutes")


def test_shrinkage_blocks_count_in_the_work_guard(tmp_path: Path) -> None:
    many = [{"name": f"S{i}", "departments": ["Finance"]} for i in range(3000)]
    cfg = config(tmp_path, run={"days": 2000, "warmup_days": 0},
                 organisation=org(secretaries=many, setup="decentralised", departments=[
                     {"name": "Finance", "staff": 1}]),
                 demand={"calls": {"per_staff_per_day": 0.001, "talk_minutes": {"mean": 3}}},
                 dispatch={"exchange": {"policy": "none"}},
                 absence={"shrinkage": {"share": 0.5, "block_minutes": 1}})
    refused(sim(["check", cfg.name], tmp_path, timeout=60), "shrinkage")


@pytest.mark.parametrize("value", [
    "&a [*a]",
    "&a {x: *a}",
    "[&a [1,2,3,4,5,6,7,8,9,0], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], "
    "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e], "
    "&g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f], [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]]",
    "[" * 5000 + "]" * 5000,
])
def test_set_values_are_read_by_the_guarded_loader(value: str, tmp_path: Path) -> None:
    cfg = config(tmp_path)
    refused(sim(["check", cfg.name, "--set", f"description={value}"], tmp_path, timeout=30), "--set")


@pytest.mark.parametrize("content", ["fifo", b"scope,group,kpi,measured,n\nall,,reachability,1.5,10\n",
                                     b"scope,group,kpi,measured,n\nall,,reachability,0.5,many\n",
                                     b"scope,group,kpi,measured,n\nall,,reachability,nan,10\n",
                                     b"scope,group,kpi,measured,n\nall,,reach\x81\x8d,0.5,10\n"])
def test_a_measured_file_is_read_by_the_guarded_reader(content: str | bytes, tmp_path: Path) -> None:
    target = tmp_path / "measured.csv"
    if content == "fifo":
        os.mkfifo(target)
    else:
        assert isinstance(content, bytes)
        target.write_bytes(content)
    cfg = config(tmp_path)
    err = refused(sim(["run", cfg.name, "--measured", "measured.csv", "--out", "x"], tmp_path, timeout=60),
                  "measured.csv")
    assert "row 2" in err or "regular file" in err or "UTF-8" in err, err
    assert not (tmp_path / "x").exists()


# ================================================================ 3. tracebacks
def _only_weekends(day: str, j: int) -> str:
    return f"2025-01-{11 + j % 2:02d} {9 + j % 7:02d}:00:00"


@pytest.mark.parametrize("case", ["weekend", "header_only", "equal_talk", "huge_talk", "tiny_talk", "nan_wait",
                                  "inf_talk"])
def test_degenerate_logs(case: str, tmp_path: Path) -> None:
    cfg = config(tmp_path)
    rows = log_rows()
    if case == "weekend":
        rows = log_rows(stamp=_only_weekends)
    elif case == "header_only":
        rows = rows[:1]
    elif case == "equal_talk":
        rows = log_rows(talk=lambda n: "3")
    elif case == "huge_talk":
        rows = log_rows(talk=lambda n: "1e10")
    elif case == "tiny_talk":
        rows = log_rows(talk=lambda n: "1e-300")
    elif case == "nan_wait":
        rows[5][5] = "nan"
    elif case == "inf_talk":
        rows[6][6] = "inf"
    code, out, err = calibrated(tmp_path, cfg, rows)[0]
    assert "Traceback" not in err, err
    if code == 0:
        load_scenario(tmp_path / "cal" / "calibrated.yaml")  # what is written runs
    else:
        refused((code, out, err), "sim calibrate" if case in ("weekend", "header_only") else "requests.csv")
    expect = {"weekend": 2, "header_only": 2, "equal_talk": 0, "huge_talk": 2, "tiny_talk": 2, "nan_wait": 2,
              "inf_talk": 2}
    assert code == expect[case], (code, err)
    if case == "nan_wait":
        assert "row 6" in err and "not a number" in err and "negative" not in err, err
    if case == "equal_talk":
        talk = yaml.safe_load((tmp_path / "cal" / "demand.yaml").read_text())["demand"]["calls"]["talk_minutes"]
        assert talk["mean"] == 3


def test_a_damaged_parquet_file(tmp_path: Path) -> None:
    (tmp_path / "log.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 100 + b"PAR1")
    refused(sim(["calibrate", config(tmp_path).name, "--calls", "log.parquet", "--out", "x"], tmp_path),
            "log.parquet")


def test_a_symlink_loop_as_a_roster_or_a_base(tmp_path: Path) -> None:
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    cfg = config(tmp_path, organisation=org(departments=None, departments_file="loop.csv"))
    refused(sim(["check", cfg.name], tmp_path), "loop.csv")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "child.yaml").write_text("extends: loop.yaml\n")
    refused(sim(["check", "child.yaml"], tmp_path), "loop.yaml")


@pytest.mark.parametrize("departments", ["A:1000000000000", "A:99999999999999999999999", "A:10,B:1e3"])
def test_init_with_an_absurd_staff_count(departments: str, tmp_path: Path) -> None:
    refused(sim(["init", "s.yaml", "--departments", departments], tmp_path, timeout=30), "--departments")
    assert not list(tmp_path.iterdir())


# ================================================================ 4. late checks, leftovers
def test_init_does_not_replace_a_symlink_loop_without_overwrite(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").symlink_to(tmp_path / "s.yaml")
    refused(sim(["init", "s.yaml", "--departments", "A:10"], tmp_path), "s.yaml", "--overwrite")
    assert (tmp_path / "s.yaml").is_symlink()
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    refused(sim(["init", "dangling.yaml", "--departments", "A:10"], tmp_path), "dangling.yaml", "--overwrite")
    assert (tmp_path / "dangling.yaml").is_symlink() and not (tmp_path / "nowhere.yaml").exists()


# ================================================================ 5. messages pointing at the wrong place
@pytest.mark.parametrize("name", ["Ann\na", "Ann\x00a", "Ann\ta"])
def test_control_characters_in_roster_names(name: str, tmp_path: Path) -> None:
    sheet = [SECRETARIES[0], [name, "Finance", "", "", ""], SECRETARIES[2]]
    cfg = roster_config(tmp_path, secretaries=sheet)
    refused(sim(["check", cfg.name], tmp_path), "secretaries.csv", "row 2", "column 'name'", "control character")
    write_xlsx(tmp_path / "r.xlsx", {"S": sheet} if "\x00" not in name else {"S": SECRETARIES})
    if "\x00" not in name:
        cfg = config(tmp_path, organisation=org(secretaries=None, secretaries_file="r.xlsx"))
        refused(sim(["check", cfg.name], tmp_path), "r.xlsx", "row 2", "column 'name'", "control character")


def test_a_cell_is_quoted_as_written(tmp_path: Path) -> None:
    cfg = roster_config(tmp_path, departments=[DEPARTMENTS[0], ["Finance", "1.000", "North"], DEPARTMENTS[2]])
    refused(sim(["check", cfg.name], tmp_path), "departments.csv", "row 2", "column 'staff'", "'1.000'")


def test_cross_field_roster_errors_name_the_sheet_cell(tmp_path: Path) -> None:
    sheet = [SECRETARIES[0], SECRETARIES[1], ["Bea", "Legal", "", "16:00", "09:00"]]
    cfg = roster_config(tmp_path, secretaries=sheet)
    refused(sim(["check", cfg.name], tmp_path), "secretaries.csv", "row 3", "column 'end'")
    sheet = [SECRETARIES[0], SECRETARIES[1], ["Anna", "Legal", "", "", ""]]
    cfg = roster_config(tmp_path, secretaries=sheet)
    refused(sim(["check", cfg.name], tmp_path), "secretaries.csv", "row 3", "column 'name'")


def test_set_departments_file_is_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    cfg = config(tmp_path / "cfg")
    write_csv(tmp_path / "cfg" / "other.csv", [DEPARTMENTS[0], ["Finance", "33", "North"], DEPARTMENTS[2]])
    ok(sim(["check", "cfg/tiny.yaml", "--set", "organisation.departments_file=other.csv"], tmp_path))
    refused(sim(["check", "cfg/tiny.yaml", "--set", "organisation.departments_file=other.csv", "--set",
                 "organisation.departments.Finance.staff=3"], tmp_path), "both")
    scenario = load_scenario(cfg, ["organisation.departments_file=other.csv"])
    assert scenario.organisation.departments[0].staff == 33
