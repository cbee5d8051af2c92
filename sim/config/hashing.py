"""The config hash: a short hash of a resolved scenario that names what a result was simulated from.

It leaves out what changes no result (the seed, reported beside it; the inputs' stated uncertainty; the calendar's
start date) and, so that results of older versions keep their hash, each field added later while it is at its
default.
"""

from __future__ import annotations

import hashlib
import json

from sim.config.models import RosterRules, StaffingRules
from sim.config.schema import Scenario


def config_hash(scenario: Scenario) -> str:
    """A short hash of the resolved config, seed excluded (the seed is reported beside it), and the calendar's
    start date (it only labels the request log)."""
    data = scenario.model_dump(mode="json")
    data["run"].pop("seed", None)
    data.pop("uncertainty", None)  # the inputs' stated uncertainty changes no simulation
    data["calendar"].pop("start_date", None)  # a label for the request log; results do not depend on it
    if data["calendar"].get("lunch_window") == ["12:00", "14:00"]:  # added later: at its default, the old hash
        data["calendar"].pop("lunch_window")
    org = data["organisation"]
    if not org["cover"] or org["forwarding"]["on"] == "absent":
        # added later: where it changes no result (no buddies, or forwarding on absence only, the rule before it
        # existed), the old hash
        org.pop("forwarding")
    if data.get("staffing") == StaffingRules().model_dump(mode="json"):  # added later: at its defaults, the old hash
        data.pop("staffing")
    if data.get("roster_rules") == RosterRules().model_dump(mode="json"):  # added later (sim roster): the old hash
        data.pop("roster_rules")
    for key, default in (("continuity_min", None), ("basis", "norms"), ("today_tolerance", 0.01)):
        if data["norms"].get(key) == default:  # added later: at their defaults, the old hash
            data["norms"].pop(key)
    blob = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


__all__ = ["config_hash"]
