"""Scripted request timelines for routing tests: a scenario, a script of calls and tasks, and who did what when."""

from __future__ import annotations

from collections.abc import Callable, Generator
from types import SimpleNamespace
from typing import Any

from sim import run_replication
from sim.config import Scenario, parse_scenario
from sim.core.entities import FIRST_TASK_TYPE, Call, Task

Interval = tuple[float, float, str, str, str]


Script = Callable[[Any, Any], Generator[Any, Any, None]]


MAIL = FIRST_TASK_TYPE  # the config's first task type (e-mail), after phone and callback


def scenario(extra: dict[str, Any]) -> Scenario:
    """Two departments in one cluster, one secretary each, present 08:30-17:00 without lunch or absence."""
    base: dict[str, Any] = {
        "name": "routing",
        "run": {"days": 5, "warmup_days": 0},
        "organisation": {
            "setup": "central",
            "departments": [{"name": "A", "staff": 10, "cluster": "X"}, {"name": "B", "staff": 10, "cluster": "X"}],
            "secretaries": [{"name": "Anna", "departments": ["A"], "lunch_minutes": 0},
                            {"name": "Bob", "departments": ["B"], "lunch_minutes": 0}],
        },
        "dispatch": {"exchange": {"policy": "idle"}, "custom_penalty": 1.5, "custom_hold_share": 0.5},
        "absence": {"sickness": {"share": 0.0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": {"per_staff_per_day": 0.0, "talk_minutes": {"mean": 3}, "patience_seconds": None,
                             "callback_share": 0.0},
                   "tasks": {"mail": {"per_staff_per_day": 0.0, "work_minutes": {"mean": 5},
                                      "norm_working_hours": 4}}},
    }
    for path, value in extra.items():
        node = base
        *parents, last = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return parse_scenario(base)


def run(sc: Scenario, script: Script) -> tuple[Any, list[Interval]]:
    """Run ``sc`` with ``script`` as its only demand; returns the result and the event log."""
    def requests(env: Any, sink: Any, cal: Any) -> Generator[Any, Any, None]:
        return script(env, SimpleNamespace(sink=sink, cal=cal))

    rows: list[Interval] = []
    result = run_replication(sc, 1, event_log=lambda a, b, who, what, detail: rows.append((a, b, who, what, detail)),
                             script=requests)
    return result, rows


def at(env: Any, t: float) -> Any:
    return env.timeout(t - env.now)


def task(b: Any, dept: int, t: float, work: float, custom: bool, norm_hours: float = 4,
         type_: int = MAIL) -> Task:
    return Task(type_, dept, t, work, custom, b.cal.add_working_time(t, norm_hours * 60))


def call(dept: int, t: float, talk: float, custom: bool = False, patience: float = float("inf")) -> Call:
    return Call(dept, False, t, talk, patience, custom, False, 0.0)


def jobs(rows: list[Interval], who: str, what: str = "task") -> list[tuple[float, float]]:
    return [(round(a, 6), round(b, 6)) for a, b, w, s, _ in rows if w == who and s == what]
