"""The config schema: shipped scenarios, extends, overrides, hashes and the JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CONFIGS, SHIPPED

from sim.config import (
    ConfigError,
    apply_overrides,
    clock_minutes,
    config_hash,
    json_schema,
    load_raw,
    load_scenario,
    parse_scenario,
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_configs_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.fte() > 0
    assert scenario.organisation.departments


def test_central_and_decentral_describe_the_same_sector() -> None:
    dec = load_scenario(CONFIGS / "decentral.yaml")
    cen = load_scenario(CONFIGS / "central.yaml")
    assert dec.organisation.setup == "decentralised" and cen.organisation.setup == "central"
    assert dec.demand == cen.demand
    assert dec.absence == cen.absence and dec.calendar == cen.calendar
    assert dec.organisation.departments == cen.organisation.departments
    assert dec.organisation.secretaries == cen.organisation.secretaries
    assert dec.fte() == pytest.approx(12.0) and cen.fte() == pytest.approx(12.0)


def test_hnw_config_only_adds_hnw() -> None:
    cen = load_scenario(CONFIGS / "central.yaml")
    hnw = load_scenario(CONFIGS / "central_hnw.yaml")
    assert hnw.hnw is not None and cen.hnw is None
    assert hnw.demand == cen.demand and hnw.organisation == cen.organisation


def test_extends_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("a: {b: 1, c: [1, 2]}\nd: 4\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\na: {c: [3]}\n")
    assert load_raw(tmp_path / "child.yaml") == {"a": {"b": 1, "c": [3]}, "d": 4}


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_raw(tmp_path / "a.yaml")


def test_overrides_by_index_name_and_yaml_value() -> None:
    data = {"organisation": {"secretaries": [{"name": "Anna", "start": "08:30"}, {"name": "Bea"}]}}
    out = apply_overrides(data, ["organisation.secretaries.Anna.start=09:00",
                                 "organisation.secretaries.1.days=[mon, tue]", "run.days=7"], "x.yaml")
    assert out["organisation"]["secretaries"][0]["start"] == "09:00"
    assert out["organisation"]["secretaries"][1]["days"] == ["mon", "tue"]
    assert out["run"]["days"] == 7
    assert data["organisation"]["secretaries"][0]["start"] == "08:30"  # input untouched


def test_override_unknown_field_names_it_with_a_hint() -> None:
    with pytest.raises(ConfigError) as err:
        load_scenario(CONFIGS / "central.yaml", ["run.dayz=3"])
    assert err.value.field == "run.dayz"
    assert "did you mean 'days'" in err.value.message


def test_unknown_department_reference_is_named() -> None:
    with pytest.raises(ConfigError) as err:
        load_scenario(CONFIGS / "central.yaml", ["organisation.secretaries.Anna.departments=[Stedebouw]"])
    assert "secretaries[0].departments" in str(err.value)
    assert "did you mean 'Stedenbouw'" in str(err.value)


def test_clock_parsing() -> None:
    assert clock_minutes("08:30") == 510
    assert clock_minutes("24:00") == 1440
    with pytest.raises(ConfigError, match="clock"):
        load_scenario(CONFIGS / "central.yaml", ["calendar.open=8h30"])


def test_config_hash_ignores_seed_but_not_content() -> None:
    a = load_scenario(CONFIGS / "central.yaml")
    b = load_scenario(CONFIGS / "central.yaml", ["run.seed=99"])
    c = load_scenario(CONFIGS / "central.yaml", ["demand.calls.per_staff_per_day=0.3"])
    assert config_hash(a) == config_hash(b) != config_hash(c)


def test_json_schema_describes_the_sections() -> None:
    schema = json_schema()
    assert {"organisation", "demand", "dispatch", "absence", "run", "calendar", "hnw"} <= set(schema["properties"])
    json.dumps(schema)  # serialisable


def test_empty_and_non_mapping_configs() -> None:
    with pytest.raises(ConfigError, match="empty"):
        parse_scenario(None, "e.yaml")
    with pytest.raises(ConfigError, match="mapping"):
        parse_scenario([1, 2], "l.yaml")


def _org(setup: str, secretaries: list[dict[str, object]]) -> dict[str, object]:
    return {"organisation": {
        "setup": setup,
        "departments": [{"name": "A", "staff": 10, "cluster": "North"}, {"name": "B", "staff": 10, "cluster": "South"},
                        {"name": "C", "staff": 10, "cluster": "South"}],
        "secretaries": secretaries}}


def test_home_cluster_and_group_of_a_secretary() -> None:
    """Her own cluster when she names one, else her first department's; her group is that cluster (central) or
    her first department (decentralised)."""
    people = [{"name": "Ann", "departments": ["A"]}, {"name": "Bo", "departments": ["B", "C"]},
              {"name": "Cy", "departments": ["A", "B"], "cluster": "South"}]
    central = parse_scenario(_org("central", people)).organisation
    assert [central.home_cluster(s) for s in central.secretaries] == ["North", "South", "South"]
    assert [central.group_of(s) for s in central.secretaries] == ["North", "South", "South"]
    decentral = parse_scenario(_org("decentralised", people)).organisation
    assert [decentral.group_of(s) for s in decentral.secretaries] == ["A", "B", "A"]
    assert [decentral.home_cluster(s) for s in decentral.secretaries] == ["North", "South", "South"]


def test_working_day_of_a_secretary() -> None:
    scenario = parse_scenario({**_org("decentralised", [
        {"name": "Ann", "departments": ["A"]},
        {"name": "Bo", "departments": ["B", "C"], "start": "09:15", "end": "13:00", "lunch_minutes": 0,
         "days": ["mon", "wed"]}]), "calendar": {"open": "08:30", "close": "17:00"}})
    ann, bo = scenario.organisation.secretaries
    assert ann.shift_minutes(scenario.calendar) == (510, 1020)
    assert ann.working_minutes_per_day(scenario.calendar) == 510 - 30  # 8.5 h less the default lunch
    assert bo.working_minutes_per_day(scenario.calendar) == 225
    assert scenario.secretary_hours_per_week(0) == 5 * 8.0 and scenario.secretary_hours_per_week(1) == 2 * 3.75
