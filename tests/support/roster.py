"""A tiny scenario for the roster optimiser."""

from __future__ import annotations

from typing import Any


def tiny(**rules: Any) -> dict[str, Any]:
    """One department, two secretaries, an 08:00-16:00 day."""
    return {
        "name": "tiny", "run": {"days": 2, "warmup_days": 0, "seed": 3},
        "calendar": {"open": "08:00", "close": "16:00"},
        "organisation": {"setup": "decentralised", "departments": [{"name": "A", "staff": 20}],
                         "secretaries": [
                             {"name": "Ann", "departments": ["A"], "start": "08:00", "end": "15:42",
                              "lunch_start": "12:00"},
                             {"name": "Bob", "departments": ["A"], "start": "08:18", "end": "16:00",
                              "lunch_start": "12:30", "days": ["mon", "tue", "wed"]}]},
        "roster_rules": rules,
    }
