"""The secretariat model: invariants on every shipped config, determinism, common random numbers, absence,
custom work, call policies, and the direction pooling theory predicts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pytest
import simpy
from conftest import CONFIGS, SHIPPED

from sim import flatten_kpis, load_scenario, run_replication
from sim.config import Scenario, parse_scenario
from sim.core.calendar import WorkCalendar
from sim.core.dispatch import clock
from sim.core.organisation import Organisation, roster
from sim.core.streams import Streams

Interval = tuple[float, float, str, str, str]


def logged_run(scenario: Scenario, seed: int = 1) -> tuple[Any, list[Interval]]:
    rows: list[Interval] = []
    result = run_replication(scenario, seed, event_log=lambda a, b, who, what, detail: rows.append(
        (a, b, who, what, detail)))
    return result, rows


@pytest.fixture(scope="module", params=SHIPPED, ids=lambda p: p.name)
def shipped_run(request: pytest.FixtureRequest) -> tuple[Scenario, Any, list[Interval]]:
    scenario = load_scenario(request.param, ["run.days=10", "run.warmup_days=3"])
    result, rows = logged_run(scenario)
    return scenario, result, rows


def test_every_request_is_accounted_for_once(shipped_run: tuple[Scenario, Any, list[Interval]]) -> None:
    _, result, _ = shipped_run
    acc = result.accounting
    assert acc["calls_offered"] > 0
    assert acc["calls_offered"] == acc["calls_answered"] + acc["calls_abandoned"] + acc["calls_waiting_at_end"]
    for name, t in acc["tasks"].items():
        assert t["arrived"] == t["done"] + t["open"], name


def test_no_secretary_does_two_things_at_once(shipped_run: tuple[Scenario, Any, list[Interval]]) -> None:
    scenario, _, rows = shipped_run
    by_sec: dict[str, list[Interval]] = defaultdict(list)
    for row in rows:
        by_sec[row[2]].append(row)
    assert set(by_sec) == {s.name for s in scenario.organisation.secretaries}
    for name, intervals in by_sec.items():
        intervals.sort()
        for prev, cur in zip(intervals, intervals[1:], strict=False):
            # the states of one secretary tile time: each starts where the previous ended, never earlier
            assert cur[0] == pytest.approx(prev[1], abs=1e-6), (name, prev, cur)
            assert cur[1] > cur[0]


class _PresenceLog:
    """The roster's word on presence, with no dispatcher: the spans between each secretary's ``come_on`` and her
    next ``go_off`` (lunch, shrinkage, end of day, sickness, leave, a day off)."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.since: dict[str, float] = {}
        self.spans: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def come_on(self, sec: Any) -> None:
        self.since.setdefault(sec.name, self.env.now)

    def go_off(self, sec: Any, reason: str, hand_over: bool) -> None:
        start = self.since.pop(sec.name, None)
        if start is not None and self.env.now > start:
            self.spans[sec.name].append((start, self.env.now))


def presence_spans(scenario: Scenario, seed: int = 1) -> dict[str, list[tuple[float, float]]]:
    """Each secretary's presence in a run of ``scenario`` with ``seed``, from her roster alone (the same named
    streams as the model's, which nothing else draws from), independent of what the dispatcher logs."""
    cal = WorkCalendar.from_config(scenario.calendar, scenario.run.days, scenario.run.warmup_days)
    env = simpy.Environment()
    streams = Streams(seed)
    log = _PresenceLog(env)
    for i, sec in enumerate(Organisation(scenario).secretaries):
        env.process(roster(env, scenario, i, sec, cal, streams[f"absence/{sec.name}"], log,
                           streams[f"shrinkage/{sec.name}"]))
    end = cal.horizon()[1]
    env.run(until=end)
    for name, start in log.since.items():
        log.spans[name].append((start, end))
    return log.spans


def test_work_only_while_present(shipped_run: tuple[Scenario, Any, list[Interval]]) -> None:
    """Nobody works while absent: every task (and idle spell) of the event log lies within one of her spans of
    presence by the roster, and every call or meeting starts within one (she finishes a call or meeting that
    runs into her break or past her day; then she leaves). Presence comes from the roster run apart."""
    scenario, _, rows = shipped_run
    assert {r[3] for r in rows} <= {"idle", "call", "task", "meeting", "absent"}
    spans = presence_spans(scenario)
    assert set(spans) == {s.name for s in scenario.organisation.secretaries}
    eps = 1e-6
    checked = 0
    for a, b, who, what, detail in rows:
        if what == "absent":  # absent intervals carry a reason, work intervals a request type
            assert detail in {"start", "lunch", "shrinkage", "off duty", "sick", "leave", "day off"}, detail
            continue
        if what != "idle":
            assert detail, (who, a, what)
        span = next(((s, e) for s, e in spans[who] if s - eps <= a < e), None)
        assert span is not None, f"{who} {what} at {a} outside her presence"
        if what in ("task", "idle"):
            assert b <= span[1] + eps, f"{who} {what} [{a}, {b}] runs past her presence {span}"
        checked += what != "idle"
    assert checked > 100  # a run with work in it
    # and the converse: she is present when the roster says so (her states tile time, so this is the time she
    # was logged as anything but absent, apart from calls and meetings she finished after her presence ended)
    for name, own in spans.items():
        absent = [(a, b) for a, b, who, what, _ in rows if who == name and what == "absent"]
        for s, e in own:
            assert not any(a < e - eps and s + eps < b for a, b in absent), (name, s, e)


def test_shares_are_fractions(shipped_run: tuple[Scenario, Any, list[Interval]]) -> None:
    _, result, _ = shipped_run
    flat = flatten_kpis(result.kpi)
    share_keys = [k for k in flat if k.split(".")[0] in {
        "reachability", "calls_answered", "calls_abandoned", "replaceability", "coverage",
        "coverage_min_department", "service_level", "utilisation", "utilisation_by_cluster",
        "meetings_uncovered", "calls_after_hours_share"}]
    assert len(share_keys) > 10
    for key in share_keys:
        value = flat[key]
        assert value is None or 0.0 <= value <= 1.0, (key, value)
    assert flat["calls_answered"] + flat["calls_abandoned"] <= 1.0 + 1e-12
    for row in result.tables["per_secretary"]:
        assert row["utilisation"] is None or 0 <= row["utilisation"] <= 1


def test_same_seed_same_result_and_other_seed_differs() -> None:
    scenario = load_scenario(CONFIGS / "central.yaml", ["run.days=5", "run.warmup_days=2"])
    a, b = run_replication(scenario, 3), run_replication(scenario, 3)
    assert a == b  # wall time is excluded from equality
    assert a.to_dict()["kpi"] == b.to_dict()["kpi"]
    assert run_replication(scenario, 4).kpi != a.kpi


def test_common_random_numbers_across_setups() -> None:
    """Two setups on the same seed see exactly the same calls and tasks."""
    days = ["run.days=5", "run.warmup_days=2"]
    dec = run_replication(load_scenario(CONFIGS / "decentral.yaml", days), 5).accounting
    cen = run_replication(load_scenario(CONFIGS / "central.yaml", days), 5).accounting
    assert dec["calls_offered"] == cen["calls_offered"]
    assert dec["calls_after_hours"] == cen["calls_after_hours"]
    for name in ("email", "post", "crm", "custom", "legacy"):
        assert dec["tasks"][name]["arrived"] == cen["tasks"][name]["arrived"]


def test_central_pool_beats_decentral_on_reachability_and_replaceability() -> None:
    """Pooling theory (Smith & Whitt 1981): the pool is higher on both, on every seed of a short run."""
    days = ["run.days=10", "run.warmup_days=3"]
    dec = load_scenario(CONFIGS / "decentral.yaml", days)
    cen = load_scenario(CONFIGS / "central.yaml", days)
    for seed in (1, 2, 3):
        d, c = run_replication(dec, seed).kpi, run_replication(cen, seed).kpi
        assert c["reachability"] > d["reachability"]
        assert c["replaceability"] > d["replaceability"]
        assert c["coverage"] >= d["coverage"]


def _small(extra: dict[str, Any]) -> Scenario:
    base: dict[str, Any] = {
        "name": "small",
        "run": {"days": 10, "warmup_days": 0},
        "organisation": {
            "setup": "central",
            "departments": [{"name": "A", "staff": 10, "cluster": "X"}, {"name": "B", "staff": 10, "cluster": "X"}],
            "secretaries": [{"name": "Anna", "departments": ["A"]}, {"name": "Bob", "departments": ["B"]}],
        },
        "absence": {"sickness": {"share": 0.0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": {"per_staff_per_day": 0.0, "talk_minutes": {"mean": 3}}},
    }
    for path, value in extra.items():
        node = base
        *parents, last = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return parse_scenario(base)


def test_custom_work_takes_longer_for_someone_else() -> None:
    """Anna (A's own secretary) works only on Tuesdays; A's custom tasks take 10 min for her, 15 for Bob."""
    scenario = _small({
        "organisation.departments": [{"name": "A", "staff": 10, "cluster": "X"},
                                     {"name": "B", "staff": 10, "cluster": "X", "demand_factor": 0}],
        "organisation.secretaries": [{"name": "Anna", "departments": ["A"], "days": ["tue"]},
                                     {"name": "Bob", "departments": ["B"]}],
        "demand.tasks": {"custom": {"per_staff_per_day": 1.0, "work_minutes": {"dist": "deterministic", "mean": 10},
                                    "norm_working_hours": 40, "custom_share": 1.0}},
        "dispatch.custom_penalty": 1.5,
    })
    _, rows = logged_run(scenario)
    durations = defaultdict(set)
    for a, b, who, what, _ in rows:
        if what == "task":
            durations[who].add(round(b - a, 6))
    # a task interrupted by lunch or the end of the day is split in pieces; whole ones show the pace
    assert max(durations["Anna"]) == pytest.approx(10.0)
    assert max(durations["Bob"]) == pytest.approx(15.0)


def test_reserve_policy_never_interrupts_and_preempt_does() -> None:
    common = {
        "demand.calls": {"per_staff_per_day": 3.0, "talk_minutes": {"mean": 4}},
        "demand.tasks": {"mail": {"per_staff_per_day": 4.0, "work_minutes": {"mean": 5},
                                  "norm_working_hours": 17}},
    }
    preempt = run_replication(_small({**common, "dispatch.calls": "preempt"}), 1)
    reserve = run_replication(_small({**common, "dispatch.calls": "reserve", "dispatch.reserve_free": 1}), 1)
    no_reserve = run_replication(_small({**common, "dispatch.calls": "reserve", "dispatch.reserve_free": 0}), 1)
    assert preempt.kpi["interruptions_per_hour"] > 0
    assert reserve.kpi["interruptions_per_hour"] == 0 == no_reserve.kpi["interruptions_per_hour"]
    # calls first: preemptive priority serves calls best; among non-preemptive policies keeping a colleague
    # free for calls beats keeping no one (Bhulai & Koole 2003), at the cost of slower back-office work
    assert preempt.kpi["reachability"] > reserve.kpi["reachability"] > no_reserve.kpi["reachability"]
    assert reserve.kpi["lead_time_mean_hours"]["mail"] > no_reserve.kpi["lead_time_mean_hours"]["mail"]


def test_sickness_share_matches_the_config() -> None:
    """Long run, no demand: the share of working days a secretary is away ill is the configured 6%."""
    secretaries = [{"name": f"S{i}", "departments": ["A"]} for i in range(40)]
    scenario = _small({
        "run": {"days": 520, "warmup_days": 0},
        "organisation.departments": [{"name": "A", "staff": 1, "cluster": "X"}],
        "organisation.secretaries": secretaries,
        "absence.sickness": {"share": 0.06, "episodes_per_fte_year": 1.5},
        "absence.leave": {"days_per_year": 0},
    })
    _, rows = logged_run(scenario)
    sick_days: dict[str, float] = defaultdict(float)
    for a, b, who, what, detail in rows:
        if what == "absent" and detail == "sick":
            sick_days[who] += (b - a) / 1440
    # sick intervals run from midnight (or the end of the previous shift) to the next shift; count days
    shares = np.array([sick_days.get(s["name"], 0.0) for s in secretaries]) / (520 * 7 / 5)
    # per-secretary shares are independent: a 99.9% interval from their spread
    half = 3.3 * shares.std(ddof=1) / np.sqrt(len(shares))
    # sick weekends count too (7/5 calendar days per working day), so the calendar share equals the working one
    assert abs(shares.mean() - 0.06) < half + 0.004


def test_absent_department_is_covered_by_the_pool_not_in_decentral() -> None:
    days = ["run.days=10", "run.warmup_days=3"]
    dec = run_replication(load_scenario(CONFIGS / "decentral.yaml", days), 2)
    cen = run_replication(load_scenario(CONFIGS / "central.yaml", days), 2)
    d_cov = {r["department"]: r["coverage"] for r in dec.tables["per_department"]}
    c_cov = {r["department"]: r["coverage"] for r in cen.tables["per_department"]}
    assert all(c_cov[k] >= d_cov[k] for k in d_cov)
    assert min(c_cov.values()) == pytest.approx(1.0)


def test_event_count_is_simpys_and_days_are_the_measured_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Result.events is the number of events SimPy scheduled (counted here by watching its schedule), and
    Result.days the measured working days, without the warm-up."""
    scheduled = [0]
    schedule = simpy.Environment.schedule

    def counting(env: simpy.Environment, *args: Any, **kwargs: Any) -> None:
        scheduled[0] += 1
        schedule(env, *args, **kwargs)

    monkeypatch.setattr(simpy.Environment, "schedule", counting)
    result = run_replication(load_scenario(CONFIGS / "central.yaml", ["run.days=5", "run.warmup_days=1"]))
    assert result.events == scheduled[0] > 1000
    assert result.days == 5


def test_the_dispatchers_clock_is_simpys() -> None:
    """sim.core.dispatch.clock reads SimPy's private clock (a property call costs compiled code much more): it
    must say what the public env.now says."""
    env = simpy.Environment()
    env.timeout(2.5)
    env.run()
    assert clock(env) == env.now == 2.5


def test_skills_scale_her_work_time() -> None:
    """A secretary with skill factor 2.0 for mail takes twice the (deterministic) work time."""
    scenario = _small({
        "organisation.secretaries": [{"name": "Anna", "departments": ["A"], "skills": {"mail": 2.0}},
                                     {"name": "Bob", "departments": ["B"]}],
        "demand.tasks": {"mail": {"per_staff_per_day": 1.0, "work_minutes": {"dist": "deterministic", "mean": 6},
                                  "norm_working_hours": 17, "custom_share": 0.0}},
    })
    _, rows = logged_run(scenario)
    longest = defaultdict(float)
    for a, b, who, what, _ in rows:
        if what == "task":
            longest[who] = max(longest[who], b - a)
    assert longest["Anna"] == pytest.approx(12.0) and longest["Bob"] == pytest.approx(6.0)


def test_skills_name_known_request_types() -> None:
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="skills.mial: unknown request type"):
        _small({"organisation.secretaries": [{"name": "Anna", "departments": ["A"], "skills": {"mial": 2.0}},
                                             {"name": "Bob", "departments": ["B"]}],
                "demand.tasks": {"mail": {"per_staff_per_day": 1.0, "work_minutes": {"mean": 6},
                                          "norm_working_hours": 17}}})
