"""Demand with known rates, for calibration and export tests."""

from __future__ import annotations

from typing import Any

TRUE = {"calls": 1.6, "talk_mean": 4.0, "talk_cv": 1.2, "patience": 60.0, "callback": 0.6, "email": 0.5,
        "meetings": 2.0}


STAFF = [40, 30, 30]


FACTOR = [1.0, 1.5, 0.8]


def known_demand(days: int) -> dict[str, Any]:
    """Three departments with their own secretaries (so no one else's pace changes a talk time), busy enough
    that callers wait and some abandon."""
    names = ["Noord", "Oost", "Zuid"]
    return {
        "name": "roundtrip", "run": {"days": days, "warmup_days": 2, "seed": 11},
        "organisation": {
            "setup": "decentralised",
            "departments": [{"name": n, "staff": s, "demand_factor": f}
                            for n, s, f in zip(names, STAFF, FACTOR, strict=True)],
            "secretaries": [{"name": f"{n}{i}", "departments": [n], "lunch_start": f"{12 + i}:00"}
                            for n in names for i in range(2)],
        },
        "demand": {
            "calls": {"per_staff_per_day": TRUE["calls"], "profile": "office", "custom_share": 0.0,
                      "talk_minutes": {"dist": "lognormal", "mean": TRUE["talk_mean"], "cv": TRUE["talk_cv"]},
                      "patience_seconds": {"dist": "exponential", "mean": TRUE["patience"]},
                      "callback_share": TRUE["callback"], "external_share": 0.4},
            "tasks": {
                "email": {"per_staff_per_day": TRUE["email"], "work_minutes": {"dist": "gamma", "mean": 5, "cv": 0.7},
                          "norm_working_hours": 17, "custom_share": 0.0},
                "post": {"per_staff_per_day": 0.1, "arrivals": "batches", "batch_times": ["09:00", "13:30"],
                         "work_minutes": {"dist": "exponential", "mean": 4}, "norm_working_hours": 17},
            },
            "meetings": {"per_department_per_week": TRUE["meetings"],
                         "duration_minutes": {"dist": "deterministic", "mean": 60, "cv": 0}},
        },
    }
