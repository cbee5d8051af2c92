"""Ownership-aware routing, competences, buddy cover and the accounting of meetings, each on a small scenario
whose outcome is known by construction.

The demand processes are replaced by a script of requests at fixed moments (``run_replication(script=...)``;
the rest of the model is the real one: roster, dispatcher, statistics), and the event log shows who did what
when. Day 0 is a Monday; times are
minutes since its midnight (08:30 = 510).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from conftest import CONFIGS
from support.routing import MAIL, at, call, jobs, run, scenario, task

from sim import load_scenario, run_replication
from sim.config import Scenario

DAY = 24 * 60


# ------------------------------------------------------------------------------------------ custom work held
def test_custom_task_waits_for_its_own_secretary_and_is_taken_over_just_in_time() -> None:
    """Anna is busy with five hours of A's work from 08:30; A's custom task of 09:00 (norm 4 working hours) is
    held for her for half its norm, and Bob, idle all along, takes it over at 11:00 sharp (at 1.5x: 45 min)."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 0, 510, 300, custom=True, norm_hours=40))
        yield at(env, 540)
        b.sink.task_arrives(task(b, 0, 540, 30, custom=True))

    result, rows = run(scenario({}), script)
    assert jobs(rows, "Bob") == [(660.0, 705.0)]
    assert jobs(rows, "Anna") == [(510.0, 810.0)]
    assert result.kpi["continuity"] == pytest.approx(0.5)


@pytest.mark.parametrize(("reason", "bob_starts"), [("shrinkage", 660.0), ("lunch", 660.0), ("sick", 570.0)])
def test_a_brief_absence_keeps_custom_work_held_a_long_one_releases_it(reason: str, bob_starts: float) -> None:
    """As above, but Anna leaves at 09:30: for a shrinkage block or lunch (back within the hour) A's custom task
    stays held for her until its release at 11:00; when she falls ill, Bob takes it at once."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 0, 510, 300, custom=True, norm_hours=40))
        yield at(env, 540)
        b.sink.task_arrives(task(b, 0, 540, 30, custom=True))
        yield at(env, 570)
        anna = b.sink.org.secretaries[0]
        b.sink.go_off(anna, reason, reason == "sick")

    _, rows = run(scenario({}), script)
    assert [a for a, _, w, s, d in rows if w == "Bob" and s == "task"][:1] == [bob_starts]


def test_without_holding_someone_else_takes_custom_work_at_once() -> None:
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 0, 510, 300, custom=True, norm_hours=40))
        yield at(env, 540)
        b.sink.task_arrives(task(b, 0, 540, 30, custom=True))

    _, rows = run(scenario({"dispatch.custom_hold_share": 0.0}), script)
    assert jobs(rows, "Bob") == [(540.0, 585.0)]


@pytest.mark.parametrize(("anna_start", "who", "start"), [("12:00", "Anna", 720.0), ("14:00", "Bob", 540.0)])
def test_custom_work_waits_for_her_only_if_she_is_back_before_its_release(anna_start: str, who: str,
                                                                           start: float) -> None:
    """A's custom task arrives at 09:00 with a norm of 8 working hours: it may wait until 13:00 for Anna. If she
    starts at 12:00 she does it then; if she starts at 14:00, Bob takes it at once."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 540)
        b.sink.task_arrives(task(b, 0, 540, 30, custom=True, norm_hours=8))

    sc = scenario({"organisation.secretaries": [
        {"name": "Anna", "departments": ["A"], "start": anna_start, "lunch_minutes": 0},
        {"name": "Bob", "departments": ["B"], "lunch_minutes": 0}]})
    _, rows = run(sc, script)
    done = [(a, w) for a, _, w, s, _ in rows if s == "task"]
    assert done == [(start, who)]


def test_standard_work_goes_to_whoever_is_free() -> None:
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 0, 510, 300, custom=False, norm_hours=40))
        yield at(env, 540)
        b.sink.task_arrives(task(b, 0, 540, 30, custom=False))

    _, rows = run(scenario({}), script)
    assert jobs(rows, "Bob") == [(540.0, 570.0)]  # at her own pace: no penalty on standard work


def test_personal_work_is_handed_back_when_she_is_away_past_its_norm() -> None:
    """Anna works Mondays only. Her custom task, still in progress when her day ends, is due on Tuesday: Bob
    finishes it on Tuesday morning rather than it waiting a week for her (the rest, 30 min, at 1.5x)."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 960)  # Monday 16:00
        b.sink.task_arrives(task(b, 0, 960, 90, custom=True, norm_hours=8))

    sc = scenario({"organisation.secretaries": [
        {"name": "Anna", "departments": ["A"], "days": ["mon"], "lunch_minutes": 0},
        {"name": "Bob", "departments": ["B"], "lunch_minutes": 0}]})
    result, rows = run(sc, script)
    assert jobs(rows, "Anna") == [(960.0, 1020.0)]
    assert jobs(rows, "Bob") == [(DAY + 510.0, DAY + 555.0)]
    assert result.accounting["tasks"]["mail"] == {"arrived": 1, "done": 1, "open": 0}


# ------------------------------------------------------------------------------------------------ calls
def test_a_call_rings_first_at_the_departments_own_secretary() -> None:
    """Both are idle; Bob has been idle longer (Anna just finished a task), yet A's call goes to Anna."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 0, 510, 10, custom=False))
        yield at(env, 600)
        b.sink.call_arrives(call(0, 600, 5))

    _, rows = run(scenario({}), script)
    assert jobs(rows, "Anna", "call") == [(600.0, 605.0)]
    assert jobs(rows, "Bob", "call") == []


def test_a_call_preempts_another_clusters_filing() -> None:
    """Two clusters; Anna (X) is on a call when a second call for A rings; Bob (Y) is filing: under ``idle``
    exchange with ``calls: preempt`` he interrupts his task, answers, and resumes his task afterwards."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 1, 510, 60, custom=False))
        b.sink.call_arrives(call(0, 510, 30))
        yield at(env, 520)
        b.sink.call_arrives(call(0, 520, 10))

    sc = scenario({"organisation.departments": [{"name": "A", "staff": 10, "cluster": "X"},
                                                {"name": "B", "staff": 10, "cluster": "Y"}]})
    result, rows = run(sc, script)
    assert jobs(rows, "Bob", "call") == [(520.0, 530.0)]
    assert jobs(rows, "Bob") == [(510.0, 520.0), (530.0, 580.0)]
    assert result.kpi["interruptions_per_hour"] > 0


def test_a_waiting_call_of_another_cluster_comes_before_own_back_office() -> None:
    """No preemption (``calls: reserve`` with no one kept free). Bob (Y) finishes a task at 09:00 while a call
    for A (X) waits and his own cluster's mail is queued: he answers the call first."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.call_arrives(call(0, 510, 60))  # Anna, for an hour
        b.sink.task_arrives(task(b, 1, 510, 30, custom=False))  # Bob, until 09:00
        yield at(env, 520)
        b.sink.task_arrives(task(b, 1, 520, 10, custom=False))  # queued for Bob
        b.sink.call_arrives(call(0, 520, 5))  # waits: Anna on the phone, Bob filing

    sc = scenario({"organisation.departments": [{"name": "A", "staff": 10, "cluster": "X"},
                                                {"name": "B", "staff": 10, "cluster": "Y"}],
                   "dispatch.calls": "reserve", "dispatch.reserve_free": 0})
    _, rows = run(sc, script)
    assert jobs(rows, "Bob", "call") == [(540.0, 545.0)]
    assert jobs(rows, "Bob") == [(510.0, 540.0), (545.0, 555.0)]


def test_calls_outside_the_lines_hours_are_counted() -> None:
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 420)  # 07:00: the line is closed
        b.sink.call_arrives(call(0, 420, 5))
        yield at(env, 600)
        b.sink.call_arrives(call(0, 600, 5))

    result, _ = run(scenario({}), script)
    assert result.kpi["reachability"] == 1.0
    assert result.kpi["reachability_all_callers"] == 0.5
    assert result.kpi["calls_after_hours_share"] == 0.5
    hours = {r["hour"]: r for r in result.tables["per_hour"]}
    assert hours[7]["after_hours"] == 1 and hours[7]["offered"] == 0
    assert hours[10]["offered"] == 1 and hours[10]["after_hours"] == 0


# ------------------------------------------------------------------------------------- decentralised cover
def decentral(cover: bool) -> Scenario:
    return scenario({
        "organisation.setup": "decentralised",
        "organisation.secretaries": [{"name": "Anna", "departments": ["A"], "days": ["tue"], "lunch_minutes": 0},
                                     {"name": "Bob", "departments": ["B"], "lunch_minutes": 0}],
        "organisation.cover": [{"department": "A", "by": "B"}] if cover else [],
        "dispatch.exchange.policy": "none",
        "demand.calls.patience_seconds": {"dist": "deterministic", "mean": 60},
    })


def test_a_forwarded_phone_is_answered_by_the_buddy() -> None:
    """Anna works Tuesdays only. On Monday A's call is forwarded to Bob, and A's mail (nobody of A back today)
    is his after his own; without cover the call is abandoned and the mail waits for Tuesday."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 540)
        b.sink.task_arrives(task(b, 1, 540, 20, custom=False, norm_hours=40))  # Bob's own
        b.sink.task_arrives(task(b, 0, 540, 10, custom=False, norm_hours=40))  # A's
        yield at(env, 600)
        b.sink.call_arrives(call(0, 600, 5, patience=1.0))

    covered, rows = run(decentral(True), script)
    assert jobs(rows, "Bob", "call") == [(600.0, 605.0)]
    assert jobs(rows, "Bob") == [(540.0, 560.0), (560.0, 570.0)]
    assert covered.kpi["calls_abandoned"] == 0.0
    assert covered.kpi["continuity_all"] == pytest.approx(1 / 3)
    alone, rows = run(decentral(False), script)
    assert alone.kpi["calls_abandoned"] == 1.0
    assert jobs(rows, "Anna") == [(DAY + 510.0, DAY + 520.0)]


def test_a_secretary_may_serve_two_departments_when_decentralised() -> None:
    sc = load_scenario(CONFIGS / "decentral_cover.yaml", ["run.days=5", "run.warmup_days=1"])
    result = run_replication(sc, 1)
    groups = {r["secretary"]: r["group"] for r in result.tables["per_secretary"]}
    assert groups["Hanna"] == groups["Ilse"] == "Groen+Afval"
    assert groups["Anna"] == "Stedenbouw"


def test_buddy_cover_improves_the_decentral_baseline() -> None:
    """Forwarding and buddies raise reachability and replaceability on every seed of a short run, at the same
    staff and demand."""
    days = ["run.days=10", "run.warmup_days=3"]
    dec = load_scenario(CONFIGS / "decentral.yaml", days)
    cov = load_scenario(CONFIGS / "decentral_cover.yaml", days)
    for seed in (1, 2, 3):
        d, c = run_replication(dec, seed).kpi, run_replication(cov, seed).kpi
        assert c["reachability"] > d["reachability"]
        assert c["replaceability"] > d["replaceability"]
        assert c["coverage"] > d["coverage"]
        assert c["fte"] == d["fte"]


# ------------------------------------------------------------------------------------------- competences
def test_routing_respects_competences() -> None:
    """Bob may not do CRM: B's CRM task waits for Anna although Bob is B's own secretary and idle."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 510)
        b.sink.task_arrives(task(b, 0, 510, 30, custom=False))  # Anna busy until 09:00
        yield at(env, 520)
        b.sink.task_arrives(task(b, 1, 520, 10, custom=False, type_=MAIL + 1))  # B's CRM

    sc = scenario({
        "demand.tasks": {"mail": {"per_staff_per_day": 0.0, "work_minutes": {"mean": 5}, "norm_working_hours": 4},
                         "crm": {"per_staff_per_day": 0.0, "work_minutes": {"mean": 5}, "norm_working_hours": 4}},
        "organisation.secretaries": [
            {"name": "Anna", "departments": ["A"], "lunch_minutes": 0},
            {"name": "Bob", "departments": ["B"], "lunch_minutes": 0, "competences": ["phone", "callback", "mail"]}],
    })
    _, rows = run(sc, script)
    assert jobs(rows, "Bob") == []
    assert jobs(rows, "Anna") == [(510.0, 540.0), (540.0, 550.0)]


def test_fewer_trained_secretaries_lower_replaceability_of_minutes_and_crm() -> None:
    days = ["run.days=10", "run.warmup_days=3"]
    allround = load_scenario(CONFIGS / "central.yaml", days)
    special = load_scenario(CONFIGS / "central_specialists.yaml", days)
    for seed in (1, 2):
        a, s = run_replication(allround, seed).kpi, run_replication(special, seed).kpi
        assert s["meetings_uncovered"] > a["meetings_uncovered"]
        assert s["service_level"]["crm"] < a["service_level"]["crm"]


# ---------------------------------------------------------------------------------------------- meetings
def test_a_meeting_whose_minute_taker_stays_on_the_phone_is_missed_not_lost() -> None:
    """Two clusters. Anna, A's only secretary, is on a 3-hour call when A's hour-long meeting starts: the meeting
    waits for her, she cannot join before it ends, and it is counted as missed. B's meeting on Monday finds
    nobody of its cluster at work (Bob works Tuesdays): uncovered."""
    def script(env: Any, b: Any) -> Generator[Any, Any, None]:
        yield at(env, 540)
        b.sink.call_arrives(call(0, 540, 180))
        yield at(env, 570)
        b.sink.meeting_starts(0, 60.0)
        yield at(env, 615)
        b.sink.meeting_starts(1, 30.0)

    sc = scenario({"demand.meetings": {"per_department_per_week": 0},
                   "organisation.departments": [{"name": "A", "staff": 10, "cluster": "X"},
                                                {"name": "B", "staff": 10, "cluster": "Y"}],
                   "organisation.secretaries": [
                       {"name": "Anna", "departments": ["A"], "lunch_minutes": 0},
                       {"name": "Bob", "departments": ["B"], "lunch_minutes": 0, "days": ["tue"]}]})
    result, rows = run(sc, script)
    assert jobs(rows, "Anna", "meeting") == []
    assert jobs(rows, "Anna", "call") == [(540.0, 720.0)]
    meetings = result.accounting["meetings"]
    assert meetings == {"started": 2, "with_minutes": 0, "missed": 1, "uncovered": 1}
    assert result.kpi["meetings_uncovered"] == 1.0


@pytest.mark.parametrize("name", ["central", "decentral", "decentral_cover", "central_hnw", "central_specialists"])
def test_every_meeting_is_held_missed_or_uncovered_once(name: str) -> None:
    result = run_replication(load_scenario(CONFIGS / f"{name}.yaml", ["run.days=10", "run.warmup_days=2"]), 1)
    m = result.accounting["meetings"]
    assert m["started"] > 0
    assert m["started"] == m["with_minutes"] + m["missed"] + m["uncovered"]
    rows = result.tables["per_department"]
    assert sum(r["meetings"] for r in rows) == m["started"]


def test_realised_custom_split_is_reported() -> None:
    """The article's 60-70% standard / 30-40% custom: by count it follows the configured custom shares."""
    result = run_replication(load_scenario(CONFIGS / "central.yaml", ["run.days=20", "run.warmup_days=2"]), 1)
    share = result.kpi["custom_share_requests"]
    assert 0.28 < share < 0.36  # configured: 35% of calls, e-mail, CRM; 20% of post; 0% legacy; 100% custom
    assert 0 < result.kpi["custom_share_work"] < 1
    assert 0 < result.kpi["continuity"] <= 1 and 0 < result.kpi["continuity_all"] <= 1


def test_the_routing_network_is_derived_once_and_read_by_the_organisation() -> None:
    """Who may serve whom under each exchange policy, by hand for the sector's three clusters (Ruimte, Beheer,
    Projecten, in that order): ``chain`` lets the next cluster help (Beheer helps Ruimte, Projecten helps
    Beheer, Ruimte helps Projecten), ``none`` keeps each cluster to itself, ``pool`` makes one group; the runtime
    organisation and the config check read this one relation."""
    from sim.config import Network, may_serve
    from sim.core.organisation import Organisation

    def reach(policy: str, topology: str) -> tuple[Network, dict[str, set[str]]]:
        s = load_scenario(CONFIGS / "central.yaml", [f"dispatch.exchange.policy={policy}",
                                                     f"dispatch.exchange.topology={topology}"])
        net = Network.of(s)
        org = Organisation(s)
        assert [sec.serves for sec in org.secretaries] == list(net.serves)  # the runtime reads the network
        assert [[o.index for o in own] for own in org.owners] == [list(o) for o in net.owners]
        return net, may_serve(s)

    net, chain = reach("idle", "chain")
    assert net.group_names == ("Ruimte", "Beheer", "Projecten")
    assert net.helpers == ((1,), (2,), (0,)) and net.helps == ((2,), (0,), (1,))
    homes = dict(zip(net.secretaries, net.homes, strict=True))
    in_ = {c: {n for n, h in homes.items() if h == c} for c in net.group_names}
    assert chain["Verkeer"] == in_["Ruimte"] | in_["Beheer"]
    assert chain["Milieu"] == in_["Projecten"] | in_["Ruimte"]
    net, alone = reach("none", "all")
    assert net.helpers == ((), (), ()) and alone["Groen"] == in_["Beheer"]
    net, pool = reach("pool", "all")
    assert net.group_names == ("pool",) and pool["Afval"] == set(net.secretaries)
