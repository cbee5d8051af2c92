"""`sim validate`: the model against queueing theory. The quick mode passes, a broken model fails it, the
statistics behind the pass rule are right, and the command line keeps its promises."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from conftest import CONFIGS, ROOT
from scipy import stats

import sim.experiments.validate as validate_module
from sim.cli.validate import validate as validate_cmd
from sim.config import OFFICE_PROFILE, Scenario, apply_overrides, parse_scenario
from sim.experiments.validate import (
    CASES,
    Estimate,
    Identity,
    Row,
    example_configs,
    finish,
    hourly_mass,
    pearson,
    replication_seeds,
    t_interval,
    thinning_counts,
    validate,
    warmup_days,
)

CASE_NAMES = {name for name, _ in CASES.values()}


def with_override(scenario: Scenario, path: str, change: Any) -> Scenario:
    """``scenario`` with one field replaced by ``change(old value)``."""
    data = scenario.model_dump(mode="json")
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    return parse_scenario(apply_overrides(data, [f"{path}={json.dumps(change(node[last]))}"], "<test>"))


def talk_times_times(factor: float) -> Any:
    """A broken model: talk times ``factor`` times longer than the theory is told."""
    return lambda s: with_override(s, "demand.calls.talk_minutes.mean", lambda m: m * factor)


def impatience_ignored(scenario: Scenario) -> Scenario:
    """A broken model: callers never hang up."""
    return with_override(scenario, "demand.calls.patience_seconds", lambda _: None)


@pytest.fixture(scope="module")
def quick_rows() -> list[Row]:
    return validate("quick")


# ------------------------------------------------------------------------------------- the quick mode
def test_quick_mode_passes_every_case(quick_rows: list[Row]) -> None:
    assert {r.case for r in quick_rows} == CASE_NAMES
    failed = [(r.case, r.quantity, r.params, r.theory, r.mean, r.ci_low, r.ci_high) for r in quick_rows
              if not r.passed]
    assert not failed


def test_quick_mode_compares_the_promised_quantities(quick_rows: list[Row]) -> None:
    quantities = {(r.case, r.quantity.split(",")[0]) for r in quick_rows}
    for case, quantity in [("Erlang C", "P(wait)"), ("Erlang C", "service level P(W <= t)"),
                           ("Erlang C", "utilisation"), ("Erlang A", "P(abandon)"), ("Erlang A", "P(wait)"),
                           ("Pooling", "P(wait)"), ("Call blending", "back-office throughput (tasks/min)")]:
        assert (case, quantity) in quantities
    assert any(r.quantity.startswith("Wq") for r in quick_rows if r.case == "Erlang C")
    little = {(r.params["config"], r.params["queue"]) for r in quick_rows if r.case == "Little's law"}
    for path in sorted(CONFIGS.glob("*.yaml")):
        assert (path.name, "all") in little
        assert any(cfg == path.name and q.startswith("calls/") for cfg, q in little)
        assert any(cfg == path.name and q.startswith("tasks/") for cfg, q in little)


def test_intervals_are_simultaneous_95_percent(quick_rows: list[Row]) -> None:
    statistical = [r for r in quick_rows if r.level is not None]
    m = len(statistical)
    assert m >= 20
    for r in statistical:
        assert r.level == pytest.approx(1 - 0.05 / m)
        assert r.ci_low is not None and r.ci_high is not None and r.ci_low <= r.mean <= r.ci_high
    for r in quick_rows:
        if r.level is None:  # Little's law identities: not statistical
            assert r.case == "Little's law"


# ------------------------------------------------------------------------------------ a broken model
@pytest.mark.parametrize("factor", [2.0, 1.15])
def test_talk_times_longer_than_the_theory_assumes_fail_erlang_c(factor: float) -> None:
    rows = validate("quick", cases=["erlang_c"], transform=talk_times_times(factor))
    failed = {r.quantity for r in rows if not r.passed}
    assert "P(wait)" in failed and "utilisation" in failed
    assert any(q.startswith("Wq") for q in failed)


def test_callers_who_never_hang_up_fail_erlang_a() -> None:
    rows = validate("quick", cases=["erlang_a"], transform=impatience_ignored)
    failed = {r.quantity for r in rows if not r.passed}
    assert "P(abandon)" in failed and "P(wait)" in failed


def test_the_transform_reaches_the_model_not_the_theory() -> None:
    right = validate("quick", cases=["erlang_c"], replications=2)
    broken = validate("quick", cases=["erlang_c"], replications=2, transform=talk_times_times(2.0))
    assert [r.theory for r in right] == [r.theory for r in broken]
    assert [r.mean for r in right] != [r.mean for r in broken]


# ------------------------------------------------------------------------------------- the statistics
def test_t_interval_is_the_student_t_interval() -> None:
    x = [0.52, 0.55, 0.58, 0.51, 0.60]
    mean, lo, hi = t_interval(x, 0.05)
    ref = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert mean == pytest.approx(np.mean(x))
    assert (lo, hi) == pytest.approx(ref)


def test_bonferroni_level_and_pass_rules() -> None:
    params = {"c": 1, "lam": 0.5, "mu": 1.0, "time_unit": "minute"}
    checks = [
        Estimate("X", "inside", params, (0.9, 1.0, 1.1), 1.0),
        Estimate("X", "outside", params, (0.9, 1.0, 1.1), 5.0),
        Estimate("X", "range met", params, (0.9, 1.0, 1.1), None, 1.05, 3.0),
        Estimate("X", "range missed", params, (0.9, 1.0, 1.1), None, 2.0, 3.0),
        Identity("X", "identity", params, (1.0,), (1.0 + 1e-13,), False, "identity"),
        Identity("X", "identity broken", params, (1.0,), (1.001,), False, "identity"),
        Identity("X", "one-sided", params, (2.0,), (1.0,), True, "L >= lambda W"),
    ]
    rows = {r.quantity: r for r in finish(checks)}
    assert rows["inside"].level == pytest.approx(1 - 0.05 / 4)  # four statistical checks
    assert rows["identity"].level is None
    verdicts = [rows[q].passed for q in ("inside", "outside", "range met", "range missed")]
    assert verdicts == [True, False, True, False]
    assert rows["identity"].passed and not rows["identity broken"].passed and rows["one-sided"].passed
    wide = finish(checks[:1])[0]
    assert rows["inside"].ci_high > wide.ci_high  # more rows, wider intervals


def test_dispersion_check_tells_poisson_from_overdispersed_counts() -> None:
    rng = np.random.default_rng(5)
    mean = np.array([0.5, 2.0, 8.0])
    for counts, poisson in ((rng.poisson(mean, size=(4000, 3)), True),
                            (rng.negative_binomial(2, 2 / (2 + mean), size=(4000, 3)), False)):
        value = pearson(counts.astype(float), np.broadcast_to(mean, counts.shape)) / counts.size
        sd = np.sqrt(4000 * np.sum(2 + 1 / mean)) / counts.size
        region = (1 - 3.5 * sd, 1 + 3.5 * sd)
        assert (region[0] <= value <= region[1]) == poisson


def test_thinning_counts_follow_the_profile() -> None:
    counts = thinning_counts(300, 100.0, OFFICE_PROFILE, seed=3)
    assert counts.shape == (300, len(OFFICE_PROFILE.weights))
    expected = 300 * 100.0 * np.array(OFFICE_PROFILE.weights) / sum(OFFICE_PROFILE.weights)
    assert stats.chi2.sf(pearson(counts.sum(axis=0), expected), counts.shape[1]) > 1e-4


def test_hourly_mass_of_the_office_profile() -> None:
    mass = hourly_mass(OFFICE_PROFILE)
    w = np.array(OFFICE_PROFILE.weights) / sum(OFFICE_PROFILE.weights)
    assert mass.sum() == pytest.approx(1.0)
    assert mass[:8].sum() == 0 and mass[18:].sum() == 0
    assert mass[8] == pytest.approx(w[0] + w[1]) and mass[17] == pytest.approx(w[18] + w[19])


def test_replication_seeds_are_reproducible_and_distinct() -> None:
    seeds = replication_seeds(1, 50)
    assert seeds == replication_seeds(1, 50) and len(set(seeds)) == 50
    assert all(0 <= s < 2**63 for s in seeds)
    assert replication_seeds(2, 3) != seeds[:3]


def test_warmup_covers_ten_relaxation_times() -> None:
    assert warmup_days(5, 5 * 0.8 / 3, 1 / 3) == 1  # relaxation about 54 minutes
    # rho = 0.95, c = 5: relaxation 1 / (mu (sqrt 5 - sqrt 4.75)^2) = 930 minutes -> 10 x 930 / 1440 -> 7 days
    assert warmup_days(5, 5 * 0.95 / 3, 1 / 3) == 7
    assert warmup_days(5, 6 / 3, 1 / 3) == 1  # overloaded (Erlang A): abandonment relaxes it


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="replications"):
        validate("quick", replications=1)
    with pytest.raises(ValueError, match="unknown case"):
        validate("quick", cases=["erlang_b"])


# ------------------------------------------------------------------------------------ shipped configs
@pytest.mark.parametrize("name", sorted(example_configs()))
def test_shipped_validation_configs_are_the_validated_scenarios(name: str) -> None:
    path = CONFIGS / "validation" / f"{name}.yaml"
    assert parse_scenario(yaml.safe_load(path.read_text()), str(path)) == \
        parse_scenario(example_configs()[name]), f"regenerate {path} from sim.experiments.validate.example_configs()"


# ------------------------------------------------------------------------------------ command line
def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from sim.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_cli_json_rows_and_exit_code_0() -> None:
    proc = sim("validate", "--case", "erlang_c", "--case", "erlang_a", "--case", "time_varying",
               "--replications", "4", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["case"] for r in rows} == {"Erlang C", "Erlang A", "Time-varying arrivals"}
    for r in rows:
        assert {"case", "quantity", "params", "theory", "mean", "ci_low", "ci_high", "pass"} <= set(r)
        assert {"c", "lam", "mu", "time_unit"} <= set(r["params"]) and r["params"]["time_unit"] == "minute"
        assert isinstance(r["pass"], bool) and r["pass"]
        assert isinstance(r["theory"], float) and r["ci_low"] <= r["mean"] <= r["ci_high"]
        if r["case"].startswith("Erlang"):
            assert r["params"]["c"] == 5 and r["params"]["mu"] == pytest.approx(1 / 3)
            assert r["params"]["t"] == pytest.approx(20 / 60)
            assert r["n"] == 4
        if r["case"] == "Erlang A":
            assert r["params"]["theta"] == 1.0


def test_cli_table_and_exit_code_1_when_a_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    ok = runner.invoke(validate_cmd, ["--case", "erlang_c", "--replications", "3"])
    assert ok.exit_code == 0, ok.output
    assert "Erlang C" in ok.output and "PASS" in ok.output and "FAIL" not in ok.output
    broken = partial(validate, transform=talk_times_times(2.0))
    monkeypatch.setattr(validate_module, "validate", broken)
    bad = runner.invoke(validate_cmd, ["--case", "erlang_c", "--replications", "3"])
    assert bad.exit_code == 1
    assert "FAIL" in bad.output


def test_cli_bad_option_is_exit_2() -> None:
    proc = sim("validate", "--case", "erlang_b")
    assert proc.returncode == 2
    assert "erlang_b" in proc.stderr


# ------------------------------------------------------------------------------------------ full mode
@pytest.mark.slow
def test_full_mode_passes_every_case() -> None:
    rows = validate("full")
    assert {r.case for r in rows} == CASE_NAMES
    assert all(r.passed for r in rows), [(r.case, r.quantity, r.params) for r in rows if not r.passed]


def test_little_case_reads_the_configs_folder(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text((CONFIGS / "validation" / "erlang_a.yaml").read_text().replace(
        "days: 20", "days: 2"))
    rows = validate("quick", cases=["little"], configs_dir=tmp_path)
    assert {r.params["config"] for r in rows} == {"one.yaml"}
    assert all(r.passed for r in rows) and len(rows) == 2  # one call queue, start empty; and after warm-up


def test_sipp_rows_hold_where_the_assumptions_hold_and_catch_a_broken_model(quick_rows: list[Row]) -> None:
    # slowly varying Poisson calls, fixed exponential servers: each half hour far from a switch is Erlang C
    sipp = [r for r in quick_rows if r.case == "SIPP"]
    assert len(sipp) == 2 and all(r.passed for r in sipp)
    assert sipp[0].theory > 0.9 > 0.6 > sipp[1].theory  # the quiet half hour and the busy one
    broken = validate("quick", cases=["sipp"], transform=talk_times_times(1.3))
    assert not all(r.passed for r in broken)
