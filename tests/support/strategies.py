"""Hypothesis strategies: random valid scenario configs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sim.config import WEEKDAYS, clock_minutes
from sim.core.calendar import MINUTES_PER_DAY

CLUSTERS = ["North", "South", "East", "West"]


DEPARTMENTS = ["Finance", "Legal", "Roads", "Parks", "Housing"]


SECRETARIES = ["Anna", "Bea", "Carla", "Daan", "Esther", "Fatima", "Gerda", "Hanna"]


def hhmm(minutes: float) -> str:
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"


# --------------------------------------------------------------------------------------------- strategies
@st.composite
def dists(draw: st.DrawFn, low: float, high: float) -> dict[str, Any]:
    """A work-time, talk-time or patience distribution with a mean in [low, high]."""
    kind = draw(st.sampled_from(["exponential", "lognormal", "gamma", "deterministic", "uniform"]))
    mean = draw(st.floats(low, high))
    if kind == "deterministic":
        return {"dist": kind, "mean": mean, "cv": 0}
    if kind == "exponential":
        return {"dist": kind, "mean": mean}
    cv = draw(st.floats(0.1, 0.57 if kind == "uniform" else 2.0))
    return {"dist": kind, "mean": mean, "cv": cv}


@st.composite
def profiles(draw: st.DrawFn, open_m: float, close_m: float) -> Any:
    choice = draw(st.sampled_from(["office", "flat", "custom"]))
    if choice != "custom":
        return choice
    slot = draw(st.sampled_from([30, 60]))
    start = draw(st.integers(0, int((close_m - open_m) // slot) - 1)) * slot + open_m
    room = int((MINUTES_PER_DAY - start) // slot)
    weights = draw(st.lists(st.floats(0, 3), min_size=1, max_size=min(room, 12)))
    if sum(weights) <= 0:
        weights[0] = 1.0
    return {"start": hhmm(start), "slot_minutes": slot, "weights": weights}


@st.composite
def secretaries(draw: st.DrawFn, name: str, departments: list[str], cluster: str | None,
                working_days: list[str], open_m: float, close_m: float,
                round_the_clock: bool) -> dict[str, Any]:
    sec: dict[str, Any] = {"name": name, "departments": departments}
    if cluster is not None:
        sec["cluster"] = cluster
    if draw(st.booleans()):  # a part-timer: some of the working days
        sec["days"] = draw(st.lists(st.sampled_from(working_days), min_size=1, max_size=len(working_days),
                                    unique=True))
    if round_the_clock:
        sec.update(start="00:00", end="24:00", lunch_minutes=0)
        return sec
    start = draw(st.sampled_from([open_m, open_m, open_m + 30, open_m + 48]))
    end = draw(st.sampled_from([close_m, close_m, close_m - 48, start + 240]))
    end = min(max(end, start + 120), close_m)
    sec.update(start=hhmm(start), end=hhmm(end))
    lunch = draw(st.sampled_from([0, 0, 30, 45]))
    sec["lunch_minutes"] = lunch
    if lunch:
        at = draw(st.integers(int(start // 15) + 1, int((end - lunch) // 15) - 1)) * 15
        sec["lunch_start"] = hhmm(at)
    return sec


@st.composite
def scenario_configs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario config (a plain mapping, as read from YAML)."""
    round_the_clock = draw(st.integers(0, 5)) == 0
    if round_the_clock:
        working_days, open_m, close_m = list(WEEKDAYS), 0.0, MINUTES_PER_DAY
    else:
        working_days = draw(st.sampled_from([list(WEEKDAYS[:5]), list(WEEKDAYS[:5]), list(WEEKDAYS[:4]),
                                             ["mon", "wed", "fri", "sat"]]))
        open_m = draw(st.sampled_from([480.0, 510.0, 540.0]))
        close_m = draw(st.sampled_from([960.0, 1020.0, 1080.0]))
    setup = draw(st.sampled_from(["decentralised", "central"]))
    n_dept = draw(st.integers(1, 5))
    names = DEPARTMENTS[:n_dept]
    departments: list[dict[str, Any]] = [
        {"name": n, "staff": draw(st.sampled_from([12, 1, 5, 30, 60])),
         "demand_factor": draw(st.sampled_from([1.0, 1.0, 0.5, 2.0]))}
        for n in names
    ]
    secs: list[dict[str, Any]] = []
    if setup == "central":
        n_clusters = draw(st.integers(1, min(n_dept, 4)))
        for i, dept in enumerate(departments):  # every cluster gets at least one department
            k = i if i < n_clusters else draw(st.integers(0, n_clusters - 1))
            dept["cluster"] = CLUSTERS[k]
        homes = CLUSTERS[:n_clusters] + [CLUSTERS[draw(st.integers(0, n_clusters - 1))]
                                         for _ in range(draw(st.integers(0, 8 - n_clusters)))]
        for i, home in enumerate(homes):
            own = [d["name"] for d in departments if d["cluster"] == home]
            mine = draw(st.lists(st.sampled_from(own), min_size=1, max_size=len(own), unique=True))
            secs.append(draw(secretaries(SECRETARIES[i], mine, home if draw(st.booleans()) else None,
                                         working_days, open_m, close_m, round_the_clock)))
    else:
        extra = draw(st.integers(0, 8 - n_dept))
        owners = names + [names[draw(st.integers(0, n_dept - 1))] for _ in range(extra)]
        for i, dept in enumerate(owners):
            secs.append(draw(secretaries(SECRETARIES[i], [dept], None, working_days, open_m, close_m,
                                         round_the_clock)))
    policies = ["none", "idle", "overflow", "pool"]
    policy = "none" if setup == "decentralised" else draw(st.sampled_from(policies))
    calls_mode = draw(st.sampled_from(["preempt", "reserve"]))
    dispatch = {
        "exchange": {"policy": policy, "topology": draw(st.sampled_from(["all", "chain"])),
                     "ring_seconds": draw(st.sampled_from([0, 10, 20, 60])),
                     "queue_threshold": draw(st.integers(0, 6))},
        "calls": calls_mode, "reserve_free": draw(st.integers(0, 2)),
        "custom_penalty": draw(st.sampled_from([1.0, 1.5, 2.0])),
    }
    absence = (
        {"sickness": {"share": draw(st.floats(0.02, 0.3)), "episodes_per_fte_year": draw(st.floats(0.5, 10))},
         "leave": {"days_per_year": draw(st.sampled_from([0, 25, 60])),
                   "block_days": draw(st.integers(1, 5))}}
        if draw(st.booleans()) else {"sickness": {"share": 0}, "leave": {"days_per_year": 0}}
    )
    calls: dict[str, Any] = {
        "per_staff_per_day": draw(st.sampled_from([0.5, 0.0, 0.2, 1.0, 2.0])),
        "external_share": draw(st.floats(0, 1)),
        "profile": draw(profiles(open_m, close_m)),
        "talk_minutes": draw(dists(0.5, 8)),
        "norm_seconds": draw(st.sampled_from([10, 20, 60])),
        "custom_share": draw(st.floats(0, 1)),
        "callback_share": draw(st.floats(0, 1)),
        "callback_minutes": draw(dists(1, 6)),
        "callback_norm_working_hours": draw(st.sampled_from([2, 8.5, 17])),
    }
    if draw(st.booleans()):
        calls["patience_seconds"] = draw(dists(10, 180))
    tasks: dict[str, Any] = {}
    for k in range(draw(st.sampled_from([2, 0, 1, 3]))):
        work = draw(dists(1, 45))
        task: dict[str, Any] = {
            "per_staff_per_day": draw(st.sampled_from([0.05, 0.2, 0.5, 1.0])),
            "work_minutes": work,
            "norm_working_hours": max(work["mean"] / 60, draw(st.sampled_from([1, 4, 8.5, 17, 42.5]))),
            "custom_share": draw(st.floats(0, 1)),
            "flexible_only": draw(st.integers(0, 3)) == 0,
        }
        if draw(st.booleans()):
            task["arrivals"] = "batches"
            task["batch_times"] = [hhmm(m) for m in draw(st.lists(
                st.integers(int(open_m // 30), int(close_m // 30) - 1).map(lambda h: h * 30),
                min_size=1, max_size=3, unique=True))]
        else:
            task["profile"] = draw(profiles(open_m, close_m))
        tasks[f"task{k}"] = task
    demand: dict[str, Any] = {"calls": calls, "tasks": tasks, "flexible_share": draw(st.floats(0, 1))}
    if draw(st.booleans()):
        demand["meetings"] = {
            "per_department_per_week": draw(st.sampled_from([1, 3, 8])),
            "duration_minutes": draw(dists(20, 120)),
            "earliest_start": hhmm(open_m + 30), "latest_start": hhmm(close_m - 90),
            "writing_minutes_per_meeting_hour": draw(st.sampled_from([0, 30, 60])),
            "norm_working_hours": draw(st.sampled_from([8.5, 25.5])),
        }
    config: dict[str, Any] = {
        "name": "random",
        "run": {"days": draw(st.sampled_from([2, 1, 3, 5])), "warmup_days": draw(st.sampled_from([0, 1, 2])),
                "seed": draw(st.integers(0, 2**32))},
        "calendar": {"working_days": working_days, "open": hhmm(open_m), "close": hhmm(close_m)},
        "organisation": {"setup": setup, "departments": departments, "secretaries": secs},
        "dispatch": dispatch, "absence": absence, "demand": demand,
    }
    if draw(st.integers(0, 3)) == 0:
        types = ["calls", *tasks] + (["meetings"] if "meetings" in demand else [])
        config["hnw"] = {
            "multipliers": {t: draw(st.sampled_from([0.0, 0.5, 1.5])) for t in types if draw(st.booleans())},
            "spread_hours": draw(st.sampled_from([0, 1, 2])), "spread_share": draw(st.floats(0, 0.5)),
            "flexible_share": draw(st.none() | st.floats(0, 1)),
        }
    load = draw(st.sampled_from([0.9, None, 0.5, 1.3]))
    if load is not None:
        scale_to_load(config, load)
    return config


def scale_to_load(config: dict[str, Any], load: float) -> None:
    """Scale every arrival rate so that the expected work is about ``load`` times the staff's hours (up to
    absence and custom-work penalties): busy and overloaded scenarios, not only nearly idle ones."""
    cal = config["calendar"]
    per_week = len(cal["working_days"])
    hours = 0.0
    for sec in config["organisation"]["secretaries"]:
        days = len(sec.get("days", cal["working_days"])) / per_week
        span = clock_minutes(sec["end"]) - clock_minutes(sec["start"]) - sec["lunch_minutes"]
        hours += days * span
    volume = sum(d["staff"] * d["demand_factor"] for d in config["organisation"]["departments"])
    demand = config["demand"]
    calls = demand["calls"]
    work = calls["per_staff_per_day"] * calls["talk_minutes"]["mean"]
    work += sum(t["per_staff_per_day"] * t["work_minutes"]["mean"] for t in demand["tasks"].values())
    if work <= 0:
        return
    factor = load * hours / (volume * work)
    calls["per_staff_per_day"] *= factor
    for task in demand["tasks"].values():
        task["per_staff_per_day"] *= factor
