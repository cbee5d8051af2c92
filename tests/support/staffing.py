"""Small scenarios for the staffing search and the business case, and the business case's blocks on them."""

from __future__ import annotations

from typing import Any

from sim.config import parse_scenario
from sim.decisions.business import search_blocks
from sim.decisions.staffing import (
    staffing_units,
    targets_for,
)
from sim.experiments.experiment import session
from sim.experiments.store import ResultStore


def small_data() -> dict:
    """Two departments (30 and 15 staff), two full-time secretaries each, calls and e-mail, no absence."""
    depts = [{"name": "A", "staff": 30, "cluster": "CA"}, {"name": "B", "staff": 15, "cluster": "CB"}]
    secs = [{"name": f"{d}{i}", "departments": [d], "lunch_minutes": 0} for d in "AB" for i in range(2)]
    return {
        "name": "small", "run": {"days": 5, "warmup_days": 1, "seed": 3},
        "organisation": {"setup": "decentralised", "departments": depts, "secretaries": secs},
        "dispatch": {"exchange": {"policy": "none"}},
        "absence": {"sickness": {"share": 0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": {"per_staff_per_day": 1.0, "profile": "flat",
                             "talk_minutes": {"dist": "exponential", "mean": 4},
                             "patience_seconds": {"dist": "exponential", "mean": 60}, "callback_share": 0},
                   "tasks": {"email": {"per_staff_per_day": 0.5,
                                       "work_minutes": {"dist": "exponential", "mean": 6},
                                       "norm_working_hours": 8.5}}},
    }


def small_pool_data() -> dict[str, Any]:
    data = small_data()
    data["name"] = "small_pool"
    data["organisation"]["setup"] = "central"
    data["dispatch"]["exchange"]["policy"] = "pool"
    return data


def small_blocks(target: str, blocks: int) -> list[Any]:
    """The small decentral and pool setups searched on ``blocks`` blocks of 3 replications, with ``target``."""
    units = staffing_units([parse_scenario(small_data()), parse_scenario(small_pool_data())])
    norms = {u.key: targets_for(u.scenario, [target]) for u in units}
    store = ResultStore.open(None, "blocks", "staff")
    with session(store, workers=1) as runner:
        return search_blocks(units, norms, 3, 1, 0.95, runner, min_blocks=blocks, max_blocks=blocks)
