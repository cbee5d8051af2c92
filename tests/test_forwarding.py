"""Phone forwarding to buddies (``organisation.forwarding``), on scripted requests whose outcome is known by
construction (the helpers of ``test_routing``: day 0 is a Monday, times in minutes since its midnight).

Two departments, A (Anna) and B (Bob), both present all day; B's secretaries cover A. Callers wait for ever
unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from conftest import CONFIGS
from support.routing import at, call, jobs, run, scenario, task

from sim import load_scenario, run_replication
from sim.config import Scenario


def covered(on: str, ring_seconds: float = 20, cover: bool = True) -> Scenario:
    return scenario({
        "organisation.setup": "decentralised",
        "organisation.cover": [{"department": "A", "by": "B"}] if cover else [],
        "organisation.forwarding": {"on": on, "ring_seconds": ring_seconds},
        "dispatch.exchange.policy": "none",
    })


def test_the_default_forwards_on_busy_and_no_answer() -> None:
    sc = scenario({"organisation.setup": "decentralised", "dispatch.exchange.policy": "none"})
    assert sc.organisation.forwarding.on == "no_answer"
    assert sc.organisation.forwarding.ring_seconds == 20


@pytest.mark.parametrize("on", ["busy", "no_answer"])
def test_a_call_forwarded_on_busy_is_answered_by_the_idle_buddy_at_once(on: str) -> None:
    """Anna is on an hour-long call from 09:00; A's second call at 09:10 would queue: forwarded on busy, Bob
    (idle) answers it at once. Forwarding only on absence, it waits for Anna until 10:00."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 540)
        b.sink.call_arrives(call(0, 540, 60))
        yield at(env, 550)
        b.sink.call_arrives(call(0, 550, 5))

    result, rows = run(covered(on), script)
    assert jobs(rows, "Anna", "call") == [(540.0, 600.0)]
    assert jobs(rows, "Bob", "call") == [(550.0, 555.0)]
    assert result.kpi["asa_seconds"] == 0.0
    assert result.kpi["reachability"] == 1.0

    result, rows = run(covered("absent"), script)
    assert jobs(rows, "Anna", "call") == [(540.0, 600.0), (600.0, 605.0)]
    assert jobs(rows, "Bob", "call") == []
    assert result.kpi["asa_seconds"] == pytest.approx(50 * 60 / 2)  # 0 and 50 minutes
    assert result.kpi["reachability"] == 0.5


def test_a_call_forwarded_on_busy_interrupts_the_buddys_back_office_work() -> None:
    """With calls: preempt a forwarded call rings at a buddy at back-office work as any call does: Bob pauses his
    own task for A's call and resumes it after."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 540)
        b.sink.call_arrives(call(0, 540, 60))
        b.sink.task_arrives(task(b, 1, 540, 30, custom=False, norm_hours=40))
        yield at(env, 550)
        b.sink.call_arrives(call(0, 550, 5))

    _, rows = run(covered("busy"), script)
    assert jobs(rows, "Bob", "call") == [(550.0, 555.0)]
    assert jobs(rows, "Bob") == [(540.0, 550.0), (555.0, 575.0)]


def _both_busy(env: Any, b: Any, bob_free: float) -> Generator[Any, Any, None]:
    """Anna on A's call 09:00-10:00, Bob on B's call 09:05 until ``bob_free``; A's call at 09:08 finds both on
    the phone, so it queues even when forwarded on busy."""
    yield at(env, 540)
    b.sink.call_arrives(call(0, 540, 60))
    yield at(env, 545)
    b.sink.call_arrives(call(1, 545, bob_free - 545))
    yield at(env, 548)
    b.sink.call_arrives(call(0, 548, 5))


def test_an_idle_buddy_answers_a_waiting_call_when_it_has_rung_ring_seconds_not_before() -> None:
    """Bob is free at 09:09, but A's call of 09:08 rings two minutes before it is forwarded: he takes it at 09:10
    sharp, idle in between."""
    result, rows = run(covered("no_answer", ring_seconds=120), lambda env, b: _both_busy(env, b, 549))
    assert jobs(rows, "Bob", "call") == [(545.0, 549.0), (550.0, 555.0)]
    assert jobs(rows, "Bob", "idle")[:3] == [(510.0, 545.0), (549.0, 550.0), (555.0, 1020.0)]  # then other days
    assert jobs(rows, "Anna", "call") == [(540.0, 600.0)]
    assert result.kpi["asa_seconds"] == pytest.approx(120 / 3)  # 0, 0 and 120 seconds


def test_a_buddy_who_becomes_free_takes_the_forwarded_call_after_her_own_groups_calls() -> None:
    """A's call of 09:08 is forwarded at 09:08:20 while Bob is still on the phone; B's call of 09:08:30 waits
    too. Freed at 09:09, Bob answers his own department's call first, then A's."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield from _both_busy(env, b, 549)
        yield at(env, 548.5)
        b.sink.call_arrives(call(1, 548.5, 3))

    result, rows = run(covered("no_answer", ring_seconds=20), script)
    assert jobs(rows, "Bob", "call") == [(545.0, 549.0), (549.0, 552.0), (552.0, 557.0)]
    assert jobs(rows, "Anna", "call") == [(540.0, 600.0)]
    assert result.accounting["calls_answered"] == 4


@pytest.mark.parametrize("on", ["absent", "busy"])
def test_without_forwarding_on_no_answer_the_waiting_call_stays_with_its_department(on: str) -> None:
    """Forwarded on busy only (or on absence), a call that queued is not the buddy's: Bob stays idle from 09:09
    and A's call waits for Anna until 10:00."""
    _, rows = run(covered(on), lambda env, b: _both_busy(env, b, 549))
    assert jobs(rows, "Bob", "call") == [(545.0, 549.0)]
    assert jobs(rows, "Anna", "call") == [(540.0, 600.0), (600.0, 605.0)]


def test_a_caller_who_hangs_up_before_the_ring_time_is_not_forwarded() -> None:
    """Patience 10 s, ring time 20 s: A's call is abandoned in the queue although Bob is idle from 09:09."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 540)
        b.sink.call_arrives(call(0, 540, 60))
        yield at(env, 545)
        b.sink.call_arrives(call(1, 545, 3.1))
        yield at(env, 548)
        b.sink.call_arrives(call(0, 548, 5, patience=10 / 60))

    result, rows = run(covered("no_answer", ring_seconds=20), script)
    assert jobs(rows, "Bob", "call") == [(545.0, 548.1)]
    assert result.accounting["calls_abandoned"] == 1


def test_forwarding_on_absence_is_the_rule_before_the_setting() -> None:
    """``on: absent`` gives exactly what the model gave before forwarding had modes (counts and KPIs of a short
    decentral_cover run, recorded with the code before the change); and without buddies the setting changes
    nothing."""
    days = ["run.days=5", "run.warmup_days=1"]
    absent = run_replication(load_scenario(CONFIGS / "decentral_cover.yaml",
                                           [*days, "organisation.forwarding.on=absent"]), 1)
    acc = absent.accounting
    assert (acc["calls_offered"], acc["calls_answered"], acc["calls_abandoned"]) == (531, 478, 53)
    assert {k: v["done"] for k, v in acc["tasks"].items()} == {
        "callback": 46, "email": 668, "post": 110, "crm": 89, "custom": 17, "legacy": 184, "coordination": 21,
        "minutes": 7}
    assert absent.kpi["reachability"] == pytest.approx(0.8945386064030132, abs=1e-15)
    assert absent.kpi["utilisation"] == pytest.approx(0.5575395715958228, abs=1e-15)
    forwarded = run_replication(load_scenario(CONFIGS / "decentral_cover.yaml", days), 1)
    assert forwarded.accounting["calls_abandoned"] < acc["calls_abandoned"]

    plain = [run_replication(load_scenario(CONFIGS / "decentral.yaml", [*days, f"organisation.forwarding.on={on}"]),
                             1).kpi for on in ("absent", "busy", "no_answer")]
    assert plain[0] == plain[1] == plain[2]
