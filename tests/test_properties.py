"""Invariants that hold for every valid scenario, checked on randomly generated ones (hypothesis).

The strategy below draws scenarios of many shapes -- decentralised or central, one to five departments, one to
eight secretaries with part-time days, shifts and lunches, every exchange policy and topology, calls that
preempt or reserve, absence on or off, several task types arriving spread or in batches with different
work-time distributions, meetings, Het Nieuwe Werken, office or round-the-clock calendars, and a horizon of a
few days -- and checks, for each replication:

- every request is accounted for exactly once: calls offered = answered + abandoned + still waiting; tasks
  arrived = done + still open, per type, and the tables agree with the accounting;
- the event log of every secretary tiles the run: her intervals neither overlap nor leave gaps, from time 0
  to the end, so she never does two things at once; she never starts work outside her rostered hours (days
  off, lunch, before or after her shift), so she never works while absent; and the busy and present time the
  metrics report equal what the log shows;
- utilisation (overall, per cluster, per secretary, per hour) lies in [0, 1]; every KPI share lies in [0, 1]
  or is None; times and counts are not negative;
- Little's law, L = lambda W, for every call queue and task type: exactly (up to rounding) when nothing is
  carried over from a warm-up, and L >= lambda W otherwise (requests carried over from the warm-up add to L
  only).

CI runs a short, derandomised form (a fixed set of examples, so CI is reproducible); the slow suite runs a
few hundred scenarios.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.strategies import (
    scenario_configs,
)

from sim.config import WEEKDAYS, ConfigError, Scenario, clock_minutes, parse_scenario
from sim.core.calendar import MINUTES_PER_DAY, WorkCalendar
from sim.core.model import Result, run_replication

CI_EXAMPLES = 25
SLOW_EXAMPLES = 400
EPS = 1e-9


# ----------------------------------------------------------------------------------------------- checks
Interval = tuple[float, float, str, str]


def simulate(config: dict[str, Any]) -> tuple[Scenario, Result, dict[str, list[Interval]]]:
    try:
        scenario = parse_scenario(config, "random")
    except ConfigError as err:  # the strategy only makes valid scenarios
        raise AssertionError(f"generated config rejected: {err}") from None
    log: dict[str, list[Interval]] = defaultdict(list)

    def record(start: float, end: float, who: str, what: str, detail: str) -> None:
        log[who].append((start, end, what, detail))

    return scenario, run_replication(scenario, event_log=record), log


def check_accounting(result: Result) -> None:
    acc = result.accounting
    ended = acc["calls_answered"] + acc["calls_abandoned"] + acc["calls_waiting_at_end"]
    assert acc["calls_offered"] == ended
    assert min(acc["calls_answered"], acc["calls_abandoned"], acc["calls_waiting_at_end"]) >= 0
    per_hour = result.tables["per_hour"]
    assert sum(r["offered"] for r in per_hour) == acc["calls_offered"]
    assert sum(r["answered"] for r in per_hour) == acc["calls_answered"]
    assert sum(r["abandoned"] for r in per_hour) == acc["calls_abandoned"]
    assert sum(r["calls_offered"] for r in result.tables["per_department"]) == acc["calls_offered"]
    per_type = {r["type"]: r for r in result.tables["per_type"]}
    assert set(per_type) == set(acc["tasks"])
    for name, t in acc["tasks"].items():
        assert t["arrived"] == t["done"] + t["open"], name
        assert min(t["done"], t["open"]) >= 0
        row = per_type[name]
        assert (row["arrived"], row["done"], row["open_at_end"]) == (t["arrived"], t["done"], t["open"])
        assert row["done_within_norm"] <= row["done"] and row["open_overdue_at_end"] <= row["open_at_end"]


def rostered(scenario: Scenario, i: int, t: float) -> bool:
    """Whether secretary ``i`` is scheduled to work at ``t`` (her days, her hours, not at lunch)."""
    cal = scenario.calendar
    sec = scenario.organisation.secretaries[i]
    day = int(t // MINUTES_PER_DAY)
    weekday = WEEKDAYS[day % 7]
    days = sec.days if sec.days is not None else cal.working_days
    if weekday not in days or weekday not in cal.working_days:
        return False
    tod = t - day * MINUTES_PER_DAY
    start, end = clock_minutes(sec.start or cal.open), clock_minutes(sec.end or cal.close)
    lunch = clock_minutes(sec.lunch_start)
    if sec.lunch_minutes > 0 and lunch <= tod < lunch + sec.lunch_minutes:
        return False
    return start <= tod < end


def check_event_log(scenario: Scenario, result: Result, log: dict[str, list[Interval]]) -> None:
    cal = WorkCalendar.from_config(scenario.calendar, scenario.run.days, scenario.run.warmup_days)
    t0, t_end = cal.horizon()
    per_secretary = {r["secretary"]: r for r in result.tables["per_secretary"]}
    for i, sec in enumerate(scenario.organisation.secretaries):
        intervals = log[sec.name]
        assert intervals, f"{sec.name} has no intervals"
        # one thing at a time: her intervals tile [0, end] without overlap or gap
        assert intervals[0][0] == 0.0 and intervals[-1][1] == t_end
        for (s1, e1, _, _), (s2, _, _, _) in zip(intervals, intervals[1:], strict=False):
            assert s1 < e1 and e1 == s2, (sec.name, s1, e1, s2)
        busy: dict[str, float] = defaultdict(float)
        present = 0.0
        for start, end, what, detail in intervals:
            assert what in ("idle", "call", "task", "meeting", "absent")
            if what == "absent":
                assert detail in ("start", "sick", "leave", "day off", "lunch", "off duty"), detail
                continue
            # never at work while absent: every stretch of presence begins inside her rostered hours
            assert rostered(scenario, i, start), (sec.name, what, start, start % MINUTES_PER_DAY)
            clipped = max(0.0, min(end, t_end) - max(start, t0))
            present += clipped
            busy[what] += clipped
        row = per_secretary[sec.name]
        assert math.isclose(row["present_hours"] * 60, present, rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(row["call_hours"] * 60, busy["call"], rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(row["task_hours"] * 60, busy["task"], rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(row["meeting_hours"] * 60, busy["meeting"], rel_tol=1e-9, abs_tol=1e-6)


def in_unit(value: Any, what: str) -> None:
    assert value is None or (isinstance(value, float | int) and -EPS <= value <= 1 + EPS), (what, value)


SHARES = ("reachability", "calls_answered", "calls_abandoned", "calls_after_hours_share", "replaceability",
          "coverage", "coverage_min_department", "utilisation", "meetings_uncovered")
NON_NEGATIVE = ("asa_seconds", "calls_offered_per_day", "interruptions_per_hour", "fte", "cost_per_year")


def check_ranges(result: Result) -> None:
    kpi = result.kpi
    for key in SHARES:
        in_unit(kpi[key], key)
    for group in ("service_level", "utilisation_by_cluster"):
        for name, value in kpi[group].items():
            in_unit(value, f"{group}.{name}")
    for key in NON_NEGATIVE:
        assert kpi[key] is None or kpi[key] >= 0, key
    for group in ("lead_time_mean_hours", "lead_time_p90_hours", "backlog_end_of_day"):
        for name, value in kpi[group].items():
            assert value is None or value >= 0, (group, name)
    if kpi["calls_answered"] is not None:
        assert kpi["reachability"] <= kpi["calls_answered"] + EPS
        assert kpi["calls_answered"] + kpi["calls_abandoned"] <= 1 + EPS
    tables = result.tables
    for row in tables["per_secretary"]:
        in_unit(row["utilisation"], f"utilisation of {row['secretary']}")
    for row in tables["utilisation_by_hour"]:
        assert row["busy_minutes"] <= row["present_minutes"] + 1e-6, row
        in_unit(row["utilisation"], "utilisation_by_hour")
    for row in tables["per_department"]:
        for key in ("reachability", "calls_abandoned", "within_norm", "replaceability", "coverage"):
            in_unit(row[key], f"per_department.{key}")
    for row in tables["per_hour"]:
        in_unit(row["reachability"], "per_hour.reachability")
    for row in tables["per_type"]:
        in_unit(row["service_level"], f"service_level of {row['type']}")


def check_little(scenario: Scenario, result: Result) -> None:
    """L = lambda W exactly when nothing is carried over from a warm-up; L >= lambda W otherwise."""
    for row in result.tables["little"]:
        L, lam_w = row["L"], row["lambda_W"]
        assert L >= -EPS and lam_w >= -EPS
        tol = 1e-9 * max(1.0, L)
        if scenario.run.warmup_days == 0:
            assert abs(L - lam_w) <= tol, row
        else:
            assert lam_w - tol <= L, row


def check_all(config: dict[str, Any]) -> None:
    scenario, result, log = simulate(config)
    check_accounting(result)
    check_event_log(scenario, result, log)
    check_ranges(result)
    check_little(scenario, result)


COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
          "print_blob": True}


@settings(max_examples=CI_EXAMPLES, derandomize=True, database=None, **COMMON)
@given(scenario_configs())
def test_invariants_on_random_scenarios(config: dict[str, Any]) -> None:
    check_all(config)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES, **COMMON)
@given(scenario_configs())
def test_invariants_on_many_random_scenarios(config: dict[str, Any]) -> None:
    check_all(config)


# ------------------------------------------------------------------------------------ regressions found here
def _three_secretaries(**changes: Any) -> dict[str, Any]:
    """The shape of two scenarios hypothesis found: one cluster of three secretaries and a busy one of one."""
    secretary = {"start": "08:30", "end": "16:00", "lunch_minutes": 0}
    config: dict[str, Any] = {
        "name": "regression", "run": {"days": 1, "warmup_days": 1, "seed": 1},
        "calendar": {"working_days": ["mon", "wed", "fri", "sat"], "open": "08:30", "close": "16:00"},
        "organisation": {
            "setup": "central",
            "departments": [{"name": "Finance", "staff": 1, "cluster": "North"},
                            {"name": "Legal", "staff": 24, "cluster": "South"}],
            "secretaries": [{"name": "Anna", "departments": ["Finance"], **secretary},
                            {"name": "Bea", "departments": ["Legal"], **secretary},
                            {"name": "Carla", "departments": ["Finance"], **secretary}],
        },
        "dispatch": {"exchange": {"policy": "none"}},
        "absence": {"sickness": {"share": 0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": {"per_staff_per_day": 0.2, "external_share": 0.0, "custom_share": 0.0,
                             "callback_share": 0.0, "norm_seconds": 10,
                             "profile": {"start": "08:30", "slot_minutes": 30, "weights": [1.0, 0.0]},
                             "talk_minutes": {"dist": "exponential", "mean": 1.0}}},
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = config
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return config


def test_regression_speed_of_answer_is_never_negative() -> None:
    """A call answered at once waited 0 s, not -9e-12 s: the thinning generator's arrival time and the
    simulation clock when the call arrives can differ in the last bit."""
    scenario, result, _ = simulate(_three_secretaries())
    assert result.kpi["asa_seconds"] is not None and result.kpi["asa_seconds"] >= 0.0
    check_ranges(result)


def test_regression_a_meeting_at_the_start_of_her_lunch_is_not_hers() -> None:
    """Carla's lunch starts at 10:00, when a meeting of her department starts: she is at lunch (rosters are
    half-open intervals), so someone else takes the minutes, whatever the order the two events were
    scheduled in. Before the fix she took the meeting and worked through her lunch."""
    config = _three_secretaries(
        calendar__working_days=list(WEEKDAYS[:5]), calendar__open="08:00", calendar__close="18:00",
        demand__calls__per_staff_per_day=0.0,
        demand__meetings={"per_department_per_week": 8,
                          "duration_minutes": {"dist": "exponential", "mean": 20},
                          "earliest_start": "08:30", "latest_start": "16:30",
                          "writing_minutes_per_meeting_hour": 0},
    )
    for sec in config["organisation"]["secretaries"]:
        sec.update(start="08:00", end="18:00")
    config["organisation"]["secretaries"][2].update(lunch_minutes=30, lunch_start="10:00")
    config["organisation"]["departments"] = [
        {"name": n, "staff": 1, "cluster": "South" if n == "Legal" else "North"}
        for n in ("Finance", "Legal", "Roads", "Parks", "Housing")]
    scenario, result, log = simulate(config)
    starts = [s for s, _, what, _ in log["Carla"] if what == "meeting"]
    assert starts and all(s % MINUTES_PER_DAY != 600.0 for s in starts)
    check_event_log(scenario, result, log)
