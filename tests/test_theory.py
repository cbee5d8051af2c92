"""Tests for sim.theory: every reference value is checked against an independent computation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.special import gammaln, logsumexp
from scipy.stats import poisson

from sim.theory import (
    blending_backoffice_throughput,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_service_level,
    erlang_c_wq,
    min_servers_for_service_level,
    pooled_vs_separate,
    sqrt_staffing,
    utilisation,
)

# ---------------------------------------------------------------------------
# Independent reference computations
# ---------------------------------------------------------------------------


def erlang_b_exact(c: int, a: Fraction) -> Fraction:
    """Erlang B from the explicit formula (a^c / c!) / sum_{k<=c} a^k / k!, in exact rationals."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def erlang_c_exact(c: int, a: Fraction) -> Fraction:
    """Erlang C from the explicit formula, in exact rationals."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def erlang_b_logspace(c: int, a: float) -> float:
    """Erlang B via log-sum-exp of the explicit formula (for large c)."""
    k = np.arange(c + 1)
    log_terms = k * math.log(a) - gammaln(k + 1)
    return math.exp(log_terms[-1] - logsumexp(log_terms))


def erlang_a_generator_solution(c: int, lam: float, mu: float, theta: float, n_max: int) -> np.ndarray:
    """Stationary distribution of the truncated M/M/c+M chain: solve pi Q = 0, sum(pi) = 1."""
    q = np.zeros((n_max + 1, n_max + 1))
    for n in range(n_max + 1):
        if n < n_max:
            q[n, n + 1] = lam
        if n > 0:
            q[n, n - 1] = min(n, c) * mu + max(n - c, 0) * theta
        q[n, n] = -q[n].sum()
    system = np.vstack([q.T, np.ones(n_max + 1)])
    rhs = np.zeros(n_max + 2)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
    return pi


def answered_within_phase_type(k: int, c: int, mu: float, theta: float, t: float) -> float:
    """P(reach a server by t before abandoning | k others waiting ahead), by a matrix exponential.

    States 0..k = number still ahead of her, k+1 = reached a server, k+2 = abandoned.
    """
    m = k + 3
    q = np.zeros((m, m))
    for j in range(k + 1):
        q[j, j - 1 if j > 0 else k + 1] += c * mu + j * theta
        q[j, k + 2] += theta
        q[j, j] = -(c * mu + j * theta + theta)
    return float(expm(q * t)[k, k + 1])


# ---------------------------------------------------------------------------
# Erlang B
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("c", "a", "published"),
    [(1, 1.0, 0.5), (2, 1.0, 0.2), (10, 5.0, 0.018385), (5, 3.0, 0.110054), (0, 2.0, 1.0)],
)
def test_erlang_b_known_values(c: int, a: float, published: float) -> None:
    value = erlang_b(c, a)
    assert value == pytest.approx(float(erlang_b_exact(c, Fraction(a))), rel=1e-12)
    assert value == pytest.approx(published, abs=5e-7)


@pytest.mark.parametrize(("c", "a"), [(3, 0.5), (7, 6.9), (20, 15.0), (30, 40.0)])
def test_erlang_b_matches_explicit_sum(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(float(erlang_b_exact(c, Fraction(a))), rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(500, 450.0), (500, 499.9), (500, 600.0), (300, 10.0)])
def test_erlang_b_large_c(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(erlang_b_logspace(c, a), rel=1e-10)


def test_erlang_b_zero_load() -> None:
    assert erlang_b(3, 0.0) == 0.0


# ---------------------------------------------------------------------------
# Erlang C
# ---------------------------------------------------------------------------


def test_erlang_c_classic_example() -> None:
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-14)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.999])
def test_mm1(rho: float) -> None:
    mu = 2.0
    lam = rho * mu
    assert erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
    assert erlang_c_wq(1, lam, mu) == pytest.approx(rho / (mu - lam), rel=1e-10)
    t = 0.7
    expected_sl = 1.0 - rho * math.exp(-(mu - lam) * t)
    assert erlang_c_service_level(1, lam, mu, t) == pytest.approx(expected_sl, rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(2, 1.5), (5, 4.0), (10, 8.0), (25, 24.5), (40, 30.0)])
def test_erlang_c_matches_explicit_formula(c: int, a: float) -> None:
    assert erlang_c(c, a) == pytest.approx(float(erlang_c_exact(c, Fraction(a))), rel=1e-11)


def test_erlang_c_large_c_near_saturation() -> None:
    c, a = 500, 499.5
    b = erlang_b_logspace(c, a)
    expected = c * b / (c - a * (1.0 - b))
    value = erlang_c(c, a)
    assert value == pytest.approx(expected, rel=1e-9)
    assert 0.0 < value < 1.0


def test_erlang_c_wq_and_service_level_definitions() -> None:
    c, lam, mu = 6, 10.0, 2.0
    p_wait = float(erlang_c_exact(c, Fraction(5)))
    assert erlang_c_wq(c, lam, mu) == pytest.approx(p_wait / (c * mu - lam), rel=1e-12)
    assert erlang_c_service_level(c, lam, mu, 0.0) == pytest.approx(1.0 - p_wait, rel=1e-12)
    assert erlang_c_service_level(c, lam, mu, math.inf) == 1.0


def test_service_level_monotone_in_t_and_c() -> None:
    lam, mu = 8.0, 1.0
    times = [0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 3.0]
    by_t = [erlang_c_service_level(10, lam, mu, t) for t in times]
    assert all(x < y for x, y in zip(by_t, by_t[1:], strict=False))
    by_c = [erlang_c_service_level(c, lam, mu, 0.2) for c in range(9, 20)]
    assert all(x < y for x, y in zip(by_c, by_c[1:], strict=False))
    assert by_c[-1] < 1.0


def test_utilisation() -> None:
    assert utilisation(4, 3.0, 1.5) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("c", "a"), [(2, 2.0), (2, 3.0), (0, 0.5), (-1, 0.5), (3, -0.1), (2.5, 1.0), (True, 0.5), (3, math.nan)]
)
def test_erlang_c_invalid(c: int, a: float) -> None:
    with pytest.raises(ValueError):
        erlang_c(c, a)


def test_invalid_inputs_elsewhere() -> None:
    with pytest.raises(ValueError):
        erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        erlang_b(2, -1.0)
    with pytest.raises(ValueError):
        erlang_c_wq(3, 3.0, 1.0)
    with pytest.raises(ValueError):
        erlang_c_wq(3, 1.0, 0.0)
    with pytest.raises(ValueError):
        erlang_c_service_level(3, 1.0, 1.0, -0.5)
    with pytest.raises(ValueError):
        erlang_c_service_level(3, -1.0, 1.0, 0.5)
    with pytest.raises(ValueError):
        utilisation(0, 1.0, 1.0)
    with pytest.raises(ValueError):
        erlang_a(3, 4.0, 1.0, -0.1)
    with pytest.raises(ValueError):
        erlang_a(3, 4.0, 1.0, 0.0)  # theta = 0 falls back to Erlang C: unstable
    with pytest.raises(ValueError):
        erlang_a(3, 2.0, 1.0, 0.5, t=-1.0)
    with pytest.raises(ValueError):
        erlang_a(0, 2.0, 1.0, 0.5)
    with pytest.raises(ValueError):
        erlang_a(50, 94.0, 1.0, 1e-9)  # overloaded with almost no abandonment: chain far too long
    with pytest.raises(ValueError):
        min_servers_for_service_level(5.0, 1.0, 0.2, 1.0)
    with pytest.raises(ValueError):
        min_servers_for_service_level(5.0, 1.0, 0.2, -0.1)
    with pytest.raises(ValueError):
        blending_backoffice_throughput(3, 3.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        blending_backoffice_throughput(3, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError):
        sqrt_staffing(-1.0, 1.0)
    with pytest.raises(ValueError):
        pooled_vs_separate(2, 3, 2.0, 1.0, 0.1)


# ---------------------------------------------------------------------------
# Erlang A
# ---------------------------------------------------------------------------


def test_erlang_a_theta_zero_is_erlang_c() -> None:
    c, lam, mu, t = 10, 8.0, 1.0, 0.3
    r = erlang_a(c, lam, mu, 0.0, t=t)
    assert r.p_wait == erlang_c(c, lam / mu)
    assert r.wq == erlang_c_wq(c, lam, mu)
    assert r.p_abandon == 0.0
    assert r.mean_queue_length == pytest.approx(lam * r.wq)
    assert r.service_level == erlang_c_service_level(c, lam, mu, t)


@pytest.mark.parametrize(("c", "lam", "mu"), [(1, 0.6, 1.0), (10, 8.0, 1.0), (50, 23.5, 0.5)])
def test_erlang_a_small_theta_approaches_erlang_c(c: int, lam: float, mu: float) -> None:
    t = 0.25 / mu
    r = erlang_a(c, lam, mu, 1e-7 * mu, t=t)
    assert r.p_wait == pytest.approx(erlang_c(c, lam / mu), rel=1e-4)
    assert r.wq == pytest.approx(erlang_c_wq(c, lam, mu), rel=1e-4)
    assert r.service_level == pytest.approx(erlang_c_service_level(c, lam, mu, t), rel=1e-4)
    assert r.p_abandon < 1e-4


@pytest.mark.parametrize(
    ("c", "lam", "mu", "theta"),
    [(1, 0.8, 1.0, 0.5), (1, 3.0, 1.0, 2.0), (3, 2.5, 1.0, 0.3), (5, 6.0, 1.0, 1.5), (4, 3.0, 2.0, 4.0)],
)
def test_erlang_a_against_generator_solution(c: int, lam: float, mu: float, theta: float) -> None:
    pi = erlang_a_generator_solution(c, lam, mu, theta, n_max=c + 200)
    n = np.arange(pi.size)
    queue = np.maximum(n - c, 0)
    expected_lq = float(np.dot(pi, queue))
    expected_p_wait = float(pi[c:].sum())
    r = erlang_a(c, lam, mu, theta)
    assert r.p_wait == pytest.approx(expected_p_wait, rel=1e-9, abs=1e-13)
    assert r.mean_queue_length == pytest.approx(expected_lq, rel=1e-9, abs=1e-13)
    # Abandonment flow balance and Little's law, with the generator's L_q.
    assert r.p_abandon == pytest.approx(theta * expected_lq / lam, rel=1e-9)
    assert r.wq == pytest.approx(expected_lq / lam, rel=1e-9)
    assert r.service_level is None
    assert r.p_answered_within is None


@pytest.mark.parametrize(
    ("c", "lam", "mu", "theta"),
    [
        (1, 1.0, 1.0, 1.0),
        (10, 8.0, 1.0, 0.5),
        (20, 25.0, 1.0, 0.2),
        (500, 520.0, 1.0, 0.2),
        (500, 499.9, 1.0, 0.01),
    ],
)
def test_erlang_a_abandonment_identity(c: int, lam: float, mu: float, theta: float) -> None:
    r = erlang_a(c, lam, mu, theta)
    assert r.p_abandon == pytest.approx(theta * r.mean_queue_length / lam, rel=1e-10)
    assert r.mean_queue_length == pytest.approx(lam * r.wq, rel=1e-10)
    assert 0.0 <= r.p_abandon <= r.p_wait <= 1.0


@pytest.mark.parametrize(("c", "a"), [(1, 1.0), (10, 9.0), (500, 500.0), (500, 480.0)])
def test_erlang_a_theta_equals_mu_is_poisson(c: int, a: float) -> None:
    # With theta = mu everyone in the system leaves at rate mu: the M/M/infinity Poisson(a) law.
    mu = 1.0
    r = erlang_a(c, a * mu, mu, mu)
    assert r.p_wait == pytest.approx(poisson.sf(c - 1, a), rel=1e-9)
    n = np.arange(c, c + 2000)
    expected_lq = float(np.dot(poisson.pmf(n, a), n - c))
    assert r.mean_queue_length == pytest.approx(expected_lq, rel=1e-8)


@pytest.mark.parametrize(
    ("c", "lam", "mu", "theta", "t"),
    [(1, 0.8, 1.0, 0.5, 0.7), (3, 2.5, 1.0, 0.3, 0.2), (5, 6.0, 1.0, 1.5, 0.1), (4, 3.0, 2.0, 4.0, 0.05)],
)
def test_erlang_a_service_level_against_phase_type(
    c: int, lam: float, mu: float, theta: float, t: float
) -> None:
    n_max = c + 60
    pi = erlang_a_generator_solution(c, lam, mu, theta, n_max=n_max)
    expected = float(pi[:c].sum()) + sum(
        pi[c + k] * answered_within_phase_type(k, c, mu, theta, t) for k in range(n_max - c + 1)
    )
    r = erlang_a(c, lam, mu, theta, t=t)
    assert r.service_level == pytest.approx(expected, rel=1e-9)
    assert r.p_answered_within == r.service_level


@pytest.mark.parametrize(
    ("c", "lam", "mu", "theta"),
    [(1, 0.8, 1.0, 0.5), (10, 9.5, 1.0, 0.3), (20, 25.0, 1.0, 0.2), (500, 505.0, 1.0, 0.05)],
)
def test_erlang_a_service_level_bounds_and_monotone(c: int, lam: float, mu: float, theta: float) -> None:
    base = erlang_a(c, lam, mu, theta)
    times = [0.0, 0.01, 0.05, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0]
    raw = [erlang_a(c, lam, mu, theta, t=t).service_level for t in times]
    levels = [x for x in raw if x is not None]
    assert len(levels) == len(times)
    assert levels[0] == pytest.approx(1.0 - base.p_wait, rel=1e-12)
    assert all(x <= 1.0 - base.p_abandon + 1e-12 for x in levels)
    assert all(x < y for x, y in zip(levels, levels[1:], strict=False) if y < 1.0 - base.p_abandon - 1e-9)
    assert all(x <= y + 1e-15 for x, y in zip(levels, levels[1:], strict=False))
    assert levels[-1] == pytest.approx(1.0 - base.p_abandon, rel=1e-9)
    assert erlang_a(c, lam, mu, theta, t=math.inf).service_level == pytest.approx(1.0 - base.p_abandon)


def test_erlang_a_zero_arrivals() -> None:
    r = erlang_a(3, 0.0, 1.0, 0.5, t=0.1)
    assert (r.p_wait, r.p_abandon, r.wq, r.mean_queue_length, r.service_level) == (0.0, 0.0, 0.0, 0.0, 1.0)


# ---------------------------------------------------------------------------
# Staffing, blending, pooling
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "beta", "expected"),
    [(4.0, 1.0, 6), (100.0, 0.5, 105), (10.0, 1.0, 14), (9.0, 0.0, 9), (0.0, 1.0, 1)],
)
def test_sqrt_staffing(a: float, beta: float, expected: int) -> None:
    assert sqrt_staffing(a, beta) == expected


@pytest.mark.parametrize(
    ("lam", "mu", "t", "target"),
    [
        (10.0, 1.0, 0.2, 0.8),
        (2.0, 0.5, 1.0, 0.9),
        (100.0, 4.0, 0.05, 0.95),
        (0.5, 1.0, 0.0, 0.5),
        (3.0, 1.0, 0.1, 0.0),
    ],
)
def test_min_servers_for_service_level_brute_force(lam: float, mu: float, t: float, target: float) -> None:
    brute = next(
        c for c in range(1, 1000) if lam / mu < c and erlang_c_service_level(c, lam, mu, t) >= target
    )
    assert min_servers_for_service_level(lam, mu, t, target) == brute


def test_min_servers_worked_example() -> None:
    # a = 10 Erlang, 80% within 0.2 mean service times: 12 servers give 0.787, 13 give 0.916.
    assert erlang_c_service_level(12, 10.0, 1.0, 0.2) < 0.8 <= erlang_c_service_level(13, 10.0, 1.0, 0.2)
    assert min_servers_for_service_level(10.0, 1.0, 0.2, 0.8) == 13


def test_blending_backoffice_throughput() -> None:
    assert blending_backoffice_throughput(5, 3.0, 1.0, 2.0) == pytest.approx(4.0)
    assert blending_backoffice_throughput(4, 0.0, 1.0, 0.5) == pytest.approx(2.0)


def test_pooled_vs_separate() -> None:
    c_each, groups, lam_each, mu, t = 2, 5, 1.5, 1.0, 0.1
    res = pooled_vs_separate(c_each, groups, lam_each, mu, t)
    sep, pool = res["separate"], res["pooled"]
    assert sep["p_wait"] == pytest.approx(float(erlang_c_exact(2, Fraction(3, 2))), rel=1e-12)
    assert pool["p_wait"] == pytest.approx(float(erlang_c_exact(10, Fraction(15, 2))), rel=1e-12)
    assert pool["wq"] == erlang_c_wq(10, 7.5, mu)
    assert pool["service_level"] == erlang_c_service_level(10, 7.5, mu, t)
    assert sep["utilisation"] == pytest.approx(pool["utilisation"])
    assert pool["p_wait"] < sep["p_wait"]
    assert pool["wq"] < sep["wq"]
    assert pool["service_level"] > sep["service_level"]
