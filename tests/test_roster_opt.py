"""sim roster: the CP-SAT master problem, the simulation-corrected requirements, and what it writes."""

from __future__ import annotations

import html
import math
import sys
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.roster import tiny

from sim.config import WEEKDAYS, OptionError, clock_minutes, load_scenario, parse_scenario

pytest.importorskip("ortools")

from sim.decisions.rostering.requirements import Requirements, theory_requirements  # noqa: E402
from sim.decisions.rostering.solver import parse_keep, shift_patterns, solve  # noqa: E402


def flat(k: int, scenario: Any) -> Requirements:
    slots = tuple(range(16, 32))
    return Requirements(slots, {"A": [k] * len(slots)}, {"A": [0.0] * 16}, {"A": [0] * 16}, {"A": 0.0}, 1.0)


def test_flat_requirement_with_tiling_shifts_has_the_known_least_cost() -> None:
    """k present every half hour of an 8-hour day, shifts of 4 hours starting 08:00 or 12:00 (they tile the
    day, no lunch): every day needs exactly 2k four-hour shifts, so the least is 2k x 4 h x 5 days."""
    k = 2
    s = parse_scenario(tiny(shift_starts=["08:00", "12:00"], start_step_minutes=240, shift_hours=[4],
                            days_per_week=[1, 5], contract_change_hours=[-40, 40], may_leave=True,
                            new_hire_hours=[4, 8, 12, 16, 20], max_new_hires_per_group=4), "<tiny>")
    roster = solve(s, flat(k, s), time_limit=20)
    assert roster is not None and roster.status == "OPTIMAL"
    assert roster.hours == pytest.approx(2 * k * 4 * 5)
    for by_day in roster.coverage.values():
        for minutes in by_day.values():
            assert min(minutes) >= 30 * k


def test_keep_fixes_the_days_and_the_cost_is_not_lower() -> None:
    s = parse_scenario(tiny(), "<tiny>")
    req = theory_requirements(s)
    free = solve(s, req, time_limit=10)
    fixed = solve(s, req, [parse_keep("Bob.days=[mon,wed,fri]")], time_limit=10)
    assert free is not None and fixed is not None
    bob = next(a for a in fixed.assignments if a.person.name == "Bob")
    assert bob.days == ["mon", "wed", "fri"]
    assert fixed.hours >= free.hours - 1e-9


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(["07:30", "08:00", "08:30"]), span=st.sampled_from([0, 60, 120]),
       hours=st.lists(st.sampled_from([3.0, 4.0, 6.0, 7.2, 8.0]), min_size=1, max_size=3, unique=True),
       dmin=st.integers(1, 3), extra_days=st.integers(0, 2), loss=st.sampled_from([0.0, -4.0, -7.2]),
       gain=st.sampled_from([0.0, 4.0, 7.2]), min_present=st.integers(0, 2), may_leave=st.booleans())
def test_every_roster_respects_every_rule(first: str, span: int, hours: list[float], dmin: int, extra_days: int,
                                          loss: float, gain: float, min_present: int, may_leave: bool) -> None:
    start0 = clock_minutes(first)
    last = f"{int(start0 + span) // 60:02d}:{int(start0 + span) % 60:02d}"
    rules = {"shift_starts": [first, last], "shift_hours": hours, "days_per_week": [dmin, dmin + extra_days],
             "contract_change_hours": [loss, gain], "min_present": min_present, "may_leave": may_leave,
             "new_hire_hours": [8.0, 12.0, 16.0, 21.6], "max_new_hires_per_group": 2}
    s = parse_scenario(tiny(**rules), "<tiny>")
    roster = solve(s, theory_requirements(s), time_limit=5)
    if roster is None:
        return  # no roster within these rules: nothing written, nothing to check
    r = s.roster_rules
    grid = {int(clock_minutes(first)) + i * r.start_step_minutes for i in range(span // r.start_step_minutes + 1)}
    w0, w1 = (clock_minutes(c) for c in s.calendar.lunch_window)
    for a in roster.assignments:
        if not a.days:
            assert a.person.new or r.may_leave
            continue
        assert a.shift is not None
        assert a.shift.start in grid
        assert any(abs(a.shift.paid - h * 60) < 1 for h in r.shift_hours)
        assert r.days_per_week[0] <= len(a.days) <= r.days_per_week[1]
        assert set(a.days) <= set(s.calendar.working_days)
        assert a.hours <= (r.max_hours_per_week or s.calendar.full_time_hours_per_week) + 1e-6
        if a.shift.paid / 60 > r.lunch_after_hours:
            assert a.shift.lunch is not None and w0 <= a.shift.lunch and a.shift.lunch + r.lunch_minutes <= w1
        if a.person.new:
            assert any(abs(a.hours - h) < 1e-6 for h in r.new_hire_hours)
        else:
            lo = max(0.0, a.person.today_hours + loss)
            hi = max(min(36.0, a.person.today_hours + gain), min(a.person.today_hours, 36.0))
            assert min(lo, hi) - 1e-6 <= a.hours <= hi + 1e-6
    # and the roster is a valid config (the spreadsheet's form)
    from sim.decisions.rostering.search import with_secretaries

    with_secretaries(s, roster.secretaries(), "check")


def test_shift_patterns_follow_the_rules() -> None:
    s = parse_scenario(tiny(), "<tiny>")
    shifts = shift_patterns(s)
    assert {sh.start for sh in shifts} == {480, 510, 540, 570, 600}
    assert all(sh.lunch is None for sh in shifts if sh.paid == 240)
    assert all(sh.lunch is not None for sh in shifts if sh.paid == 432)


def test_written_roster_runs_as_it_is(tmp_path: Path) -> None:
    """sim roster writes roster.csv in the secretaries_file format and roster.yaml pointing at it; the
    config loads with exactly the roster's secretaries, and sim run runs it and reports the KPIs."""
    from sim.cli import cli as cli_main

    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(tiny()))
    out = tmp_path / "out"
    res = CliRunner().invoke(cli_main, ["roster", str(cfg), "-r", "2", "--max-rounds", "2", "--time-limit", "5",
                                        "--workers", "1", "--out", str(out), "--json"])
    assert res.exit_code in (0, 1), res.output
    loaded = load_scenario(out / "roster.yaml")
    import csv

    rows = list(csv.DictReader((out / "roster.csv").open()))
    assert [s.name for s in loaded.organisation.secretaries] == [r["name"] for r in rows]
    for sec, row in zip(loaded.organisation.secretaries, rows, strict=True):
        assert sec.start == row["start"] and sec.end == row["end"]
        assert sec.days == [d.strip() for d in row["days"].split(",")]
    hours = sum(loaded.secretary_hours_per_week(i) for i in range(len(rows)))
    assert hours == pytest.approx(sum(float(r["hours_new"]) for r in rows))
    ran = CliRunner().invoke(cli_main, ["run", str(out / "roster.yaml"), "--out", str(tmp_path / "run"), "--json"])
    assert ran.exit_code == 0, ran.output
    assert (out / "coverage.png").exists() and (out / "rounds.csv").exists()


def test_without_ortools_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.cli import cli as cli_main

    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(tiny()))
    for name in [m for m in sys.modules if m == "ortools" or m.startswith("ortools.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ortools", None)
    res = CliRunner().invoke(cli_main, ["roster", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "ortools" in lines[0].lower()


def ringed() -> dict[str, Any]:
    """Three departments, A covered by B, B by C (one cover ring A+B+C), and D on its own; a secretary each,
    no absence, the default demand."""
    sec = [{"name": n, "departments": [d], "start": "08:00", "end": "16:00", "lunch_start": "12:00"}
           for n, d in (("Ann", "A"), ("Bob", "B"), ("Cor", "C"), ("Dirk", "D"))]
    return {
        "name": "ringed", "run": {"days": 2, "warmup_days": 0, "seed": 5},
        "calendar": {"open": "08:00", "close": "16:00", "lunch_window": ["12:00", "13:30"]},
        "organisation": {"setup": "decentralised",
                         "departments": [{"name": d, "staff": 10} for d in "ABCD"],
                         "secretaries": sec,
                         "cover": [{"department": "A", "by": "B"}, {"department": "B", "by": "C"}]},
        "absence": {"sickness": {"share": 0.0}, "leave": {"days_per_year": 0}, "shrinkage": {"share": 0.0}},
        "roster_rules": {"min_present": 1, "may_leave": True, "contract_change_hours": [-40, 40],
                         "days_per_week": [1, 5]},
    }


def test_a_cover_ring_is_one_phone_group() -> None:
    """Departments that answer for each other (buddy cover) are staffed as one ring: per half hour Erlang C's
    least servers for the ring's pooled calls, not one desk per department; the ring's departments ask for
    nobody of their own until the simulation says so; a department outside any ring is its own group."""
    from sim.decisions.rostering.requirements import cover_rings
    from sim.theory import min_servers_for_service_level

    s = parse_scenario(ringed(), "<ringed>")
    assert cover_rings(s) == {"A+B+C": ("A", "B", "C")}
    req = theory_requirements(s)
    assert set(req.need) == {"A+B+C", "D", "A", "B", "C"}
    assert req.top_units == ["A+B+C", "D"]
    mu = 1 / s.demand.calls.talk_minutes.mean
    t, target = s.demand.calls.norm_seconds / 60, s.norms.reachability_min
    for k, rate in enumerate(req.calls_per_hour["A+B+C"]):
        assert rate == pytest.approx(3 * req.calls_per_hour["D"][k])  # three departments' calls pooled
        c = min_servers_for_service_level(rate / 60, mu, t, target) if rate else 0
        present = max(c, (rate / 60 / mu + req.backoffice_erlangs["A+B+C"]) / s.norms.occupancy_max)
        assert req.need["A+B+C"][k] == max(1, math.ceil(present - 1e-9))
    assert req.backoffice_erlangs["A+B+C"] == pytest.approx(3 * req.backoffice_erlangs["D"])
    # each department of the ring keeps a desk of its own in the core hours (roster_rules.desk_hours, default
    # 09:30-16:00) but at lunch: lunches start 12:00 to 13:30 and last 30 minutes, so 12:00-14:00 is the buddies'
    assert s.roster_rules.desk_hours == ("09:30", "16:00") and s.roster_rules.lunch_minutes == 30
    desk = [k for k, slot in enumerate(req.slots)
            if 9.5 * 60 <= slot * 30 < 16 * 60 and not 12 * 60 <= slot * 30 < 14 * 60]
    assert len(desk) == 9
    for d in "ABC":
        assert [k for k, n in enumerate(req.need[d]) if n] == desk and max(req.need[d]) == 1
    # the roster keeps each desk and the ring at its need in every half hour
    roster = solve(s, req, time_limit=10)
    assert roster is not None
    for d in "ABC":
        for by_day in roster.coverage[d].values():
            assert all(by_day[k] >= 30 for k in desk)
    # with desk_hours: null only the ring is staffed: fewer paid hours than a desk in each of A, B and C needs
    # at the least (present, so paid, in every covered half hour of the week)
    loose = parse_scenario({**ringed(), "roster_rules": {**ringed()["roster_rules"], "desk_hours": None}}, "<x>")
    loose_req = theory_requirements(loose)
    assert all(n == 0 for d in "ABC" for n in loose_req.need[d])
    free = solve(loose, loose_req, time_limit=10)
    assert free is not None
    ring_hours = sum(a.hours for a in free.working if a.person.departments[0] in "ABC")
    assert ring_hours < 3 * len(s.calendar.working_days) * len(req.slots) * 0.5
    for by_day in roster.coverage["A+B+C"].values():
        assert all(m >= 30 * n for m, n in zip(by_day, req.need["A+B+C"], strict=True))


def test_a_ring_department_failing_gets_its_own_desk_where_the_ring_answers_for_it() -> None:
    """The simulation-based correction for a department of a cover ring: its norm failing asks for one of its
    own first on the short half hours where it has no desk yet (the ring answers its calls there); a
    department norm adds nothing to the other departments; a sector norm adds to the ring, not to each desk."""
    from sim.decisions.rostering.search import Judged, RosterSearch
    from sim.decisions.staffing.norms import Target
    from sim.experiments.experiment import Runner
    from sim.experiments.store import ReplicationRecord

    s = parse_scenario(ringed(), "<ringed>")
    req = theory_requirements(s)
    search = RosterSearch(s, runner=cast(Runner, None))
    search.targets = [Target("calls_abandoned", "<=", 0.05, "A"), Target("calls_abandoned", "<=", 0.05)]
    noon, ten = 12 * 2, 10 * 2  # 12:00 (lunch, no desk of A's own) and 10:00 (A's desk)
    rows = [{"slot": slot, "offered": 10, "answered_within_norm": 5 if slot in (noon, ten) else 10}
            for slot in req.slots]
    record = ReplicationRecord("u", 0, 1, "h", {}, tables={"per_half_hour": rows})
    judged = Judged("search", {}, {"A:calls_abandoned": -0.02}, [record])
    assert search.corrections(judged, req) == {"A": {noon: 1}}
    judged = Judged("search", {}, {"calls_abandoned": -0.02}, [record])
    assert search.corrections(judged, req) == {"A+B+C": {noon: 1, ten: 1}, "D": {noon: 1, ten: 1}}


def test_keep_parsing() -> None:
    assert parse_keep("Olga.days=[wed,thu,fri]").days == ("wed", "thu", "fri")
    assert parse_keep("Olga.start=09:00").start == 540
    with pytest.raises(OptionError, match="give NAME.days") as bad:  # a user's mistake, named by its option
        parse_keep("Olga.hours=3")
    assert bad.value.key == "keep" and "--" not in str(bad.value)
    assert set(WEEKDAYS) >= {"wed"}


def peaked() -> dict[str, Any]:
    """A morning with a steep peak (six times the base rate for an hour) of impatient callers (30 s on
    average), 30% shrinkage, calls only. SIPP staffs each half hour as a stationary Erlang C queue of servers
    who are always there: it ignores the shrinkage blocks (a third fewer servers at the peak), abandonment and
    the queue carried over from one half hour into the next, so its roster, which 2-hour shifts let the solver
    fit exactly to the requirement, loses far more than 5% of the peak's callers. This does not hinge on a few
    seeds: the shortfall at the peak is about two servers of six."""
    return {
        "name": "peak", "run": {"days": 5, "warmup_days": 1, "seed": 11},
        "calendar": {"open": "08:00", "close": "12:00"},
        "organisation": {"setup": "decentralised", "departments": [{"name": "A", "staff": 100}],
                         "secretaries": [{"name": f"S{i}", "departments": ["A"], "start": "08:00", "end": "12:00",
                                          "lunch_minutes": 0} for i in range(4)]},
        "absence": {"sickness": {"share": 0.02}, "leave": {"days_per_year": 0},
                    "shrinkage": {"share": 0.3, "block_minutes": 30}},
        "demand": {"calls": {"per_staff_per_day": 1.0, "external_share": 0.5, "callback_share": 0.0,
                             "talk_minutes": {"dist": "exponential", "mean": 3},
                             "patience_seconds": {"dist": "exponential", "mean": 30},
                             "profile": {"start": "08:00", "slot_minutes": 30,
                                         "weights": [1, 1, 6, 6, 1, 1, 1, 1]}}},
        "norms": {"service_level_min": None, "occupancy_max": None},
        "roster_rules": {"shift_starts": ["08:00", "10:00"], "shift_hours": [2.0], "days_per_week": [1, 5],
                         "contract_change_hours": [-20, 20], "may_leave": True, "new_hire_hours": [2, 4, 6, 8, 10],
                         "max_new_hires_per_group": 16, "lunch_after_hours": 5.5},
    }


@pytest.mark.slow
def test_sipp_roster_misses_and_the_corrected_one_meets_on_fresh_seeds() -> None:  # about 30 s
    from sim.decisions.rostering.search import RosterSearch
    from sim.experiments.experiment import session
    from sim.experiments.store import ResultStore

    s = parse_scenario(peaked(), "<peak>")
    with session(ResultStore.open(None, "t", "roster"), workers=1, progress=False) as runner:
        search = RosterSearch(s, runner, replications=3, max_rounds=10, time_limit=10, workers=1)
        best = search.run()
    first = search.rounds[0]
    assert not first.judged[0].feasible, first.judged[0].margins  # SIPP alone misses
    assert best is not None, [r.row() for r in search.rounds]
    assert best.judged[-1].seeds == "fresh" and best.judged[-1].feasible
    assert best.roster.hours > first.roster.hours


def test_sipp_roster_misses_short_form() -> None:
    """The short form of the slow test above: the SIPP-only roster (round 1) misses the call norms."""
    from sim.decisions.rostering.search import RosterSearch
    from sim.experiments.experiment import session
    from sim.experiments.store import ResultStore

    s = parse_scenario(peaked(), "<peak>")
    with session(ResultStore.open(None, "t", "roster"), workers=1, progress=False) as runner:
        search = RosterSearch(s, runner, replications=2, max_rounds=1, time_limit=10, workers=1)
        assert search.run() is None
    assert "calls_abandoned" in search.rounds[0].judged[0].failing


def _case_results(folder: Path) -> Any:
    from sim.experiments.results import Results

    manifest = {"configs": [{"path": "configs/decentral.yaml", "name": "decentral"},
                            {"path": "configs/central.yaml", "name": "central"}],
                "target_specs": ["today", "continuity=off"]}
    return Results(folder, "staff", manifest, {}, [], [], {})


CASE = {"reference": "decentral", "basis": {"decentral": "today", "central": "today"},
        "setups": {"decentral": {"fte_least": {"mean": 12.0, "ci_low": 11.8, "ci_high": 12.2}},
                   "central": {"fte_least": {"mean": 9.3, "ci_low": 9.1, "ci_high": 9.4}}}}


def _roster_summary(folder: Path, **over: Any) -> None:
    import json

    data = {"kind": "roster", "setup": "central", "targets": ["today", "continuity=off"], "basis": "today",
            "met": True,
            "rounds": [{}, {}, {}], "today": {"setup": "decentral", "fte": 12.0, "cost_per_year": 744000.0},
            "roster": {"fte": 10.11, "cost_per_year": 626820.0}}
    data.update(over)
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(data))


def test_the_report_puts_the_optimised_roster_beside_the_demand_proportional_answer(tmp_path: Path) -> None:
    from sim.presentation.report import roster_lines

    # no roster run yet: the command that gives it, with this case's norms and today's organisation
    lines = roster_lines(_case_results(tmp_path), CASE)
    assert "sim roster configs/central.yaml --today configs/decentral.yaml --target today --target " \
           "continuity=off --out " + str(tmp_path / "roster-central") in lines
    _roster_summary(tmp_path / "roster-central")
    lines = roster_lines(_case_results(tmp_path), CASE)
    assert "central with an optimised roster" in lines and "needs 10.11 FTE against 9.3 [9.1, 9.4] FTE" in lines
    assert "3 rounds" in lines and "meets every norm on fresh seeds" in lines and "NOTE" not in lines


def test_a_roster_on_other_norms_or_another_today_is_flagged(tmp_path: Path) -> None:
    from sim.presentation.report import roster_lines

    _roster_summary(tmp_path / "a" / "r", targets=[])
    lines = html.unescape(roster_lines(_case_results(tmp_path / "a"), CASE))
    assert "NOTE: judged on other norms than this case (the config's norms against today, continuity=off)" in lines
    _roster_summary(tmp_path / "b" / "r", today={"setup": "central", "fte": 12.0, "cost_per_year": 1.0})
    lines = html.unescape(roster_lines(_case_results(tmp_path / "b"), CASE))
    assert "NOTE: today's service is central's, not decentral's as in this case" in lines


def test_a_roster_dearer_than_the_configs_own_is_not_presented_as_the_answer(tmp_path: Path) -> None:
    """The search starts from theory, not from the config's roster: when that roster meets every norm for less
    (decentral_cover: 19.4 FTE found against its own 12.0), the report and the command say to keep it."""
    from sim.cli.roster import text
    from sim.presentation.report import roster_lines

    over = {"config_is_cheaper": True, "config_as_staffed": {"fte": 12.0, "failing_on_fresh_seeds": []},
            "roster": {"fte": 19.42, "cost_per_year": 1204178.0}}
    _roster_summary(tmp_path / "r", **over)
    lines = html.unescape(roster_lines(_case_results(tmp_path), CASE))
    assert "NOTE: central as staffed in its config (12.00 FTE) also meets every norm and costs less" in lines
    import json

    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    s["roster"].update({"hours_per_week": 699.2, "solver": "FEASIBLE", "gap_hours": 173.6, "changes": 59})
    s.update({"sipp_only": {"hours_per_week": 611.2, "failing": []}, "max_rounds": 8, "rounds": [], "seconds": 1.0})
    s["today"].update({"hours_per_week": 432.0})
    assert "the config's own roster (12.00 FTE) also meets every norm on the fresh seeds and costs less: keep it" \
        in text(s, tmp_path)


def test_a_roster_in_a_staff_folder_is_set_against_sim_staffs_answer(tmp_path: Path) -> None:
    """Run in a subfolder of a ``sim staff`` folder, ``sim roster`` reads that folder's least FTE for its setup
    and says what the roster costs against it; elsewhere it says nothing of it."""
    import json

    from sim.cli.roster import staff_answer, text

    (tmp_path / "summary.json").write_text(json.dumps({"business_case": CASE}))
    st = staff_answer(tmp_path, "central")
    assert st == {"folder": str(tmp_path), "fte": 9.3, "fte_low": 9.1, "fte_high": 9.4, "cost_per_year": None}
    assert staff_answer(tmp_path, "nowhere") is None and staff_answer(tmp_path / "missing", "central") is None
    st["cost_per_year"] = 9.3 * 62_000
    summary = {"setup": "central", "met": True, "max_rounds": 12, "targets": [], "seconds": 1.0,
               "rounds": [{"round": 1, "hours": 352.8, "solver": "OPTIMAL", "seeds": "fresh", "meets_norms": True,
                           "worst_norm": "utilisation", "worst_margin": 0.01, "added": ""}],
               "today": {"setup": "decentral", "fte": 12.0, "cost_per_year": 744_000.0},
               "roster": {"fte": 9.8, "hours_per_week": 352.8, "cost_per_year": 9.8 * 62_000, "solver": "OPTIMAL",
                          "gap_hours": 0.0, "changes": 20},
               "sipp_only": {"hours_per_week": 460.0, "failing": []}, "staff": st}
    line = next(x for x in text(summary, tmp_path).splitlines() if x.startswith("sim staff's answer"))
    assert "9.30 FTE [9.10, 9.40]" in line and "+0.50 FTE, +31,000 a year" in line


def test_desk_hours_backwards_or_misspelt_are_refused_naming_the_field() -> None:
    from sim.config import ConfigError

    for value, said in ((["16:00", "09:30"], "the end, 09:30, is before the start, 16:00"),
                        (["9.30", "16:00"], "is not a clock time")):
        with pytest.raises(ConfigError, match="roster_rules.desk_hours") as err:
            parse_scenario(tiny(desk_hours=value), "<tiny>")
        assert said in str(err.value)
