"""Calibration from logs: the round trip (simulate known demand, log it, calibrate, recover it within sampling
error), censored patience against the naive fit, the fitting functions, and the command line."""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import ROOT
from scipy import stats
from support.calibrate import FACTOR, STAFF, TRUE, known_demand

from sim import load_scenario, run_replication
from sim.config import OFFICE_PROFILE, ConfigError, parse_scenario
from sim.data.calibration import (
    calibrate,
    fit_durations,
    fit_patience,
    parse_mapping,
    read_calls,
    read_meetings,
    read_table,
    read_tasks,
)
from sim.data.request_log import RequestLog

Z = 3.5  # tolerance in standard errors (fixed seeds; a correct estimator fails a check about 1 time in 2000)


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    scenario = parse_scenario(known_demand(days=40))
    path = tmp_path_factory.mktemp("log") / "requests.csv"
    with path.open("w", newline="") as fh:
        result = run_replication(scenario, request_log=RequestLog(scenario, fh))
    assert result.kpi["calls_abandoned"] > 0.03  # patience really censors: callers abandon
    table = read_table(path)
    call_map, task_map = parse_mapping([])
    # the config the analyst starts from knows the organisation, not the demand: the built-in defaults
    start = known_demand(days=40)
    start["demand"] = load_scenario(ROOT / "configs" / "central.yaml").demand.model_dump(mode="json")
    cal = calibrate(parse_scenario(start), read_calls(table, call_map), read_tasks(table, task_map),
                    meetings=read_meetings(table))
    return scenario, cal


def test_roundtrip_recovers_arrival_rates_per_department(roundtrip: tuple[Any, Any]) -> None:
    scenario, cal = roundtrip
    days = scenario.run.days + scenario.run.warmup_days
    assert cal.days == days
    factor = {e.path.split(".")[2]: e.value for e in cal.estimates if e.path.endswith("demand_factor")}
    for kind, true in (("calls", TRUE["calls"]), ("tasks.email", TRUE["email"])):
        per_staff = cal.estimate(f"demand.{kind}.per_staff_per_day").value
        for d, staff, f in zip(scenario.organisation.departments, STAFF, FACTOR, strict=True):
            expected = true * staff * f  # per working day
            se = math.sqrt(expected / days)
            got = per_staff * staff * factor[d.name]
            assert abs(got - expected) <= Z * se + 0.01 * expected, (kind, d.name, got, expected, se)


def test_roundtrip_recovers_the_intraday_profile_and_batches(roundtrip: tuple[Any, Any]) -> None:
    _, cal = roundtrip
    prof = cal.profiles["calls"]
    assert prof["new"]["start"] == OFFICE_PROFILE.start and prof["new"]["slot_minutes"] == 30
    observed = np.zeros(len(OFFICE_PROFILE.weights))
    observed[: len(prof["observed"])] = prof["observed"]
    true = np.array(OFFICE_PROFILE.weights) / sum(OFFICE_PROFILE.weights) * observed.sum()
    chi2 = float(((observed - true) ** 2 / true).sum())
    assert stats.chi2.sf(chi2, len(true) - 1) > 0.001, chi2
    assert cal.demand["tasks"]["post"]["arrivals"] == "batches"
    assert cal.demand["tasks"]["post"]["batch_times"] == ["09:00", "13:30"]
    assert cal.demand["tasks"]["email"]["arrivals"] == "spread"


def test_roundtrip_recovers_the_talk_time_distribution(roundtrip: tuple[Any, Any]) -> None:
    _, cal = roundtrip
    best = cal.fits["talk_minutes"][0]
    assert best.family == "lognormal"
    assert abs(best.mean - TRUE["talk_mean"]) <= Z * best.se_mean
    assert abs(best.cv - TRUE["talk_cv"]) <= Z * best.se_cv
    assert cal.demand["calls"]["talk_minutes"]["dist"] == "lognormal"


def test_roundtrip_patience_censored_estimate_is_unbiased_and_the_naive_one_is_not(roundtrip: tuple[Any, Any]) -> None:
    _, cal = roundtrip
    exp_fit = next(f for f in cal.fits["patience_seconds"] if f.family == "exponential")
    assert abs(exp_fit.mean - TRUE["patience"]) <= Z * exp_fit.se_mean, exp_fit
    # the naive mean of abandoned waits only sees the impatient: far below the truth
    assert cal.naive_patience_seconds < TRUE["patience"] - 5 * exp_fit.se_mean
    share = cal.estimate("demand.calls.callback_share")
    assert abs(share.value - TRUE["callback"]) <= Z * share.se + 0.001


def test_roundtrip_recovers_the_meetings(roundtrip: tuple[Any, Any]) -> None:
    _, cal = roundtrip
    rate = cal.estimate("demand.meetings.per_department_per_week")
    assert abs(rate.value - TRUE["meetings"]) <= Z * rate.se, rate
    assert cal.demand["meetings"]["duration_minutes"] == {"dist": "deterministic", "mean": 60.0, "cv": 0.0}
    assert "09:00" <= cal.demand["meetings"]["earliest_start"] <= cal.demand["meetings"]["latest_start"] <= "15:00"


def test_what_cannot_be_estimated_is_kept_and_listed(roundtrip: tuple[Any, Any]) -> None:
    _, cal = roundtrip
    assert any("norm_seconds" in item for item in cal.not_estimated)
    assert cal.demand["calls"]["norm_seconds"] == 20  # as in the config it started from
    assert cal.demand["tasks"]["email"]["norm_working_hours"] == 17


# ------------------------------------------------------------------------------------------------ fitting
def test_fit_durations_picks_the_family_that_generated_the_data() -> None:
    rng = np.random.default_rng(5)
    for family, sample in (("gamma", rng.gamma(2.0, 3.0, 4000)), ("exponential", rng.exponential(5.0, 4000)),
                           ("lognormal", rng.lognormal(1.0, 0.6, 4000))):
        fits = fit_durations(sample)
        assert fits[0].family == family, [(f.family, f.aic) for f in fits]
        assert abs(fits[0].mean - sample.mean()) <= 3 * fits[0].se_mean


def test_exponential_patience_from_censored_data_is_closed_form() -> None:
    rng = np.random.default_rng(3)
    patience = rng.exponential(80.0, 20_000)
    wait = rng.exponential(40.0, 20_000)  # the wait a caller would have until answered
    abandoned = patience < wait
    fits = fit_patience(patience[abandoned], wait[~abandoned])
    exp_fit = next(f for f in fits if f.family == "exponential")
    assert exp_fit.mean == pytest.approx((patience[abandoned].sum() + wait[~abandoned].sum()) / abandoned.sum())
    assert abs(exp_fit.mean - 80.0) <= Z * exp_fit.se_mean
    assert patience[abandoned].mean() < 40  # the naive estimate


# ------------------------------------------------------------------------------------------------ input
def test_a_telephony_export_with_its_own_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Begintijd;Wachtrij;Wachttijd (s);Gespreksduur;Resultaat\n"
                    "06-01-2025 09:01:00;Noord;12;0:03:10;Beantwoord\n"
                    "06-01-2025 09:05:30;Noord;45,5;;Opgehangen\n"
                    "06-01-2025 18:05:30;Oost;0;;Voicemail\n", encoding="utf-8")
    calls_map, _ = parse_mapping(["calls.timestamp=Begintijd", "calls.department=Wachtrij",
                                  "calls.wait=Wachttijd (s)", "calls.talk=Gespreksduur", "calls.outcome=Resultaat",
                                  "calls.answered=Beantwoord", "calls.abandoned=Opgehangen",
                                  "calls.voicemail=Voicemail"])
    calls = read_calls(read_table(path), calls_map)
    assert list(calls.outcome) == [0, 1, 1] and list(calls.callback) == [0, 0, 1]  # voicemail by outcome
    assert calls.talk[0] == pytest.approx(3 + 10 / 60) and calls.wait[1] == pytest.approx(45.5)
    bad = tmp_path / "bad.csv"
    bad.write_text("arrival,department,outcome\n2025-01-06 09:00:00,Noord,answered\n"
                   "2025-01-06 09:00:00,Noord,maybe\n")
    with pytest.raises(ConfigError, match=r"bad.csv: row 3, column 'outcome': 'maybe' is not a known outcome"):
        read_calls(read_table(bad), parse_mapping([])[0])
    bad.write_text("when,department\n2025-01-06 09:00:00,Noord\n")
    with pytest.raises(ConfigError, match="needs a column 'arrival'; the columns are: when, department"):
        read_calls(read_table(bad), parse_mapping([])[0])


def test_cli_calibrate_the_shipped_example_and_run_the_result(tmp_path: Path) -> None:
    """The documented example files (h:mm:ss waits, mm:ss talk times, the mail system's own type labels mapped by
    a table, Easter Monday closed): sim calibrate writes a config that runs as it is, and today's KPIs."""
    pytest.importorskip("holidays")
    example = ROOT / "examples"
    args = shlex.split((example / "calibrate-example.args").read_text())
    out = tmp_path / "cal"
    proc = subprocess.run([sys.executable, "-m", "sim", "calibrate", "configs/decentral.yaml", *args, "--out",
                           str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    for name in ("demand.yaml", "calibrated.yaml", "report.md", "calibration.json", "measured.csv",
                 "profile_calls.png", "qq_talk_minutes.png", "patience.png"):
        assert (out / name).exists(), name
    demand = yaml.safe_load((out / "demand.yaml").read_text())["demand"]
    assert abs(demand["calls"]["patience_seconds"]["mean"] - 60) < 10  # simulated with 60 s
    assert "2025-04-21: Easter Monday" in proc.stdout and "Wachttijd as h:mm:ss" in proc.stdout
    assert set(demand["tasks"]) == {"email", "post", "crm", "custom", "legacy", "coordination"}  # labels mapped
    assert abs(demand["calls"]["callback_share"] - 0.7) < 0.15  # simulated with 0.7, about 90 unanswered calls
    # the calibrated inputs carry their standard errors into sim uncertainty: estimate +- 1.96 se, from
    # calibration.json, and the assumed factors they replace are withdrawn
    from sim.config import load_scenario
    from sim.decisions.uncertainty import inputs_of

    calibrated = load_scenario(out / "calibrated.yaml")
    estimates = {e["path"]: e for e in json.loads((out / "calibration.json").read_text())["estimates"]}
    talk = calibrated.uncertainty["demand.calls.talk_minutes.mean"]
    e = estimates["demand.calls.talk_minutes"]
    assert talk.distribution == "normal" and not talk.relative and "sim calibrate" in talk.source
    assert (talk.low + talk.high) / 2 == pytest.approx(e["value"]["mean"], rel=1e-4)
    assert (talk.high - talk.low) / 2 == pytest.approx(1.96 * e["se"], rel=1e-4)
    rate = calibrated.uncertainty["demand.calls.per_staff_per_day"]  # the sector's relative entry, replaced
    assert not rate.relative and rate.mode is None and rate.low < estimates["demand.calls.per_staff_per_day"]["value"]
    assert not {"talk", "patience", "work", "demand"} & set(calibrated.uncertainty)  # measured, not assumed
    assert {"occupancy", "shrinkage", "cost_per_fte"} <= set(calibrated.uncertainty)  # still assumptions
    assert {i.key for i in inputs_of({"reference": calibrated})} == set(calibrated.uncertainty)
    run = subprocess.run([sys.executable, "-m", "sim", "run", str(out / "calibrated.yaml"), "--days", "2",
                          "--set", "run.warmup_days=1", "--measured", str(out / "measured.csv"),
                          "--measured-replications", "40",
                          "--out", str(tmp_path / "run")],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "today (measured over 14 working days) against the model" in run.stdout
    assert (tmp_path / "run" / "measured_vs_simulated.csv").exists()
    bad = subprocess.run([sys.executable, "-m", "sim", "calibrate", "configs/central.yaml", "--calls",
                          str(example / "telephony_export.csv")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "needs a column 'arrival'" in bad.stderr and "Traceback" not in bad.stderr
