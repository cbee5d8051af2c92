"""``sim uncertainty``: the declared inputs, the sample, the variance decomposition, the interval's coverage on a
case with an analytic answer (Erlang C staffing with an estimated arrival rate), and a small end-to-end run."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from scipy import stats
from support.staffing import small_data, small_pool_data

from sim.cli import main
from sim.config import ConfigError, load_scenario, parse_scenario
from sim.config.models import UNCERTAIN_PARAMETERS
from sim.decisions.sensitivity import PARAMETERS, applied
from sim.decisions.uncertainty import Input, decompose, inputs_of, latin_hypercube, parameter_of, propagate
from sim.theory import min_servers_for_service_level

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


# ------------------------------------------------------------------------------------------- declaration
def test_the_schema_knows_the_sensitivity_parameters_by_name() -> None:
    assert tuple(p.name for p in PARAMETERS) == UNCERTAIN_PARAMETERS


def _with(data: dict, uncertainty: dict) -> dict:
    return {**data, "uncertainty": uncertainty}


@pytest.mark.parametrize(("entry", "field"), [
    ({"demnd": {"low": 0.9, "high": 1.1, "source": "x"}}, "uncertainty.demnd"),
    ({"demand.calls.per_staf_per_day": {"low": 0.9, "high": 1.1, "source": "x"}},
     "uncertainty.demand.calls.per_staf_per_day"),
    ({"demand.calls.profile": {"low": 0.9, "high": 1.1, "source": "x"}}, "uncertainty.demand.calls.profile"),
    ({"demand": {"low": 1.1, "high": 0.9, "source": "x"}}, "high"),
    ({"demand": {"low": 0.9, "high": 1.1}}, "source"),
    ({"demand": {"low": 0.9, "high": 1.1, "source": "x", "distribution": "beta"}}, "distribution"),
])
def test_a_bad_entry_is_one_line_naming_the_field(entry: dict, field: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_scenario(_with(small_data(), entry))
    assert "\n" not in str(exc.value) and field in str(exc.value)


def test_shipped_configs_declare_labelled_inputs_applied_where_declared() -> None:
    ref, alt = load_scenario(CONFIGS / "decentral.yaml"), load_scenario(CONFIGS / "central.yaml")
    inputs = {i.key: i for i in inputs_of({"reference": ref, "alternative": alt})}
    assert {"demand", "work", "talk", "patience", "sickness", "shrinkage", "occupancy", "custom_penalty",
            "cost_per_fte", "manager_fte", "coordination", "reorganisation"} <= set(inputs)
    assert all(i.source.startswith("ASSUMPTION") for i in inputs.values())
    assert inputs["demand"].setups == ("reference", "alternative")
    assert inputs["manager_fte"].setups == ("alternative",)  # declared in central.yaml only
    # a path, relative: the calls per staff member times the factor, in the config it is applied to
    p = parameter_of(inputs["demand.calls.per_staff_per_day"])
    assert applied(alt, [(p, 1.1)]).demand.calls.per_staff_per_day == pytest.approx(
        1.1 * alt.demand.calls.per_staff_per_day)


def test_quantiles_of_the_distributions() -> None:
    tri = Input("x", "triangular", 1.0, 3.0, 1.5)
    assert tri.quantile(1e-12) == pytest.approx(1.0, abs=1e-5) and tri.quantile(1 - 1e-12) == pytest.approx(3.0)
    assert tri.quantile(0.25) == pytest.approx(1.5)  # F(mode) = (mode - low) / (high - low)
    assert Input("x", "uniform", 2.0, 4.0).quantile(0.25) == pytest.approx(2.5)
    for dist in ("normal", "lognormal"):  # low and high are the central 95%
        d = Input("x", dist, 0.8, 1.25)
        assert d.quantile(0.025) == pytest.approx(0.8) and d.quantile(0.975) == pytest.approx(1.25)
    assert Input("x", "lognormal", 0.8, 1.25).quantile(0.5) == pytest.approx(1.0)


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_coordinate() -> None:
    pts = latin_hypercube(20, 3, seed=4)
    for d in range(3):
        assert sorted(math.floor(20 * p[d]) for p in pts) == list(range(20))
    assert latin_hypercube(20, 3, seed=4) == pts and latin_hypercube(20, 3, seed=5) != pts


# ------------------------------------------------------------------------------------------- decomposition
def test_the_anova_recovers_known_input_and_simulation_variances() -> None:
    """Y_ij = g_i + beta_j + e_ij: inputs sd 2, a common-seed block effect sd 0.6 and the rest sd 0.8, so one
    block's simulation sd at a point is 1.0; 300 points x 4 blocks."""
    rng = random.Random(11)
    b = 4
    beta = [rng.gauss(0, 0.6) for _ in range(b)]
    nominal = [10 + beta[j] + rng.gauss(0, 0.8) for j in range(b)]
    inputs = [10 + rng.gauss(0, 2) for _ in range(300)]
    answers = [[g + beta[j] + rng.gauss(0, 0.8) for j in range(b)] for g in inputs]
    d = decompose(nominal, answers, goal=10.0)
    assert d["input_sd"] == pytest.approx(2.0, rel=0.12)
    # one block's simulation sd at a fixed point: the block effect and the rest, sqrt(0.36 + 0.64); rough, as
    # only 4 blocks show the block effect
    assert d["simulation_sd_per_block"] == pytest.approx(1.0, rel=0.25)
    assert d["interval"][0] < d["percentile_interval"][0] and d["interval"][1] > d["percentile_interval"][1]
    assert d["p_reaches_goal"] == pytest.approx(0.5, abs=0.1)


# ------------------------------------------------------------------------------------------- coverage
MU, T, TARGET = 1 / 3, 1 / 3, 0.8  # talk 3 min, 80% within 20 s (per minute)
LAM_TRUE, OBSERVED_MINUTES = 4.0, 15.0  # about 60 arrivals observed: lambda known to +-25%
NOMINAL = 0.95


@dataclass(frozen=True)
class GammaPosterior:
    """lambda after observing n arrivals in t minutes (Jeffreys prior): Gamma(n + 1/2, rate t)."""

    key: str
    n: int
    t: float

    def quantile(self, u: float) -> float:
        return float(stats.gamma.ppf(u, self.n + 0.5, scale=1 / self.t))


def erlang(theta: dict[str, float], block: int) -> dict[str, float | None]:
    lam = theta["lam"]
    return {"servers": float(min_servers_for_service_level(lam, MU, T, TARGET)), "load": lam / MU}


def test_the_interval_covers_erlang_c_staffing_at_its_nominal_rate() -> None:
    """200 experiments (fixed seeds): lambda estimated from a Poisson count, its Gamma posterior propagated
    through Erlang C's least c (200 Latin hypercube points; no simulation noise). The true answer, c* at the
    true lambda, must be covered at the nominal 95%: the tolerance is the coverage's 95% Clopper-Pearson
    interval. The least c is a step function, so its interval covers at least as often as the offered load's
    (a continuous answer), which must cover at 95% within that interval on both sides."""
    c_true = min_servers_for_service_level(LAM_TRUE, MU, T, TARGET)
    rng = random.Random(2014)
    experiments = 200
    hits = {"servers": 0, "load": 0}
    for k in range(experiments):
        n = int(stats.poisson.rvs(LAM_TRUE * OBSERVED_MINUTES, random_state=rng.randrange(2**31)))
        prop = propagate([GammaPosterior("lam", n, OBSERVED_MINUTES)], erlang, points=200, nominal_blocks=1,
                         seed=k, nominal={"lam": n / OBSERVED_MINUTES})
        for output, true in (("servers", c_true), ("load", LAM_TRUE / MU)):
            lo, hi = decompose(*prop.values(output), confidence=NOMINAL)["interval"]
            hits[output] += lo <= true <= hi
    for output, h in hits.items():
        low, high = stats.binomtest(h, experiments).proportion_ci(0.95, method="exact")
        assert high >= NOMINAL, (output, h)  # not below the nominal rate
        if output == "load":
            assert low <= NOMINAL, (output, h)  # nor above it, for a continuous answer


def test_with_simulation_noise_the_widened_interval_still_covers() -> None:
    """As above for the offered load, now observed with simulation noise on 2 blocks a point: a block effect
    common to every point (common random numbers, sd 0.6 erlang) and the rest (sd 0.6), about a fifth of the
    input spread. The truth is the noise-free answer at the true lambda; the combined interval (percentile
    interval widened by the simulation part) must cover it at least at the nominal rate, within the coverage's
    binomial interval."""
    rng = random.Random(1997)
    experiments, hits = 200, 0
    for k in range(experiments):
        n = int(stats.poisson.rvs(LAM_TRUE * OBSERVED_MINUTES, random_state=rng.randrange(2**31)))
        beta = [rng.gauss(0, 0.6) for _ in range(3)]

        def noisy(theta: dict[str, float], block: int, beta: list[float] = beta) -> dict[str, float | None]:
            return {"load": theta["lam"] / MU + beta[block] + rng.gauss(0, 0.6)}

        prop = propagate([GammaPosterior("lam", n, OBSERVED_MINUTES)], noisy, points=100, blocks=2,
                         nominal_blocks=3, seed=k, nominal={"lam": n / OBSERVED_MINUTES})
        lo, hi = decompose(*prop.values("load"), confidence=NOMINAL)["interval"]
        hits += lo <= LAM_TRUE / MU <= hi
    assert stats.binomtest(hits, experiments).proportion_ci(0.95, method="exact").high >= NOMINAL, hits


# ------------------------------------------------------------------------------------------- end to end
UNCERTAIN = {"demand": {"low": 0.9, "high": 1.1, "source": "ASSUMPTION: test"},
             "shrinkage": {"distribution": "uniform", "low": 0.05, "high": 0.15, "source": "ASSUMPTION: test"}}


def test_the_command_on_tiny_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "small.yaml", tmp_path / "pool.yaml"
    a.write_text(yaml.safe_dump(_with(small_data(), UNCERTAIN)))
    b.write_text(yaml.safe_dump(_with(small_pool_data(), {
        **UNCERTAIN, "manager_fte": {"low": 0.0, "high": 0.5, "source": "ASSUMPTION: test"}})))
    out = tmp_path / "unc"
    with pytest.raises(SystemExit) as exc:
        main(["uncertainty", str(a), str(b), "-r", "2", "--days", "2", "-w", "1", "--points", "3",
              "--nominal-blocks", "2", "--target", "calls_abandoned=off", "--out", str(out), "--json"])
    assert exc.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    res = summary["uncertainty"]
    assert {i["input"] for i in res["inputs"]} == {"demand", "shrinkage", "manager_fte"}
    saving = res["setups"]["small_pool"]["saving"]
    assert {"estimate", "simulation_half_width", "input_half_width", "interval", "p_reaches_goal",
            "point_answers"} <= set(saving)
    assert len(saving["point_answers"]) == 3 and saving["interval"][0] <= saving["interval"][1]
    assert set(res["setups"]["small_pool"]) == {"saving", "fte", "fte_reference", "payback_years"}
    assert summary["headline"][0].startswith("small_pool against small")
    assert (out / "uncertainty.png").stat().st_size > 10_000 and (out / "design.csv").exists()


def test_a_config_without_uncertainty_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    a, b = tmp_path / "small.yaml", tmp_path / "pool.yaml"
    a.write_text(yaml.safe_dump(small_data()))
    b.write_text(yaml.safe_dump(small_pool_data()))
    with pytest.raises(SystemExit) as exc:
        main(["uncertainty", str(a), str(b), "-r", "2", "--days", "2", "-w", "1", "--out", str(tmp_path / "u")])
    assert exc.value.code == 2
    assert "uncertainty" in capsys.readouterr().err
