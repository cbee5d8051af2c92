"""Output analysis: t-intervals, paired differences, the ratio estimator and the replications algorithm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from sim.stats import (
    ReplicationsAlgorithm,
    paired_difference,
    ratio_estimate,
    relative_half_width,
    summarize,
)


def test_summary_matches_scipy_t_interval() -> None:
    xs = [3.1, 2.7, 4.0, 3.3, 2.9, 3.8]
    s = summarize(xs)
    lo, hi = st.t.interval(0.95, len(xs) - 1, loc=np.mean(xs), scale=st.sem(xs))
    assert s.n == 6
    assert s.mean == pytest.approx(np.mean(xs), abs=1e-15)
    assert s.sd == pytest.approx(np.std(xs, ddof=1), rel=1e-12)
    assert (s.ci_low, s.ci_high) == pytest.approx((lo, hi), rel=1e-12)


def test_missing_values_are_skipped_and_counted() -> None:
    s = summarize([1.0, None, 3.0, float("nan")])
    assert s.n == 2 and s.mean == 2.0
    one = summarize([5.0, None])
    assert one.n == 1 and one.mean == 5.0 and one.ci_low is None and one.sd is None
    none = summarize([None, None])
    assert none.n == 0 and none.mean is None


def test_paired_difference_and_significance() -> None:
    a = [1.0, 2.0, 3.0, 4.0]
    assert paired_difference(a, a).significant is False  # identical: 0 with no spread
    same = paired_difference(a, a)
    assert same.mean == 0 and same.ci_low == 0 and same.ci_high == 0
    b = [x + 1 + 0.01 * i for i, x in enumerate(a)]
    d = paired_difference(b, a)
    assert d.significant and d.ci_low > 0 and d.mean == pytest.approx(1.015)
    noisy = paired_difference([1.0, -1.0, 1.0, -1.0], [0.0] * 4)
    assert not noisy.significant
    with pytest.raises(ValueError):
        paired_difference([1.0], [1.0, 2.0])


def test_t_interval_covers_a_known_mean_at_its_nominal_rate() -> None:
    # 4000 intervals of 5 normal draws each: the share covering the true mean is binomial(4000, 0.95)
    rng = np.random.default_rng(7)
    trials = 4000
    covered = sum(s.ci_low <= 3.0 <= s.ci_high
                  for s in (summarize(rng.normal(3.0, 2.0, 5).tolist()) for _ in range(trials)))
    tol = 3 * math.sqrt(0.95 * 0.05 / trials)
    assert abs(covered / trials - 0.95) < tol


def test_ratio_estimator_pools_events_and_covers_the_true_share() -> None:
    # a share p of Poisson-many events per replication: the pooled share and its interval
    rng = np.random.default_rng(11)
    p, trials, covered = 0.8, 1500, 0
    for _ in range(trials):
        xs = rng.poisson(40, 8).astype(float)
        ys = rng.binomial(xs.astype(int), p).astype(float)
        s = ratio_estimate(ys.tolist(), xs.tolist())
        covered += s.ci_low <= p <= s.ci_high
    assert abs(covered / trials - 0.95) < 3 * math.sqrt(0.95 * 0.05 / trials) + 0.01
    s = ratio_estimate([1, 9, 0], [2, 10, 0])
    assert s.mean == pytest.approx(10 / 12) and s.n == 3
    assert ratio_estimate([0, 0], [0, 0]).n == 0


def _sequential(values: list[float], alg: ReplicationsAlgorithm) -> tuple[int | None, int]:
    """A literal sequential run of the algorithm (one replication at a time), to check :meth:`decide`."""
    solution, met = None, 0
    n = alg.initial
    while True:
        rhw = relative_half_width(values[:n])
        if rhw is not None and rhw <= alg.target:
            solution = n if met == 0 else solution
            met += 1
            if met > alg.k_limit(solution):
                return solution, n
        else:
            solution, met = None, 0
        n += 1


def test_replications_algorithm_agrees_with_a_sequential_run() -> None:
    rng = np.random.default_rng(3)
    alg = ReplicationsAlgorithm(target=0.05)
    for _ in range(20):
        values = rng.normal(10, rng.uniform(0.5, 3), 400).tolist()
        assert alg.decide(values) == _sequential(values, alg)


def test_replications_algorithm_edge_cases() -> None:
    alg = ReplicationsAlgorithm(target=0.1, look_ahead=5)
    assert alg.decide([2.0] * 20) == (3, 8)  # no spread: precise at once, then the look-ahead
    assert alg.decide([2.0] * 7) == (None, None)  # look-ahead not yet done
    wild = ReplicationsAlgorithm(target=0.01, budget=10)
    assert wild.decide([1.0, 100.0] * 10) == (None, 10)
    with pytest.raises(ValueError):
        ReplicationsAlgorithm(target=0)
    with pytest.raises(ValueError):
        ReplicationsAlgorithm(budget=2)
