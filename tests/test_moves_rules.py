"""HR's rules for the staffing search's moves (the config's ``staffing`` section, sim/decisions/staffing/moves.py): no
department without a secretary of its own, contracts shortened before anyone leaves and never below the
smallest contract, leavers only when allowed; and the roster table HR reads (roster_changes, the export's
``roster`` sheet). No simulation."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIGS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config import Scenario, load_scenario
from sim.decisions.staffing import Staffing, group_of, groups, roster_changes

SETUPS = ("central.yaml", "decentral.yaml")
_LOADED: dict[str, Scenario] = {}


def scenario(name: str, **rules: Any) -> Scenario:
    if name not in _LOADED:
        _LOADED[name] = load_scenario(CONFIGS / name)
    s = _LOADED[name]
    return s.model_copy(update={"staffing": s.staffing.model_copy(update=rules)}) if rules else s


def own(staffing: Staffing, dept: str) -> int:
    return sum(1 for s in staffing.secretaries if s.days and dept in s.departments)


def drained(s: Scenario, group: str, start: Staffing | None = None) -> list[Staffing]:
    """Every staffing that removing days from ``group`` passes through, until it returns None."""
    seen = [start or Staffing.of(s)]
    while (nxt := seen[-1].remove_day(s, group)) is not None:
        seen.append(nxt)
        assert len(seen) < 100
    return seen


def assert_rules(s: Scenario, staffing: Staffing) -> None:
    """Every rule of ``s.staffing`` holds for ``staffing`` (reached from today's by moves)."""
    rules = s.staffing
    cal = len(s.calendar.working_days)
    least = min(rules.min_contract_days, cal)
    today = {x.name: x for x in Staffing.of(s).secretaries}
    here = {x.name: x for x in staffing.secretaries}
    for x in staffing.secretaries:
        assert x.days, x.name
        floor = min(least, len(today[x.name].days or [])) if x.name in today else least
        assert len(x.days) >= floor, (x.name, x.days)
    if not rules.allow_leavers:
        assert set(today) <= set(here), "one of today's people left"
    if rules.keep_department_secretary:
        for d in s.organisation.departments:
            if own(Staffing.of(s), d.name):
                assert own(staffing, d.name) >= 1, d.name
    for g in groups(s):
        assert any(group_of(s, x) == g for x in staffing.secretaries), g
    staffing.apply(s)  # a valid organisation


# ------------------------------------------------------------------------------------ departments
@pytest.mark.parametrize("name", SETUPS)
def test_no_department_is_left_without_its_own_secretary(name: str) -> None:
    s = scenario(name, allow_leavers=True)
    for g in groups(s):
        last = drained(s, g)[-1]
        for d in s.organisation.departments:
            assert own(last, d.name) >= 1, (g, d.name)


@pytest.mark.parametrize("name", SETUPS)
def test_without_the_rule_departments_may_lose_their_own_secretary(name: str) -> None:
    s = scenario(name, allow_leavers=True, keep_department_secretary=False)
    emptied = set()
    for g in groups(s):
        last = drained(s, g)[-1]
        assert sum(1 for x in last.secretaries if group_of(s, x) == g) == 1  # the group keeps one
        emptied |= {d.name for d in s.organisation.departments if own(last, d.name) == 0}
    if name == "central.yaml":  # clusters of several departments: all but one secretary per cluster go
        assert {"Afval", "Milieu"} & emptied
    else:  # a department is its own group: it keeps its one secretary anyway
        assert not emptied


def test_central_keeps_afval_and_milieu() -> None:
    """The business case's complaint: the central roster removed Afval's only secretary and Milieu's Olga."""
    s = scenario("central.yaml")
    for g in ("Beheer", "Projecten"):
        last = drained(s, g)[-1]
        names = {x.name for x in last.secretaries}
        assert {"Ilse", "Olga", "Nadia"} <= names


# ------------------------------------------------------------------------------------- contracts
@pytest.mark.parametrize("name", SETUPS)
def test_contracts_shrink_before_anyone_leaves(name: str) -> None:
    s = scenario(name, allow_leavers=True)
    least = s.staffing.min_contract_days
    for g in groups(s):
        path = drained(s, g)
        for before, after in zip(path, path[1:], strict=False):
            gone = {x.name for x in before.secretaries} - {x.name for x in after.secretaries}
            if gone:  # a leaver: nobody else of the group could have been shortened
                others = [x for x in before.secretaries if group_of(s, x) == g and x.name not in gone]
                assert all(len(x.days or []) <= least for x in others), (g, gone)
                assert all(len(x.days or []) <= least for x in before.secretaries if x.name in gone)


@pytest.mark.parametrize("name", SETUPS)
def test_without_leavers_nobody_leaves_and_no_contract_goes_below_the_minimum(name: str) -> None:
    s = scenario(name)
    today = {x.name for x in Staffing.of(s).secretaries}
    for g in groups(s):
        path = drained(s, g)
        assert len(path) > 1
        for staffing in path:
            assert {x.name for x in staffing.secretaries} == today
            assert all(len(x.days or []) >= s.staffing.min_contract_days for x in staffing.secretaries)
        assert all(len(x.days or []) == s.staffing.min_contract_days
                   for x in path[-1].secretaries if group_of(s, x) == g)


def test_adding_gives_days_back_before_anyone_new_is_hired() -> None:
    s = scenario("decentral.yaml", allow_leavers=True)
    start = Staffing.of(s)
    low = drained(s, "Milieu")[-1]  # Nadia and Olga at two days each, or one of them gone
    cur = low
    for _ in range(20):
        if cur.fte(s) >= start.fte(s) - 1e-9:
            break
        cur = cur.add_day(s, "Milieu")
        assert not any(x.name.startswith("Milieu+") for x in cur.secretaries)
    today = {x.name: x.days for x in start.secretaries}
    assert {x.name: x.days for x in cur.secretaries if group_of(s, x) == "Milieu"} == \
        {n: today[n] for n in ("Nadia", "Olga")}
    for _ in range(4):  # Nadia and Olga (three days each) full time
        cur = cur.add_day(s, "Milieu")
    assert all(len(x.days or []) == 5 for x in cur.secretaries if group_of(s, x) == "Milieu")
    new = cur.add_day(s, "Milieu")
    extra = {x.name: x.days for x in new.secretaries}.get("Milieu+1")
    assert extra is not None and len(extra) == s.staffing.new_hire_days


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(SETUPS), keep=st.booleans(), leavers=st.booleans(),
       least=st.integers(1, 5), hire=st.integers(1, 5),
       moves=st.lists(st.tuples(st.booleans(), st.integers(0, 20)), max_size=40))
def test_every_staffing_reached_by_moves_respects_every_rule(
        name: str, keep: bool, leavers: bool, least: int, hire: int, moves: list[tuple[bool, int]]) -> None:
    s = scenario(name, keep_department_secretary=keep, allow_leavers=leavers, min_contract_days=least,
                 new_hire_days=hire)
    names = groups(s)
    cur = Staffing.of(s)
    for add, k in moves:
        g = names[k % len(names)]
        if add:
            nxt: Staffing | None = cur.add_day(s, g)
            assert nxt is not None and nxt.hours(s) > cur.hours(s)
        else:
            nxt = cur.remove_day(s, g)
            if nxt is None:
                continue
            assert nxt.hours(s) < cur.hours(s)
        cur = nxt
        assert_rules(s, cur)


# ------------------------------------------------------------------------------------------ roster
@pytest.mark.parametrize("name", SETUPS)
def test_roster_hours_add_up(name: str) -> None:
    s = scenario(name, allow_leavers=True)
    cur = Staffing.of(s)
    for g in groups(s):
        cur = drained(s, g, cur)[-1]
    cur = cur.add_day(s, groups(s)[0])
    rows = roster_changes(s, cur)
    assert sum(r["hours_per_week_new"] for r in rows) == pytest.approx(cur.hours(s), abs=1e-3)
    assert sum(r["hours_per_week_today"] for r in rows) == pytest.approx(Staffing.of(s).hours(s), abs=1e-3)
    assert sum(r["fte_new"] for r in rows) == pytest.approx(cur.fte(s), abs=1e-3)
    assert all(r["change_hours"] == pytest.approx(r["hours_per_week_new"] - r["hours_per_week_today"], abs=1e-3)
               for r in rows)


def test_roster_statuses_on_a_hand_made_case() -> None:
    s = scenario("decentral.yaml")
    today = Staffing.of(s)
    days = {
        "Anna": ["mon", "tue", "wed"],  # shortened
        "Bea": ["mon", "tue", "wed", "thu"],  # extended
        "Carla": ["tue", "wed", "thu", "fri"],  # as many days, other weekdays
    }
    secs = [x.model_copy(update={"days": days[x.name]}) if x.name in days else x
            for x in today.secretaries if x.name != "Daan"]  # Daan leaves
    hire = today.secretaries[0].model_copy(update={"name": "Stedenbouw+1", "days": ["thu", "fri"]})
    rows = {r["name"]: r for r in roster_changes(s, Staffing((*secs, hire)))}
    assert [r["status"] for r in rows.values()].count("kept") == 11
    assert rows["Anna"]["status"] == "shortened" and rows["Anna"]["days_new"] == "mon,tue,wed"
    assert rows["Anna"]["hours_per_week_today"] == pytest.approx(36.0)
    assert rows["Anna"]["change_hours"] == pytest.approx(-14.4) and rows["Anna"]["fte_new"] == pytest.approx(0.6)
    assert rows["Bea"]["status"] == "extended" and rows["Bea"]["days_today"] == "mon,tue,wed"
    assert rows["Carla"]["status"] == "days changed"
    assert rows["Daan"]["status"] == "leaves" and rows["Daan"]["days_new"] == ""
    assert rows["Daan"]["hours_per_week_new"] == 0 and rows["Daan"]["fte_today"] == pytest.approx(0.6)
    new = rows["Stedenbouw+1"]
    assert new["status"] == "new hire" and new["days_today"] == "" and new["group"] == "Stedenbouw"
    assert new["hours_per_week_new"] == pytest.approx(14.4) and new["departments"] == "Stedenbouw"
    assert list(rows) == [x.name for x in today.secretaries] + ["Stedenbouw+1"]


def test_the_export_writes_the_roster_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from sim.data.export import export

    s = scenario("central.yaml")
    rows = roster_changes(s, Staffing.of(s).remove_day(s, "Beheer") or Staffing.of(s))
    folder = tmp_path / "staff"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"kind": "staff"}))
    with (folder / "roster.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["setup", *rows[0]])
        writer.writeheader()
        writer.writerows({"setup": "central", **r} for r in rows)
    sheets = export(folder, tmp_path / "out.xlsx")
    assert "roster" in sheets
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["roster"]
    table = list(ws.values)
    assert table[0][:3] == ("setup", "name", "group") and len(table) == len(rows) + 1
    assert any(r[-1] == "shortened" for r in table[1:])
    assert isinstance(table[1][list(table[0]).index("hours_per_week_new")], int | float)
    no_roster = tmp_path / "plain"
    no_roster.mkdir()
    (no_roster / "manifest.json").write_text(json.dumps({"kind": "staff"}))
    assert "roster" not in export(no_roster, tmp_path / "plain.xlsx")
