"""The control variate of the per-department call norms (sim/decisions/staffing/control.py): the expected rostered
coverage computed without simulating equals the simulated one (exactly for a fixed roster, within its
confidence interval with absence and shrinkage), and the corrected share keeps its expectation with less
variance."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from conftest import CONFIGS

from sim.config import load_scenario, parse_scenario
from sim.core.kpi_tables import flatten_kpis
from sim.core.model import run_replication
from sim.decisions.staffing import Staffing, StaffingSearch, targets_for
from sim.decisions.staffing.control import controlled_share, expected_coverage, free_by_day
from sim.decisions.staffing.norms import department_shares, judge
from sim.experiments.store import ReplicationRecord


def absent_data() -> dict[str, Any]:
    """Three departments, part-timers with lunches, heavy absence and shrinkage, and one department whose phone
    a neighbour's secretary covers (she serves it too): every part of the expected coverage is exercised."""
    depts = [{"name": n, "staff": 20, "cluster": "C"} for n in "ABC"]
    secs = [
        {"name": "a1", "departments": ["A"], "start": "08:30", "end": "16:00", "lunch_start": "12:00"},
        {"name": "a2", "departments": ["A"], "start": "09:00", "end": "17:00", "lunch_start": "12:30",
         "days": ["mon", "wed", "fri"]},
        {"name": "b1", "departments": ["B"], "start": "08:30", "end": "17:00", "lunch_start": "13:00",
         "lunch_minutes": 45, "days": ["tue", "wed", "thu"]},
        {"name": "c1", "departments": ["C"], "start": "10:00", "end": "15:00", "lunch_start": "12:00"},
    ]
    return {
        "name": "absent", "run": {"days": 20, "warmup_days": 3, "seed": 5},
        "organisation": {"setup": "decentralised", "departments": depts, "secretaries": secs,
                         "cover": [{"department": "B", "by": "C"}]},
        "dispatch": {"exchange": {"policy": "none"}},
        "absence": {"sickness": {"share": 0.15, "episodes_per_fte_year": 4},
                    "leave": {"days_per_year": 40, "block_days": 3},
                    "shrinkage": {"share": 0.15, "block_minutes": 25}},
        "demand": {"calls": {"per_staff_per_day": 1.5, "profile": "flat",
                             "talk_minutes": {"dist": "exponential", "mean": 5},
                             "patience_seconds": {"dist": "exponential", "mean": 60}, "callback_share": 0},
                   "tasks": {"email": {"per_staff_per_day": 0.3,
                                       "work_minutes": {"dist": "exponential", "mean": 6},
                                       "norm_working_hours": 8.5}}},
    }


def rostered(scenario: Any, seed: int) -> dict[str, float]:
    return {r["department"]: r["coverage_rostered"] for r in run_replication(scenario, seed).tables["per_department"]}


def test_a_fixed_roster_gives_exactly_the_expected_coverage() -> None:
    """Without absence or shrinkage the roster fixes who is at work: the simulated rostered coverage is the
    expected one (to rounding), on the shipped buddy-cover config, while the plain coverage may be higher (a
    call keeps a secretary past the start of her lunch)."""
    sc = load_scenario(CONFIGS / "decentral_cover.yaml", ["run.days=5", "absence.sickness.share=0",
                                                         "absence.leave.days_per_year=0", "absence.shrinkage.share=0"])
    expected = expected_coverage(sc)
    rows = run_replication(sc, 1).tables["per_department"]
    for r in rows:
        assert r["coverage_rostered"] == pytest.approx(expected[r["department"]], abs=1e-9), r["department"]
        assert r["coverage"] >= r["coverage_rostered"] - 1e-12


def test_expected_coverage_is_the_simulated_mean_with_absence_and_shrinkage() -> None:
    """Absence (its chain from the roster's start state), part-timers' days, lunches, shrinkage blocks and a
    buddy who serves a second department: the mean over 400 replications lies within 4 standard errors of
    the computed expectation in every department."""
    sc = parse_scenario(absent_data())
    expected = expected_coverage(sc)
    runs = [rostered(sc, seed) for seed in range(100, 500)]
    for d, mu in expected.items():
        x = np.array([r[d] for r in runs])
        se = x.std(ddof=1) / np.sqrt(len(x))
        assert se > 0, d
        assert abs(x.mean() - mu) <= 4 * se, (d, x.mean(), mu, se)


def test_the_absence_chain_matches_its_stated_shares() -> None:
    """Far from the start, a secretary is neither ill nor on leave the share of days the two processes leave
    (both rarer than stated because each blocks the other, as the roster does), and every day's chance is a
    probability."""
    sc = parse_scenario(absent_data())
    free = free_by_day(sc, 2000)
    assert np.all((free >= 0) & (free <= 1))
    assert 1 - 0.15 - 40 / 260 <= free[-1] <= 1 - max(0.15, 40 / 260)
    assert free[-1] == pytest.approx(free[-2], abs=1e-12)  # stationary


def test_the_corrected_share_keeps_its_expectation_with_less_variance() -> None:
    """Over 60 independent samples of 5 replications each, the control-variate estimate of a department's
    abandoned share has the same mean as the plain pooled share (within their joint interval) and a smaller
    spread."""
    data = absent_data()
    sc = parse_scenario(data)
    expected = expected_coverage(sc)["A"]
    plain, corrected = [], []
    seed = 1000
    for _ in range(60):
        rows = []
        for _ in range(5):
            rows.append(next(r for r in run_replication(sc, seed).tables["per_department"] if r["department"] == "A"))
            seed += 1
        offered = [r["calls_offered"] for r in rows]
        abandoned = [r["calls_abandoned"] * r["calls_offered"] for r in rows]
        plain.append(sum(abandoned) / sum(offered))
        est = controlled_share(abandoned, offered, [r["coverage_rostered"] for r in rows], expected)
        assert est is not None
        corrected.append(est)
    p, c = np.array(plain), np.array(corrected)
    diff = c - p
    assert abs(diff.mean()) <= 4 * diff.std(ddof=1) / np.sqrt(len(diff))
    assert c.var(ddof=1) < 0.6 * p.var(ddof=1), (c.var(ddof=1), p.var(ddof=1))


def test_judge_uses_the_control_variate_only_when_asked() -> None:
    """Department call norms are judged on the corrected share when the expected coverage is given (the
    search does so unless norms.control_variate is false); without it, on the plain pooled share."""
    data = absent_data()
    sc = parse_scenario(data)
    targets = targets_for(sc)
    records = [ReplicationRecord("u", i, i, "", flatten_kpis(r.kpi), tables=r.tables)
               for i, r in enumerate(run_replication(sc, 7 + k) for k in range(6))]
    plain = department_shares(records)
    _, margins = judge(records, targets)
    _, corrected = judge(records, targets, expected=expected_coverage(sc))
    assert margins["A:calls_abandoned"] == pytest.approx(0.05 - plain["A"]["calls_abandoned"])
    assert corrected["A:calls_abandoned"] != margins["A:calls_abandoned"]
    assert corrected["A:tasks_within_norm"] == margins["A:tasks_within_norm"]  # tasks: no control
    off = copy.deepcopy(data)
    off["norms"] = {"control_variate": False}
    search = StaffingSearch(parse_scenario(off), targets, None, 6, 1)  # type: ignore[arg-type]
    on = StaffingSearch(sc, targets, None, 6, 1)  # type: ignore[arg-type]
    assert search.expected(Staffing.of(search.scenario)) is None
    assert on.expected(Staffing.of(sc)) == expected_coverage(sc)
