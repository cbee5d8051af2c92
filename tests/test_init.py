"""sim init (a starting scenario that runs as written) and the built-in demand defaults."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CONFIGS, ROOT

from sim.config import ConfigError, load_scenario, parse_scenario, sector_demand
from sim.data.init import parse_departments, plan


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def test_built_in_demand_is_the_sector_demand() -> None:
    base = yaml.safe_load((CONFIGS / "base" / "sector.yaml").read_text())
    assert sector_demand() == base["demand"]


def test_a_config_without_demand_gets_the_built_in_one_and_base_merges(tmp_path: Path) -> None:
    org = {"setup": "decentralised", "departments": [{"name": "A", "staff": 50}],
           "secretaries": [{"name": "S", "departments": ["A"]}]}
    plain = parse_scenario({"organisation": org})
    assert plain.demand == load_scenario(CONFIGS / "central.yaml").demand
    merged = parse_scenario({"organisation": org, "demand": {"base": "sector", "calls": {"per_staff_per_day": 0.5},
                                                             "tasks": {"email": {"norm_working_hours": 8.5}}}})
    assert merged.demand.calls.per_staff_per_day == 0.5
    assert merged.demand.calls.talk_minutes == plain.demand.calls.talk_minutes
    assert merged.demand.tasks["email"].norm_working_hours == 8.5
    assert set(merged.demand.tasks) == set(plain.demand.tasks)
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump({"organisation": org}))
    assert load_scenario(path, ["demand.calls.per_staff_per_day=0.4"]).demand.calls.per_staff_per_day == 0.4
    with pytest.raises(ConfigError, match="demand.base: unknown base 'city'"):
        parse_scenario({"organisation": org, "demand": {"base": "city"}})


def test_init_then_run_works_with_no_edits(tmp_path: Path) -> None:
    out = tmp_path / "mine.yaml"
    made = sim("init", str(out), "--departments", "Stedenbouw:60,Verkeer:40,Groen:35,Afval:25", "--fte", "5.4",
               "--clusters", "2")
    assert made.returncode == 0, made.stderr
    scenario = load_scenario(out)
    assert scenario.organisation.setup == "central" and scenario.fte() == pytest.approx(5.4)
    assert [d.staff for d in scenario.organisation.departments] == [60, 40, 35, 25]
    assert scenario.demand == load_scenario(CONFIGS / "central.yaml").demand  # the built-in defaults
    run = sim("run", str(out), "--days", "3", "--set", "run.warmup_days=1", "--json", "--out", str(tmp_path / "r"))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["kpi"]["calls_offered_per_day"] > 0
    again = sim("init", str(out), "--departments", "A:1")
    assert again.returncode == 2 and "exists" in again.stderr


def test_init_decentralised_with_secretaries(tmp_path: Path) -> None:
    out = tmp_path / "dec.yaml"
    assert sim("init", str(out), "--departments", "A:60,B:20", "--secretaries", "4", "--setup",
               "decentralised").returncode == 0
    scenario = load_scenario(out)
    own = [s.departments[0] for s in scenario.organisation.secretaries]
    assert own.count("A") == 3 and own.count("B") == 1  # in proportion to staff


def test_plan_spreads_secretaries_and_lunches() -> None:
    p = plan("x", [("A", 60), ("B", 40), ("C", 10)], "central", 3, 9, None)
    assert sorted(c for _, _, c in p.departments) == ["Cluster1", "Cluster2", "Cluster3"]
    per_dept = {d: sum(1 for _, own, _, _ in p.secretaries if d in own) for d in "ABC"}
    assert per_dept == {"A": 5, "B": 3, "C": 1}
    with pytest.raises(ConfigError, match="NAME:STAFF"):
        parse_departments("A60")
    with pytest.raises(ConfigError, match="cannot staff 3 departments"):
        plan("x", [("A", 60), ("B", 40), ("C", 10)], "decentralised", 3, 2, None)


def test_init_writes_costs_spreads_the_part_timer_and_a_roster_template(tmp_path: Path) -> None:
    """#25: a labelled costs section; the part-timer with the largest group and her days spread from Monday; a
    roster spreadsheet with every column (competences included) that gives the same scenario as the inline one."""
    openpyxl = pytest.importorskip("openpyxl")
    inline, sheet = tmp_path / "inline.yaml", tmp_path / "sheet.yaml"
    args = ["--departments", "Stedenbouw:60,Verkeer:40,Groen:35,Afval:25", "--fte", "5.4", "--clusters", "2"]
    assert sim("init", str(inline), *args).returncode == 0
    made = sim("init", str(sheet), *args, "--roster", str(tmp_path / "roster.xlsx"))
    assert made.returncode == 0, made.stderr
    text = inline.read_text()
    assert "costs:" in text and "manager_cost_per_fte_per_year: 90000" in text and "ASSUMPTION" in text
    a, b = load_scenario(inline), load_scenario(sheet)
    assert a.costs == b.costs and a.costs.manager_fte == 1.0
    assert a.organisation.model_dump() == b.organisation.model_dump()  # same people either way
    part = [s for s in a.organisation.secretaries if s.days is not None and len(s.days) < 5]
    assert len(part) == 1 and part[0].days == ["mon", "wed"]
    book = openpyxl.load_workbook(tmp_path / "roster.xlsx")
    assert book.sheetnames == ["Departments", "Secretaries", "Help"]
    header = [c.value for c in book["Secretaries"][1]]
    assert "competences" in header and "skills" in header and "lunch_minutes" in header
    assert any(r[1] == "competences" and r[3] for r in book["Help"].iter_rows(min_row=2, values_only=True))
    assert "departments_file" in sim("init", "--help").stdout
