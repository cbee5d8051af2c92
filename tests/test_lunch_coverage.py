"""Staggered lunches by default, and sim check's warnings about the roster's coverage."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from conftest import CONFIGS, ROOT

from sim import run_replication
from sim.config import load_raw, parse_scenario
from sim.core.coverage import roster_warnings


def central_without_lunches(lunch: str | None) -> dict[str, Any]:
    data = load_raw(CONFIGS / "central.yaml")
    data["run"] = {"days": 20, "warmup_days": 2, "seed": 1}
    for sec in data["organisation"]["secretaries"]:
        sec.pop("lunch_start")
        if lunch is not None:
            sec["lunch_start"] = lunch
    return data


def test_lunches_not_given_are_staggered_within_each_cluster() -> None:
    scenario = parse_scenario(central_without_lunches(None))
    by_cluster: dict[str, list[str]] = {}
    cluster_of = {d.name: d.cluster for d in scenario.organisation.departments}
    for sec in scenario.organisation.secretaries:
        by_cluster.setdefault(cluster_of[sec.departments[0]] or "", []).append(sec.lunch_start)
    for lunches in by_cluster.values():
        assert all("12:00" <= t <= "13:30" for t in lunches)
        # five secretaries, four half hours: no half hour has more than two at lunch
        assert max(lunches.count(t) for t in set(lunches)) <= 2 and len(set(lunches)) >= min(4, len(lunches))


def test_staggered_lunches_keep_the_phone_covered() -> None:
    together = run_replication(parse_scenario(central_without_lunches("12:30")))
    staggered = run_replication(parse_scenario(central_without_lunches(None)))
    assert staggered.kpi["coverage"] > together.kpi["coverage"]
    noon = {r["hour"]: r["reachability"] for r in staggered.tables["per_hour"]}
    noon_together = {r["hour"]: r["reachability"] for r in together.tables["per_hour"]}
    assert noon[12] > noon_together[12]


def test_given_lunches_and_no_lunch_are_kept() -> None:
    data = central_without_lunches(None)
    data["organisation"]["secretaries"][0]["lunch_start"] = "13:30"
    data["organisation"]["secretaries"][1]["lunch_minutes"] = 0
    scenario = parse_scenario(data)
    assert scenario.organisation.secretaries[0].lunch_start == "13:30"
    assert scenario.organisation.secretaries[1].lunch_start == "12:30"  # unused: she takes no lunch


def test_check_warns_with_the_hours() -> None:
    data = central_without_lunches("12:30")
    data["organisation"]["setup"] = "decentralised"
    data["dispatch"] = {"exchange": {"policy": "none"}}
    warnings = roster_warnings(parse_scenario(data))
    assert "department Verkeer: nobody present who may serve it while the line is open on mon-fri " \
           "12:30-13:00, 16:12-17:00" in warnings
    assert any(w.startswith("department Groen depends on a single secretary of its own (Hanna); when she is away "
                            "nobody else may serve it") for w in warnings)
    central = roster_warnings(parse_scenario(central_without_lunches("12:30")))
    assert any(w.startswith("cluster Ruimte: none of its own secretaries present on mon-fri 12:30-13:00")
               for w in central)
    proc = subprocess.run([sys.executable, "-m", "sim", "check", "configs/decentral.yaml"], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0 and "warning: department Verkeer: nobody present" in proc.stdout


def test_lunch_planning_runs_once_on_a_valid_scenario_and_fails_loudly() -> None:
    """Lunches are planned after validation (sim.config.lunches), not inside a validator: a secretary whose hours
    miss the lunch window gets her lunch as near to it as her hours allow; hours too short for a lunch are one
    line naming the field (never a silent 12:30); and a lunch that cannot be placed is a ConfigError."""
    import pytest

    from sim.config import ConfigError, plan_lunches

    data = central_without_lunches(None)
    data["organisation"]["secretaries"][0].update({"start": "14:00", "end": "18:00"})
    scenario = parse_scenario(data)
    assert scenario.organisation.secretaries[0].lunch_start == "14:00"  # inside her hours, nearest the window
    short = central_without_lunches(None)
    short["organisation"]["secretaries"][2].update({"start": "14:00", "end": "14:20"})
    with pytest.raises(ConfigError, match=r"secretaries\[2\]"):
        parse_scenario(short)
    # past validation (as the staffing search copies specs): planning itself refuses, loudly
    sec = scenario.organisation.secretaries[2]
    bad = sec.model_construct(**{**{k: getattr(sec, k) for k in sec.model_fields_set if k != "lunch_start"},
                                 "start": "14:00", "end": "14:20"})
    org = scenario.organisation.model_copy(update={"secretaries": [
        *scenario.organisation.secretaries[:2], bad, *scenario.organisation.secretaries[3:]]})
    with pytest.raises(ConfigError, match=r"organisation\.secretaries\[2\]\.lunch_start: no room for a lunch"):
        plan_lunches(scenario.model_copy(update={"organisation": org}), "central.yaml")
