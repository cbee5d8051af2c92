"""Exact queueing-theory reference values for validating the simulator.

The discrete-event simulator must reproduce these numbers (within its
statistical error) when it is configured as the corresponding textbook
model: Poisson arrivals, exponential service times, exponential patience,
first-come-first-served, identical servers.  Nothing here is simulated;
every value is an exact (or truncated to < 1e-14) analytical result.

Models and sources
------------------
* Erlang B (M/M/c/c loss) and Erlang C (M/M/c delay):
  G. Koole, *Call Center Mathematics* (online book, VU Amsterdam);
  N. Gans, G. Koole & A. Mandelbaum (2003), "Telephone call centers:
  tutorial, review, and research prospects", M&SOM 5(2), 79-141.
* Erlang A (M/M/c+M, customers abandon after an exponential patience):
  O. Garnett, A. Mandelbaum & M. Reiman (2002), "Designing a call center
  with impatient customers", M&SOM 4(3), 208-227;
  A. Mandelbaum & S. Zeltyn, "The Palm/Erlang-A queue, with applications
  to call centers" (technical note, Technion).
* Square-root staffing: S. Halfin & W. Whitt (1981), "Heavy-traffic limits
  for queues with many exponential servers", Operations Research 29(3).
* Call blending (inbound calls preempt always-available back-office work):
  S. Bhulai & G. Koole (2003), "A queueing model for call blending in call
  centers", IEEE Trans. Automatic Control 48(8);
  N. Gans & Y.-P. Zhou (2003), "A call-routing problem with service-level
  constraints", Operations Research 51(2).

Units
-----
There is no fixed time unit.  Rates ``lam`` (arrivals), ``mu`` (service
completions per server), ``theta`` (abandonments per waiting customer) and
the service-level threshold ``t`` must all be expressed in the *same* unit
(e.g. all per minute and ``t`` in minutes); waiting times are returned in
that unit.  The offered load ``a = lam / mu`` is dimensionless (Erlangs).

Numerics
--------
Erlang B uses the stable forward recursion, Erlang C is derived from it,
and the Erlang A birth-death chain is normalised in log space, so ``c`` in
the hundreds (tested up to 500) and loads close to ``c`` are fine.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

__all__ = [
    "ErlangA",
    "sipp_service_level",
    "blending_backoffice_throughput",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_service_level",
    "erlang_c_wq",
    "min_servers_for_service_level",
    "pooled_vs_separate",
    "sqrt_staffing",
    "utilisation",
]

#: Truncate the Erlang A chain once the (normalised) tail mass is below this.
TAIL_TOLERANCE = 1e-14
#: Refuse Erlang A chains longer than this (only reached for theta ~ 0 in overload).
MAX_STATES = 5_000_000


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _servers(c: int, minimum: int = 1) -> int:
    """Return ``c`` as an int, raising ValueError unless it is an integer >= minimum."""
    value: object = c
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool):
        raise ValueError(f"number of servers must be an integer, got {c!r}")
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"number of servers must be an integer, got {c!r}") from None
    if n < minimum:
        raise ValueError(f"number of servers must be >= {minimum}, got {n}")
    return n


def _nonnegative(name: str, x: float, allow_inf: bool = False) -> float:
    """Return ``x`` as a float, raising ValueError if it is negative, NaN or (unless allowed) infinite."""
    v = float(x)
    if math.isnan(v) or v < 0.0 or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return v


def _positive(name: str, x: float) -> float:
    """Return ``x`` as a float, raising ValueError unless it is finite and > 0."""
    v = _nonnegative(name, x)
    if v == 0.0:
        raise ValueError(f"{name} must be > 0, got {x!r}")
    return v


def _require_stable(c: int, a: float) -> None:
    """Raise ValueError unless the offered load ``a`` is below the number of servers ``c``."""
    if a >= c:
        raise ValueError(f"unstable system: offered load a = {a:g} >= c = {c} servers")


# ---------------------------------------------------------------------------
# Erlang B / Erlang C
# ---------------------------------------------------------------------------


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of the M/M/c/c loss system (Erlang B).

    ``a`` is the offered load in Erlangs (lam / mu, dimensionless).  Uses the
    recursion B(0) = 1, B(n) = a B(n-1) / (n + a B(n-1)), which is stable for
    any c (no factorials or powers are formed).  ``c = 0`` gives 1.
    """
    n_servers = _servers(c, minimum=0)
    load = _nonnegative("offered load a", a)
    b = 1.0
    for n in range(1, n_servers + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in the M/M/c queue (Erlang C), offered load ``a`` Erlangs.

    C = c B / (c - a (1 - B)) with B = erlang_b(c, a).  Raises ValueError for
    c < 1, a < 0 or an unstable system (a >= c).
    """
    n_servers = _servers(c)
    load = _nonnegative("offered load a", a)
    _require_stable(n_servers, load)
    b = erlang_b(n_servers, load)
    return n_servers * b / (n_servers - load * (1.0 - b))


def erlang_c_wq(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of all arrivals in M/M/c: P(wait) / (c mu - lam).

    Result is in the time unit of 1/lam and 1/mu (both rates in the same unit).
    """
    lam_, mu_ = _nonnegative("lam", lam), _positive("mu", mu)
    p_wait = erlang_c(c, lam_ / mu_)
    return p_wait / (c * mu_ - lam_)


def erlang_c_service_level(c: int, lam: float, mu: float, t: float) -> float:
    """P(W <= t) in M/M/c: 1 - P(wait) exp(-(c mu - lam) t).

    ``t`` is in the same time unit as the rates lam and mu (``t = inf`` gives 1).
    """
    lam_, mu_ = _nonnegative("lam", lam), _positive("mu", mu)
    t_ = _nonnegative("t", t, allow_inf=True)
    p_wait = erlang_c(c, lam_ / mu_)
    return 1.0 - p_wait * math.exp(-(c * mu_ - lam_) * t_)


def utilisation(c: int, lam: float, mu: float) -> float:
    """Server utilisation lam / (c mu); lam and mu per the same time unit."""
    n_servers = _servers(c)
    return _nonnegative("lam", lam) / (n_servers * _positive("mu", mu))


# ---------------------------------------------------------------------------
# Erlang A (M/M/c+M)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ErlangA:
    """Steady-state performance of the Erlang A (M/M/c+M) queue.

    All probabilities are shares of *all* arrivals; times are in the unit of
    the rates passed to :func:`erlang_a`.

    Attributes:
        p_wait: P(an arrival finds all c servers busy), i.e. has to queue.
        p_abandon: P(an arrival abandons before reaching a server).
        wq: mean time in queue over all arrivals (abandoners count with
            the time until they abandon, immediately-served with 0).
        mean_queue_length: mean number waiting, L_q (= lam * wq by Little).
        service_level: P(answered AND wait <= t), or None if no t was given.
    """

    p_wait: float
    p_abandon: float
    wq: float
    mean_queue_length: float
    service_level: float | None = None

    @property
    def p_answered_within(self) -> float | None:
        """Alias of :attr:`service_level`: P(answered with wait <= t) among all arrivals."""
        return self.service_level


def _first_decreasing_state(c: int, lam: float, mu: float, theta: float) -> int:
    """Least n with death rate d(n+1) > lam, i.e. from which on pi(n) decreases."""
    if lam < c * mu:
        return math.floor(lam / mu)
    return c + math.floor((lam - c * mu) / theta)


def _birth_death_log_weights(n_max: int, c: int, lam: float, mu: float, theta: float) -> np.ndarray:
    """Unnormalised log pi(n), n = 0..n_max, for birth rate lam, death rate min(n,c) mu + (n-c)^+ theta."""
    n = np.arange(1, n_max + 1, dtype=float)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0.0) * theta
    return np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(death))))


def _erlang_a_distribution(c: int, lam: float, mu: float, theta: float) -> np.ndarray:
    """Stationary distribution of the M/M/c+M number-in-system, truncated where the tail is < 1e-14.

    Requires theta > 0.  The death rate d(n) is strictly increasing, so the
    ratio r(n) = lam / d(n) decreases and the tail beyond n is at most
    pi(n) r(n+1) / (1 - r(n+1)) once r(n+1) < 1; the chain is cut at the
    first n where that bound is below TAIL_TOLERANCE times the mass so far.
    """
    if lam == 0.0:
        return np.ones(1)
    start = _first_decreasing_state(c, lam, mu, theta)
    if start >= MAX_STATES:
        raise ValueError("Erlang A chain too long: theta too small for an overloaded system")
    n_max = 2 * start + 64
    log_tol = math.log(TAIL_TOLERANCE)
    while True:
        log_w = _birth_death_log_weights(n_max + 1, c, lam, mu, theta)
        log_ratio_next = log_w[1:] - log_w[:-1]  # log r(n+1), n = 0..n_max
        with np.errstate(divide="ignore", invalid="ignore"):
            log_geom = log_ratio_next - np.log(-np.expm1(log_ratio_next))
        log_geom[log_ratio_next >= 0.0] = np.inf
        log_partial = np.logaddexp.accumulate(log_w[:-1])
        ok = np.flatnonzero(log_w[:-1] + log_geom - log_partial <= log_tol)
        if ok.size:
            log_w = log_w[: ok[0] + 1]
            break
        if n_max >= MAX_STATES:
            raise ValueError("Erlang A chain too long: theta too small for an overloaded system")
        n_max *= 2
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def _erlang_a_from_erlang_c(c: int, lam: float, mu: float, t: float | None) -> ErlangA:
    """Erlang A with theta = 0, i.e. Erlang C (requires lam / mu < c)."""
    wq = erlang_c_wq(c, lam, mu)
    return ErlangA(
        p_wait=erlang_c(c, lam / mu),
        p_abandon=0.0,
        wq=wq,
        mean_queue_length=lam * wq,
        service_level=None if t is None else erlang_c_service_level(c, lam, mu, t),
    )


def _erlang_a_service_level(pi: np.ndarray, c: int, mu: float, theta: float, t: float) -> float:
    """P(answered and wait <= t) among all arrivals, by PASTA over the state found on arrival.

    An arrival finding k >= 0 others waiting reaches a server after
    S = sum_{j=0..k} Exp(c mu + j theta) and abandons at Exp(theta) = tau.
    S has density prod_j(c mu + j theta) / (theta^k k!) e^{-c mu x} (1 - e^{-theta x})^k,
    so with y = 1 - e^{-theta x} and b = c mu / theta:
        P(S < tau, S <= t) = E[e^{-theta S}; S <= t]
                           = c mu / (c mu + (k+1) theta) * I_{1 - exp(-theta t)}(k + 1, b + 1),
    I being the regularised incomplete beta function.
    """
    served_immediately = float(pi[:c].sum())
    waiting = pi[c:]
    if waiting.size == 0:
        return served_immediately
    k = np.arange(waiting.size, dtype=float)
    cmu = c * mu
    p_served = cmu / (cmu + (k + 1.0) * theta)
    y = -math.expm1(-theta * t)
    p_in_time = betainc(k + 1.0, cmu / theta + 1.0, y)
    return served_immediately + float(np.dot(waiting, p_served * p_in_time))


def erlang_a(c: int, lam: float, mu: float, theta: float, t: float | None = None) -> ErlangA:
    """Steady state of the Erlang A queue M/M/c+M.

    Args:
        c: number of servers (>= 1).
        lam: Poisson arrival rate.
        mu: exponential service rate per server.
        theta: abandonment rate of each waiting customer (mean patience 1/theta).
        t: service-level threshold, or None.

    lam, mu, theta and t use one and the same time unit; ``wq`` is returned in it.

    The number in system is a birth-death chain with birth rate lam and death
    rate min(n, c) mu + (n - c)^+ theta, truncated where its tail is < 1e-14.
    By PASTA an arrival sees the stationary state; one who finds k others
    waiting is served with probability c mu / (c mu + (k+1) theta) and waits
    on average (k+1) / (c mu + (k+1) theta).  Hence theta * L_q = lam * p_abandon.
    For theta == 0 the result is Erlang C (which requires lam / mu < c);
    for theta > 0 the system is stable at any load.
    """
    n_servers = _servers(c)
    lam_, mu_ = _nonnegative("lam", lam), _positive("mu", mu)
    theta_ = _nonnegative("theta", theta)
    t_ = None if t is None else _nonnegative("t", t, allow_inf=True)
    if theta_ == 0.0:
        return _erlang_a_from_erlang_c(n_servers, lam_, mu_, t_)

    pi = _erlang_a_distribution(n_servers, lam_, mu_, theta_)
    waiting = pi[n_servers:]
    k = np.arange(waiting.size, dtype=float)
    exit_rate = n_servers * mu_ + (k + 1.0) * theta_
    return ErlangA(
        p_wait=float(waiting.sum()),
        p_abandon=float(np.dot(waiting, (k + 1.0) * theta_ / exit_rate)),
        wq=float(np.dot(waiting, (k + 1.0) / exit_rate)),
        mean_queue_length=float(np.dot(waiting, k)),
        service_level=None if t_ is None else _erlang_a_service_level(pi, n_servers, mu_, theta_, t_),
    )


# ---------------------------------------------------------------------------
# Staffing rules
# ---------------------------------------------------------------------------


def sqrt_staffing(a: float, beta: float) -> int:
    """Square-root staffing c = ceil(a + beta sqrt(a)) (Halfin & Whitt 1981), at least 1.

    ``a`` is the offered load in Erlangs; the ceiling ignores floating-point
    round-off of ~1e-9 relative (so a = 4, beta = 1 gives exactly 6).
    """
    load = _nonnegative("offered load a", a)
    beta_ = float(beta)
    if not math.isfinite(beta_):
        raise ValueError(f"beta must be finite, got {beta!r}")
    x = load + beta_ * math.sqrt(load)
    n = math.ceil(x)
    if n - x > 1.0 - 1e-9 * max(1.0, abs(x)):
        n -= 1
    return max(n, 1)


def min_servers_for_service_level(lam: float, mu: float, t: float, target: float) -> int:
    """Least c with lam / mu < c and Erlang C P(W <= t) >= target.

    ``target`` must lie in [0, 1); ``t`` is in the time unit of the rates.
    The Erlang B value is carried along incrementally, so each extra server
    costs O(1).
    """
    lam_, mu_ = _nonnegative("lam", lam), _positive("mu", mu)
    t_ = _nonnegative("t", t, allow_inf=True)
    target_ = float(target)
    if not 0.0 <= target_ < 1.0:
        raise ValueError(f"target must be in [0, 1), got {target!r}")
    a = lam_ / mu_
    c = math.floor(a) + 1
    b = erlang_b(c, a)
    while True:
        p_wait = c * b / (c - a * (1.0 - b))
        if 1.0 - p_wait * math.exp(-(c * mu_ - lam_) * t_) >= target_:
            return c
        c += 1
        b = a * b / (c + a * b)


# ---------------------------------------------------------------------------
# Call blending and pooling
# ---------------------------------------------------------------------------


def blending_backoffice_throughput(c: int, lam: float, mu: float, mu_backoffice: float) -> float:
    """Back-office completion rate (c - a) mu_backoffice with a = lam / mu.

    Model: c agents, inbound calls (M/M/c, rates lam, mu) preempt back-office
    work, and back-office work is always available, so on average c - a agents
    do back-office work at rate mu_backoffice each.  Returned in jobs per time
    unit of the rates.  Requires a < c.
    """
    n_servers = _servers(c)
    lam_, mu_ = _nonnegative("lam", lam), _positive("mu", mu)
    mu_b = _positive("mu_backoffice", mu_backoffice)
    a = lam_ / mu_
    _require_stable(n_servers, a)
    return (n_servers - a) * mu_b


def _erlang_c_summary(c: int, lam: float, mu: float, t: float) -> dict[str, float]:
    """Erlang C p_wait, wq, service level and utilisation of one M/M/c system."""
    return {
        "servers": float(c),
        "lam": lam,
        "utilisation": utilisation(c, lam, mu),
        "p_wait": erlang_c(c, lam / mu),
        "wq": erlang_c_wq(c, lam, mu),
        "service_level": erlang_c_service_level(c, lam, mu, t),
    }


def pooled_vs_separate(c_each: int, groups: int, lam_each: float, mu: float, t: float) -> dict:
    """Erlang C figures for separate groups versus one pooled group.

    Returns ``{"separate": {...}, "pooled": {...}}``: "separate" is one of
    ``groups`` identical M/M/c_each queues with arrival rate lam_each, "pooled"
    the single M/M/(groups * c_each) queue with rate groups * lam_each.  Each
    inner dict has servers, lam, utilisation, p_wait, wq and service_level
    (P(W <= t)); times in the unit of the rates.
    """
    c = _servers(c_each)
    g = _servers(groups)
    lam_ = _nonnegative("lam_each", lam_each)
    mu_ = _positive("mu", mu)
    t_ = _nonnegative("t", t, allow_inf=True)
    return {
        "separate": _erlang_c_summary(c, lam_, mu_, t_),
        "pooled": _erlang_c_summary(g * c, g * lam_, mu_, t_),
    }


# ---------------------------------------------------------------------------
# Stationary independent period-by-period (SIPP) approximation
# ---------------------------------------------------------------------------


def _stationary_service_level(c: int, lam: float, mu: float, theta: float, t: float) -> float:
    if c <= 0:
        return 0.0
    if theta == 0.0 and lam >= c * mu:
        return 0.0  # Erlang C without abandonment is unstable: in the long run nobody is answered in time
    sl = erlang_a(c, lam, mu, theta, t).service_level
    assert sl is not None
    return sl


def sipp_service_level(c: float, lam: float, mu: float, theta: float, t: float) -> float:
    """P(answered within ``t``) of one interval by the SIPP approximation (Green, Kolesar & Whitt 2007,
    POM 16(1)): the interval is treated as a stationary Erlang A queue (Erlang C for ``theta`` = 0) with
    its own arrival rate ``lam`` and its ``c`` servers.

    ``c`` may be fractional (a mean over days of the secretaries present, some ill or at lunch): the
    service level is interpolated linearly between floor(c) and ceil(c) servers. Rates and ``t`` share one
    time unit.
    """
    if c < 0 or lam < 0 or mu <= 0 or theta < 0 or t < 0:
        raise ValueError("sipp_service_level: c, lam, theta and t must be >= 0 and mu > 0")
    if lam == 0:
        return 1.0
    low = math.floor(c)
    frac = c - low
    sl_low = _stationary_service_level(low, lam, mu, theta, t)
    if frac == 0:
        return sl_low
    return (1 - frac) * sl_low + frac * _stationary_service_level(low + 1, lam, mu, theta, t)
