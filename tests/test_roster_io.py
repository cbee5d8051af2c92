"""The organisation from a spreadsheet: an XLSX roster gives the same results as the same roster in YAML, and a
bad sheet gives one line naming the file, sheet, row and column."""

from __future__ import annotations

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
import yaml
from conftest import CONFIGS, ROOT

from sim import load_scenario, run_replication
from sim.config import ConfigError

openpyxl = pytest.importorskip("openpyxl")

SHORT = ["run.days=4", "run.warmup_days=1"]


def clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def write_roster(path: Path) -> None:
    """central.yaml's departments and secretaries as an Excel user would type them: times as time cells, days
    as text, an unused column."""
    org = load_scenario(CONFIGS / "central.yaml").organisation
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Departments"
    ws.append(["Name", "Staff", "Cluster", "Remarks"])
    for d in org.departments:
        ws.append([d.name, d.staff, d.cluster, "—"])
    ws = book.create_sheet("Secretaries")
    ws.append(["name", "departments", "days", "start", "end", "lunch"])
    for s in org.secretaries:
        ws.append([s.name, "; ".join(s.departments), ", ".join(s.days) if s.days else None, clock(s.start or ""),
                   clock(s.end or ""), s.lunch_start])
    book.save(path)


def config_with(tmp_path: Path, **files: str) -> Path:
    org: dict[str, str] = {}
    for key, value in files.items():
        org[key] = value
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"extends": str(CONFIGS / "central.yaml"), "organisation": org}))
    return path


def test_an_xlsx_roster_gives_the_same_results_as_yaml(tmp_path: Path) -> None:
    write_roster(tmp_path / "roster.xlsx")
    config = config_with(tmp_path, departments_file="roster.xlsx", departments_sheet="Departments",
                         secretaries_file="roster.xlsx", secretaries_sheet="Secretaries")
    from_sheet = load_scenario(config, SHORT)
    from_yaml = load_scenario(CONFIGS / "central.yaml", SHORT)
    assert from_sheet.organisation == from_yaml.organisation
    a, b = run_replication(from_sheet), run_replication(from_yaml)
    assert a.kpi == b.kpi and a.tables == b.tables
    # --set reaches people from a sheet by name
    changed = load_scenario(config, [*SHORT, "organisation.secretaries.Anna.days=[mon]"])
    assert changed.organisation.secretaries[0].days == ["mon"]


def test_a_csv_roster_with_semicolons(tmp_path: Path) -> None:
    (tmp_path / "secretaries.csv").write_text(
        "name;departments;start;end;lunch_start;skills\n" +
        "".join(f"{s.name};{','.join(s.departments)};{s.start};{s.end};{s.lunch_start};phone=1\n"
                for s in load_scenario(CONFIGS / "central.yaml").organisation.secretaries), encoding="utf-8")
    scenario = load_scenario(config_with(tmp_path, secretaries_file="secretaries.csv"), SHORT)
    assert scenario.organisation.secretaries[1].name == "Bea"
    assert scenario.organisation.secretaries[1].days is None  # no days column: every working day
    assert scenario.organisation.secretaries[1].skills == {"phone": 1}


@pytest.mark.parametrize(("header", "row", "expected"), [
    ("name,start", "Anna,08:30", "secretaries.csv: a secretaries sheet needs a column 'departments'; "
                                 "the columns are: name, start"),
    ("name,departments,start", "Anna,Stedenbouw,08:30\nBea,Stedenbouw,morning",
     "secretaries.csv: row 3, column 'start': 'morning' is not a clock time"),
    ("name,departments", "Anna,Stedenbouw\nBea,Stedenbouw\nCarla,Stedebouw",
     "secretaries.csv: row 4, column 'departments': unknown department 'Stedebouw'"),
    ("name,departments,lunch_minutes", "Anna,Stedenbouw,half", "secretaries.csv: row 2, column 'lunch_minutes': "),
])
def test_bad_sheets_give_one_line_naming_the_row(tmp_path: Path, header: str, row: str, expected: str) -> None:
    (tmp_path / "secretaries.csv").write_text(f"{header}\n{row}\n")
    config = config_with(tmp_path, secretaries_file="secretaries.csv")
    with pytest.raises(ConfigError) as err:
        load_scenario(config)
    assert str(err.value).startswith(str(tmp_path / "secretaries.csv")) or expected in str(err.value)
    assert expected.split(": ", 1)[1] in str(err.value)
    proc = subprocess.run([sys.executable, "-m", "sim", "check", str(config)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and expected.split(": ", 1)[1] in proc.stderr


def test_a_bad_xlsx_names_its_sheet(tmp_path: Path) -> None:
    write_roster(tmp_path / "roster.xlsx")
    book = openpyxl.load_workbook(tmp_path / "roster.xlsx")
    book["Departments"]["B4"] = "many"
    book.save(tmp_path / "roster.xlsx")
    config = config_with(tmp_path, departments_file="roster.xlsx", departments_sheet="Departments")
    with pytest.raises(ConfigError, match=r"roster.xlsx: sheet 'Departments', row 4, column 'Staff': "):
        load_scenario(config)
    with pytest.raises(ConfigError, match="no sheet 'People'; the sheets are: Departments, Secretaries"):
        load_scenario(config_with(tmp_path, secretaries_file="roster.xlsx", secretaries_sheet="People"))


@pytest.mark.parametrize(("row", "column", "message"), [
    ("secretary01,A,,,09:18,17:00,12:30,", "name", "secretary 'secretary01' is defined twice"),
    ("secretary02,A,,,08:30,16:12,12:30,phone;emial", "competences", "unknown request type (did you mean 'email'?)"),
])
def test_checks_across_rows_point_at_the_sheet_cell(tmp_path: Path, row: str, column: str, message: str) -> None:
    """#25: a check that spans rows names the spreadsheet's row and column, not secretaries[1]."""
    (tmp_path / "deps.csv").write_text("name,staff\nA,40\nB,30\n")
    (tmp_path / "secs.csv").write_text("name,departments,cluster,days,start,end,lunch_start,competences\n"
                                       "secretary01,A,,,08:30,16:12,12:00,\n" + row + "\n"
                                       "secretary03,B,,,08:30,16:12,12:00,\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("organisation:\n  setup: decentralised\n  departments_file: deps.csv\n"
                   "  secretaries_file: secs.csv\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(cfg)
    assert f"secs.csv: row 3, column '{column}': {message}" in str(err.value), str(err.value)


def test_check_warns_about_a_central_department_without_a_secretary_of_its_own() -> None:
    from sim.core.coverage import roster_warnings

    scenario = load_scenario(CONFIGS / "central.yaml", ["organisation.secretaries.Nadia.departments=[Vastgoed]",
                                                        "organisation.secretaries.Olga.departments=[Vastgoed]"])
    assert any(w.startswith("department Milieu has no secretary of its own") for w in roster_warnings(scenario))
    assert not any("no secretary of its own" in w for w in roster_warnings(load_scenario(CONFIGS / "central.yaml")))
