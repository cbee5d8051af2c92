"""Experiments: seeds, intervals that cover a known mean, common random numbers, compare, sweep, precision."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CONFIGS

import sim.experiments.output
from sim.config import ConfigError, Scenario, load_scenario, parse_scenario
from sim.experiments.executors import SerialExecutor
from sim.experiments.experiment import compare, parse_vary, replication_seed, setup_names, sweep

SHORT = ["run.days=3", "run.warmup_days=1"]


def round_the_clock(calls_per_day: float = 60.0, days: int = 1, servers: int = 1) -> Scenario:
    """A stationary round-the-clock call queue (M/M/c): one department, 'servers' secretaries on duty 24/7."""
    return parse_scenario({
        "name": "mmc", "run": {"days": days, "warmup_days": 1},
        "calendar": {"working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "open": "00:00",
                     "close": "24:00"},
        "organisation": {"setup": "central", "departments": [{"name": "D", "staff": 1, "cluster": "C"}],
                         "secretaries": [{"name": f"S{i}", "departments": ["D"], "start": "00:00",
                                          "end": "24:00", "lunch_minutes": 0} for i in range(servers)]},
        "dispatch": {"exchange": {"policy": "pool"}},
        "absence": {"sickness": {"share": 0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": {"per_staff_per_day": calls_per_day,
                             "profile": {"start": "00:00", "slot_minutes": 60, "weights": [1] * 24},
                             "talk_minutes": {"dist": "exponential", "mean": 10}, "custom_share": 0,
                             "callback_share": 0}},
    })


# ---------------------------------------------------------------------------------------------- seeds
def test_csv_columns_are_the_union_of_the_rows_in_first_seen_order(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The one CSV writer of experiments and runs: a column that only later rows have gets its place in the
    header, earlier rows an empty cell; also once the spool has moved to disk, and with quotes and newlines."""
    # the spool rolls over to a file after a row or two
    monkeypatch.setattr(sim.experiments.output, "CSV_SPOOL_BYTES", 64)
    rows: list[dict[str, Any]] = [{"setup": f"s{i}", "kpi": "reachability", "value": i / 7} for i in range(20)]
    rows.append({"setup": 'a "quoted",\nname', "value": None, "note": "late"})
    rows.append({"extra": 1.5, "kpi": "x"})
    sim.experiments.output.write_csv(tmp_path, "t.csv", iter(rows))
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["setup", "kpi", "value", "note", "extra"]
        back = list(reader)
    assert len(back) == len(rows)
    for want, got in zip(rows, back, strict=True):
        assert got == {k: "" if want.get(k) is None else str(want[k]) for k in reader.fieldnames}
    assert sim.experiments.output.csv_text(rows) == (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert sim.experiments.output.csv_text([]) == ""


def test_replication_seeds_come_from_a_seed_sequence() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        assert replication_seed(42, i) == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
    seeds = [replication_seed(42, i) for i in range(50)]
    assert len(set(seeds)) == 50 and all(0 <= s < 2**63 for s in seeds)
    # independent streams (no common random numbers) differ from the common ones and from each other
    assert replication_seed(42, 0, stream=0) != replication_seed(42, 0) != replication_seed(42, 0, stream=1)
    assert replication_seed(42, 3) != replication_seed(43, 3)


def test_setup_names_are_unique() -> None:
    s = load_scenario(CONFIGS / "central.yaml", SHORT)
    assert setup_names([s, s, s]) == ["central", "central-2", "central-3"]


# ------------------------------------------------------------------------------------------- coverage
def test_interval_covers_the_exact_mean_at_about_95_percent(runslow: bool) -> None:
    """Calls offered per day in a round-the-clock Poisson stream has the exact mean 60. Many small
    experiments (3 replications each, their own base seed): the share of 95% intervals that cover 60 is
    binomial(trials, 0.95)."""
    trials = 1000 if runslow else 150
    scenario = round_the_clock(60.0)
    covered = 0
    for base in range(trials):
        s = compare([scenario], replications=3, seed=1000 + base, workers=1).summaries()["mmc"]
        k = s["calls_offered_per_day"]
        assert k.n == 3
        covered += k.ci_low <= 60.0 <= k.ci_high
    share = covered / trials
    assert abs(share - 0.95) <= 3 * math.sqrt(0.95 * 0.05 / trials) + 1 / trials


# -------------------------------------------------------------------------------- common random numbers
def test_common_random_numbers_narrow_the_interval_on_a_difference() -> None:
    """The central setup with and without task exchange, compared on the same seeds and on independent
    seeds: with common random numbers both setups face the same calls, mail and absences, so the interval on
    the difference in utilisation and in the e-mail service level is far narrower (measured: 0.29 and 0.10
    times the width with independent seeds)."""
    a = load_scenario(CONFIGS / "central.yaml", ["run.days=5", "run.warmup_days=1"])
    b = load_scenario(CONFIGS / "central.yaml", ["run.days=5", "run.warmup_days=1",
                                                  "dispatch.exchange.policy=none"])
    half: dict[tuple[bool, str], float] = {}
    for crn in (True, False):
        res = compare([a, b], replications=8, seed=5, workers=1, crn=crn)
        seeds = {u.key: [r.seed for r in res.records if r.unit == u.key] for u in res.units}
        assert (seeds["central"] == seeds["central-2"]) is crn
        for kpi in ("utilisation", "service_level.email"):
            d = res.differences()["central-2"][kpi]
            assert d.n == 8
            half[crn, kpi] = (d.ci_high - d.ci_low) / 2
    assert half[True, "utilisation"] < 0.5 * half[False, "utilisation"]
    assert half[True, "service_level.email"] < 0.5 * half[False, "service_level.email"]


def test_a_setup_against_itself_differs_by_exactly_zero() -> None:
    s = load_scenario(CONFIGS / "central.yaml", SHORT)
    res = compare([s, s], replications=3, workers=1)
    for kpi, d in res.differences()["central-2"].items():
        if d.n:
            assert d.mean == 0 and d.ci_low == 0 and d.ci_high == 0 and not d.significant, kpi


# -------------------------------------------------------------------------------------------- compare
def test_compare_summary_shape_and_tidy_frames() -> None:
    dec = load_scenario(CONFIGS / "decentral.yaml", SHORT)
    cen = load_scenario(CONFIGS / "central.yaml", SHORT)
    res = compare([dec, cen], replications=3, workers=1)
    data = res.summary()
    assert set(data["setups"]) == {"decentral", "central"} and data["replications"] == 3 and data["seed"] == 1
    reach = data["setups"]["central"]["reachability"]
    assert set(reach) == {"mean", "ci_low", "ci_high", "sd", "n", "method"}
    assert reach["ci_low"] <= reach["mean"] <= reach["ci_high"]
    diff = data["differences"]["central"]["reachability"]
    assert {"mean", "ci_low", "ci_high", "significant"} <= set(diff)
    values = {s: res.values(s, "reachability") for s in ("decentral", "central")}
    assert diff["mean"] == pytest.approx(np.mean(np.subtract(values["central"], values["decentral"])))
    frame = res.kpis_frame()
    assert list(frame.columns) == ["setup", "replication", "seed", "kpi", "value"]
    assert len(frame) == 2 * 3 * len(res.kpi_names())
    assert sorted(set(frame["seed"])) == sorted(replication_seed(1, i) for i in range(3))
    per_dept = res.table_frame("per_department")
    assert list(per_dept.columns[:3]) == ["setup", "replication", "department"] and len(per_dept) == 2 * 3 * 9
    summary = res.summary_frame()
    row = summary[(summary.setup == "central") & (summary.kpi == "reachability")].iloc[0]
    assert row["mean"] == reach["mean"]


def test_precision_stops_where_a_sequential_run_would_whatever_the_width_of_the_rounds() -> None:
    s = round_the_clock(60.0)

    class Wide(SerialExecutor):
        parallelism = 7

    goal = ("calls_offered_per_day", 0.05)
    narrow = compare([s], replications=60, seed=3, executor=SerialExecutor(), precision=goal)
    wide = compare([s], replications=60, seed=3, executor=Wide(), precision=goal)
    assert narrow.replications == wide.replications
    assert narrow.summary() == wide.summary()
    info = narrow.summary()["precision"]
    assert info["reached"]
    k = narrow.summaries()["mmc"]["calls_offered_per_day"]
    assert (k.ci_high - k.ci_low) / 2 / k.mean <= 0.05
    assert narrow.replications == info["solution"]["mmc"] + 5  # the look-ahead of Hoad et al.
    with pytest.raises(ConfigError):
        compare([s], replications=10, workers=1, precision=("no_such_kpi", 0.1))


# ---------------------------------------------------------------------------------------------- sweep
def test_parse_vary() -> None:
    assert parse_vary("dispatch.exchange.policy=none,idle,pool") == ("dispatch.exchange.policy",
                                                                     ["none", "idle", "pool"])
    assert parse_vary("calendar.working_days=[mon,tue],[wed]") == ("calendar.working_days",
                                                                  ["[mon,tue]", "[wed]"])
    for bad in ("novalue", "x=", "=1,2", "x=1,,2", "x=1,1"):
        with pytest.raises(ConfigError):
            parse_vary(bad)


def test_sweep_runs_the_full_grid_in_order_with_common_seeds() -> None:
    vary: dict[str, Any] = {"dispatch.exchange.policy": ["none", "pool"],
                            "demand.calls.per_staff_per_day": [0.2, 0.4]}
    res = sweep(CONFIGS / "central.yaml", vary, replications=2, overrides=SHORT, workers=1)
    settings = [(u.labels["dispatch.exchange.policy"], u.labels["demand.calls.per_staff_per_day"])
                for u in res.units]
    assert settings == [("none", 0.2), ("none", 0.4), ("pool", 0.2), ("pool", 0.4)]
    assert res.units[3].scenario.dispatch.exchange.policy == "pool"
    assert res.units[3].scenario.demand.calls.per_staff_per_day == 0.4
    frame = res.kpis_frame()
    assert list(frame.columns) == ["setup", "dispatch.exchange.policy", "demand.calls.per_staff_per_day",
                                   "replication", "seed", "kpi", "value"]
    assert len(frame) == 4 * 2 * len(res.kpi_names())
    assert frame.groupby("replication")["seed"].nunique().tolist() == [1, 1]  # common random numbers
    data = res.summary()
    assert [s["setting"] for s in data["settings"]][1] == {"dispatch.exchange.policy": "none",
                                                          "demand.calls.per_staff_per_day": 0.4}
    # more calls, more of them offered: the same seeds make this hold replication by replication
    offered = {k: res.values(k, "calls_offered_per_day") for k in (res.units[0].key, res.units[1].key)}
    assert all(b > a for a, b in zip(offered[res.units[0].key], offered[res.units[1].key], strict=True))


def test_sweep_rejects_a_bad_path() -> None:
    with pytest.raises(ConfigError):
        sweep(CONFIGS / "central.yaml", {"dispatch.exchange.polcy": ["none"]}, replications=1,
              overrides=SHORT, workers=1)
