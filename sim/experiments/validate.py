"""Validation against queueing theory: the model itself, reduced to cases with exact answers.

Researchers trust a simulator's service levels only if the very same code reproduces known results where
theory applies. ``sim validate`` builds scenarios that reduce the full secretariat model to textbook queues,
runs them through :func:`sim.core.model.run_replication` (the entry point of every other scenario; there is no
separate toy simulator) and compares what comes out with the exact values of :mod:`sim.theory`:

1. **Erlang C** (M/M/c): P(wait), mean wait Wq of all calls, service level P(W <= t), utilisation.
2. **Erlang A** (M/M/c+M, exponential patience): P(abandon), P(wait), Wq, P(answered within t), utilisation.
3. **Pooling**: three clusters of 4 without exchange (each an M/M/4) and one pool of 12 (an M/M/12) against
   Erlang C; a chain of clusters (each overflows at once to the next) must lie between the two.
4. **Call blending**: calls preempt back-office work that is always available; calls follow Erlang C and the
   back-office throughput is (c - A) mu_b (Bhulai & Koole 2003).
5. **Time-varying arrivals**: the model's own thinning generator, counted per half hour over many days,
   against the day profile (chi-square goodness of fit, and Poisson dispersion), and the per-hour table of a
   time-varying model run against the same profile.
6. **Little's law** L = lambda W for every queue of every shipped config (``configs/*.yaml``).

The reduction ("round the clock"): every day a working day, open 00:00-24:00, secretaries on duty round the
clock without lunch (they stay on across midnight), no sickness or leave, one department of staff 1 per group
(so ``per_staff_per_day`` is calls per day), a flat 24-hour profile (so arrivals are Poisson), exponential
talk times, no custom work and no voicemail. The model's time unit is the minute; every rate here is per
minute and every time in minutes.

Statistics. A case runs independent replications (seeds spawned from one ``numpy.random.SeedSequence``), each
starting empty and measured after a warm-up of whole days, at least ten relaxation times of the queue. Each
row's mean over replications gets a Student-t interval. A run tests many rows at once: at 95% each, a suite of
30 rows would fail some row by chance most of the time, so the intervals are *simultaneous* 95% intervals
(Bonferroni: each row at level 1 - 0.05/m, m the number of statistical rows). When the model is right the
whole suite then fails by chance at most 5% of the time, whatever the seed. A row passes when theory lies
inside its interval (for the chain, when its interval meets the range between pool and separate clusters).
Goodness-of-fit rows compare their statistic, scaled to 1 under the null hypothesis, with its acceptance
region at the same level. Little's law rows are identities, checked to rounding (see :func:`little_case`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from scipy import stats

from sim import theory
from sim.config import OFFICE_PROFILE, ConfigError, Profile, Scenario, clock_minutes, load_scenario, parse_scenario
from sim.core.calendar import MINUTES_PER_DAY
from sim.core.demand import thinning
from sim.core.model import Result, run_replication
from sim.core.streams import Stream
from sim.experiments.seeds import replication_seeds
from sim.experiments.sipp import sipp_rows
from sim.experiments.stats import t_summary

TIME_UNIT = "minute"
#: Chance that the whole suite fails although the model is right.
FAMILY_ALPHA = 0.05
#: Mean talk time (minutes) of every call case: a typical secretariat call (assumption; any value would do).
MEAN_TALK = 3.0
MU = 1.0 / MEAN_TALK
#: Service-level threshold: 20 seconds, the phone norm of the shipped configs.
NORM_SECONDS = 20.0
T = NORM_SECONDS / 60.0
#: Relative tolerance of an identity (floating-point sums over a whole run).
IDENTITY_TOLERANCE = 1e-9
#: Warm-up: at least this many relaxation times of the queue, in whole days.
RELAXATION_TIMES = 10

Transform = Callable[[Scenario], Scenario]


# ------------------------------------------------------------------------------------------------- rows
@dataclass(frozen=True)
class Row:
    """One line of the validation table: a simulated quantity against its theoretical value.

    ``params`` always has ``c``, ``lam``, ``mu`` (None where they do not apply) and ``time_unit``; ``theta``
    and ``t`` where they apply. ``mean``, ``ci_low`` and ``ci_high`` are the mean over ``n`` replications and
    its interval at per-row confidence ``level`` (for a fit test: the statistic and its acceptance region;
    for an identity: the smallest and largest value over the runs, ``level`` None). A chain row has no point
    ``theory`` but a range ``theory_low``..``theory_high``. ``rule`` says how ``passed`` was decided; in JSON
    ``passed`` is called ``pass``.
    """

    case: str
    quantity: str
    params: dict[str, Any]
    theory: float | None
    mean: float
    ci_low: float | None
    ci_high: float | None
    passed: bool
    rule: str
    n: int
    level: float | None = None
    theory_low: float | None = None
    theory_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case, "quantity": self.quantity, "params": self.params, "theory": self.theory,
            "mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high, "pass": self.passed,
            "rule": self.rule, "n": self.n, "level": self.level, "theory_low": self.theory_low,
            "theory_high": self.theory_high,
        }


@dataclass(frozen=True)
class Estimate:
    """Replication values of a quantity and its theory: a point, or a range [low, high] it must meet."""

    case: str
    quantity: str
    params: dict[str, Any]
    samples: tuple[float, ...]
    theory: float | None
    low: float | None = None
    high: float | None = None
    statistical = True

    def finish(self, alpha: float) -> Row:
        mean, lo, hi = t_interval(self.samples, alpha)
        if self.theory is not None:
            ok = bool(lo <= self.theory <= hi)
            rule = f"theory inside the simultaneous 95% t-interval ({100 * (1 - alpha):.2f}% per row)"
        else:
            assert self.low is not None and self.high is not None
            ok = bool(lo <= self.high and hi >= self.low)
            rule = "the simultaneous 95% t-interval meets [theory_low, theory_high]"
        return Row(self.case, self.quantity, self.params, self.theory, mean, lo, hi, ok, rule,
                   len(self.samples), 1 - alpha, self.low, self.high)


@dataclass(frozen=True)
class FitTest:
    """A test statistic scaled to 1 under the null hypothesis, and its acceptance region at level alpha."""

    case: str
    quantity: str
    params: dict[str, Any]
    value: float
    region: Callable[[float], tuple[float, float]]
    n: int
    description: str
    statistical = True

    def finish(self, alpha: float) -> Row:
        lo, hi = (float(x) for x in self.region(alpha))
        ok = bool(lo <= self.value <= hi)
        rule = f"{self.description}; [ci_low, ci_high] is the acceptance region at the simultaneous level"
        return Row(self.case, self.quantity, self.params, 1.0, float(self.value), lo, hi, ok, rule, self.n,
                   1 - alpha)


@dataclass(frozen=True)
class Identity:
    """An exact relation checked in every replication: value == theory, or value >= theory (one-sided)."""

    case: str
    quantity: str
    params: dict[str, Any]
    values: tuple[float, ...]
    theories: tuple[float, ...]
    one_sided: bool
    description: str
    statistical = False

    def finish(self, alpha: float) -> Row:
        pairs = zip(self.values, self.theories, strict=True)
        ok = all(_identity_holds(v, t, self.one_sided) for v, t in pairs)
        return Row(self.case, self.quantity, self.params, float(np.mean(self.theories)),
                   float(np.mean(self.values)), float(min(self.values)), float(max(self.values)), ok,
                   self.description,
                   len(self.values))


Check = Estimate | FitTest | Identity


def _identity_holds(value: float, theory_value: float, one_sided: bool) -> bool:
    slack = IDENTITY_TOLERANCE * max(abs(value), abs(theory_value)) + 1e-12
    return value >= theory_value - slack if one_sided else abs(value - theory_value) <= slack


def t_interval(samples: Sequence[float], alpha: float) -> tuple[float, float, float]:
    """Mean and two-sided (1 - alpha) Student-t interval of independent replication values
    (:func:`sim.experiments.stats.t_summary`); with fewer than two values the interval is unbounded."""
    s = t_summary([float(v) for v in samples], alpha)
    if s.mean is None:
        return math.nan, -math.inf, math.inf
    if s.ci_low is None or s.ci_high is None:
        return s.mean, -math.inf, math.inf
    return s.mean, s.ci_low, s.ci_high


def finish(checks: Sequence[Check]) -> list[Row]:
    """Rows of all checks, the statistical ones at the Bonferroni level that makes the family 95%."""
    m = max(1, sum(1 for c in checks if c.statistical))
    return [c.finish(FAMILY_ALPHA / m) for c in checks]


# ------------------------------------------------------------------------------------------ settings
@dataclass(frozen=True)
class Settings:
    """How much to simulate. ``replications`` and ``days`` apply to every round-the-clock case."""

    replications: int
    days: int
    erlang_c: tuple[tuple[int, float], ...]  # (c, rho)
    erlang_a: tuple[tuple[int, float, float], ...]  # (c, rho = lam / (c mu), theta per minute)
    thinning_days: int
    profile_days: int
    little_replications: int


QUICK = Settings(replications=10, days=2, erlang_c=((5, 0.8),), erlang_a=((5, 1.0, 1.0),),
                 thinning_days=1000, profile_days=40, little_replications=1)
FULL = Settings(replications=30, days=10, erlang_c=((1, 0.7), (5, 0.8), (20, 0.9)),
                erlang_a=((5, 1.0, 1.0), (10, 1.2, 0.5)), thinning_days=10_000, profile_days=250,
                little_replications=3)


# -------------------------------------------------------------------------------------- the reduction
def flat_day() -> dict[str, Any]:
    """A profile of equal weight in every hour of the day: stationary Poisson arrivals round the clock."""
    return {"start": "00:00", "slot_minutes": 60, "weights": [1.0] * 24}


def round_the_clock(**kwargs: Any) -> Scenario:
    """The scenario of :func:`round_the_clock_data`, validated."""
    return parse_scenario(round_the_clock_data(**kwargs), f"<validation {kwargs.get('name')}>")


def round_the_clock_data(*, name: str, c: int, lam: float, mu: float = MU, groups: int = 1,
                         theta: float | None = None, t: float = T, policy: str = "none",
                         topology: str = "all", ring_seconds: float = 20.0, days: int = 3,
                         warmup_days: int = 1,
                         backoffice: tuple[float, float] | None = None) -> dict[str, Any]:
    """The secretariat reduced to ``groups`` M/M/c(+M) queues, as config data: ``c`` secretaries and ``lam``
    calls per minute per group, talk Exp(mu), patience Exp(theta) (None: infinite), norm ``t`` minutes.

    ``backoffice`` = (tasks per minute per group, mean work minutes): a back-office task type (exponential
    work, no custom work, norm 24 hours) that calls preempt.
    """
    per_day = lam * MINUTES_PER_DAY
    calls: dict[str, Any] = {
        "per_staff_per_day": per_day, "external_share": 0.0, "profile": flat_day(),
        "talk_minutes": {"dist": "exponential", "mean": 1.0 / mu}, "norm_seconds": t * 60.0,
        "custom_share": 0.0, "callback_share": 0.0,
    }
    if theta is not None:
        calls["patience_seconds"] = {"dist": "exponential", "mean": 60.0 / theta}
    tasks: dict[str, Any] = {}
    if backoffice is not None:
        rate, work = backoffice
        tasks["backoffice"] = {"per_staff_per_day": rate * MINUTES_PER_DAY, "arrivals": "spread",
                               "profile": flat_day(), "work_minutes": {"dist": "exponential", "mean": work},
                               "norm_working_hours": 24, "custom_share": 0.0}
    return {
        "name": name,
        "description": "validation: the model reduced to M/M/c queues round the clock",
        "run": {"days": days, "warmup_days": warmup_days, "seed": 1},
        "calendar": {"working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "open": "00:00",
                     "close": "24:00"},
        "organisation": {
            "setup": "central",
            "departments": [{"name": f"D{g + 1}", "staff": 1, "cluster": f"C{g + 1}"} for g in range(groups)],
            "secretaries": [{"name": f"S{g + 1}_{i + 1}", "departments": [f"D{g + 1}"], "start": "00:00",
                             "end": "24:00", "lunch_minutes": 0} for g in range(groups) for i in range(c)],
        },
        "dispatch": {"calls": "preempt", "custom_penalty": 1.0,
                     "exchange": {"policy": policy, "topology": topology, "ring_seconds": ring_seconds}},
        "absence": {"sickness": {"share": 0.0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": calls, "tasks": tasks},
    }


def warmup_days(c: int, lam: float, mu: float) -> int:
    """Whole days covering RELAXATION_TIMES relaxation times of an M/M/c queue started empty.

    The relaxation time of M/M/c is about 1 / (mu (sqrt(c) - sqrt(a))^2), a = lam / mu (Morse 1955 for
    M/M/1; the spectral gap (sqrt(c mu) - sqrt(lam))^2 of the queue while all servers are busy). Abandonment
    only shortens it, so an overloaded Erlang A queue gets one day.
    """
    a = lam / mu
    if a >= c:
        return 1
    relax = 1.0 / (mu * (math.sqrt(c) - math.sqrt(a)) ** 2)
    return max(1, math.ceil(RELAXATION_TIMES * relax / MINUTES_PER_DAY))


def call_stats(result: Result) -> dict[str, float]:
    """The call quantities of one replication, over all call queues of the run.

    p_wait: share of calls that found no one free and queued; wq: mean time in queue of all calls offered
    (abandoned calls until they hang up, calls still waiting at the end until the end); service_level: share
    answered within the norm (reachability); p_abandon, utilisation: the KPIs.
    """
    queues = [r for r in result.tables["little"] if r["queue"].startswith("calls/")]
    arrivals = sum(r["arrivals"] for r in queues)
    kpi = result.kpi
    return {
        "p_wait": sum(r["delayed"] for r in queues) / arrivals,
        "wq": sum(r["W_minutes"] * r["arrivals"] for r in queues) / arrivals,
        "service_level": kpi["reachability"],
        "p_abandon": kpi["calls_abandoned"],
        "utilisation": kpi["utilisation"],
    }


def simulate(scenario: Scenario, seeds: Sequence[int], transform: Transform | None) -> list[Result]:
    """Run ``scenario`` (after ``transform``: a deliberately changed model, for tests) once per seed."""
    run = transform(scenario) if transform is not None else scenario
    return [run_replication(run, seed) for seed in seeds]


def _column(rows: Sequence[dict[str, float]], key: str) -> tuple[float, ...]:
    return tuple(float(r[key]) for r in rows)


def _params(c: int, lam: float, mu: float = MU, **extra: Any) -> dict[str, Any]:
    return {"c": c, "lam": lam, "mu": mu, **extra, "time_unit": TIME_UNIT}


ERLANG_C_QUANTITIES = (
    ("p_wait", "P(wait)"),
    ("wq", "Wq: mean wait, all calls (min)"),
    ("service_level", "service level P(W <= t)"),
    ("utilisation", "utilisation"),
)


def _erlang_c_values(c: int, lam: float, mu: float, t: float) -> dict[str, float]:
    return {"p_wait": theory.erlang_c(c, lam / mu), "wq": theory.erlang_c_wq(c, lam, mu),
            "service_level": theory.erlang_c_service_level(c, lam, mu, t),
            "utilisation": theory.utilisation(c, lam, mu)}


# ------------------------------------------------------------------------------------------------ cases
def erlang_c_case(s: Settings, seeds: Sequence[int], transform: Transform | None) -> list[Check]:
    """M/M/c: one group, Poisson calls, exponential talk, infinite patience."""
    checks: list[Check] = []
    for c, rho in s.erlang_c:
        lam = rho * c * MU
        scenario = round_the_clock(name=f"erlang_c_{c}", c=c, lam=lam, days=s.days,
                                   warmup_days=warmup_days(c, lam, MU))
        sims = [call_stats(r) for r in simulate(scenario, seeds, transform)]
        exact = _erlang_c_values(c, lam, MU, T)
        params = _params(c, lam, t=T)
        checks += [Estimate("Erlang C", label, params, _column(sims, key), exact[key])
                   for key, label in ERLANG_C_QUANTITIES]
    return checks


def erlang_a_case(s: Settings, seeds: Sequence[int], transform: Transform | None) -> list[Check]:
    """M/M/c+M: as Erlang C, with exponential patience (stable at any load)."""
    checks: list[Check] = []
    for c, rho, theta in s.erlang_a:
        lam = rho * c * MU
        scenario = round_the_clock(name=f"erlang_a_{c}", c=c, lam=lam, theta=theta, days=s.days,
                                   warmup_days=warmup_days(c, lam, MU))
        sims = [call_stats(r) for r in simulate(scenario, seeds, transform)]
        exact = theory.erlang_a(c, lam, MU, theta, T)
        assert exact.service_level is not None
        values = {"p_abandon": exact.p_abandon, "p_wait": exact.p_wait, "wq": exact.wq,
                  "service_level": exact.service_level,
                  "utilisation": lam * (1 - exact.p_abandon) / (c * MU)}
        labels = (("p_abandon", "P(abandon)"), ("p_wait", "P(wait)"),
                  ("wq", "Wq: mean time in queue, all calls (min)"),
                  ("service_level", "P(answered within t), all calls"), ("utilisation", "utilisation"))
        params = _params(c, lam, theta=theta, t=T)
        checks += [Estimate("Erlang A", label, params, _column(sims, key), values[key])
                   for key, label in labels]
    return checks


#: Pooling case: three clusters of four secretaries at utilisation 0.8.
POOL_GROUPS, POOL_C, POOL_RHO = 3, 4, 0.8


def pooling_case(s: Settings, seeds: Sequence[int], transform: Transform | None) -> list[Check]:
    """Separate clusters (M/M/4 each) and one pool (M/M/12) against Erlang C; a chain lies between."""
    lam = POOL_RHO * POOL_C * MU
    wd = warmup_days(POOL_C, lam, MU)

    def run(policy: str, **exchange: Any) -> list[dict[str, float]]:
        scenario = round_the_clock(name=f"pooling_{policy}", c=POOL_C, lam=lam, groups=POOL_GROUPS,
                                   policy=policy, days=s.days, warmup_days=wd, **exchange)
        return [call_stats(r) for r in simulate(scenario, seeds, transform)]

    separate, pooled = run("none"), run("pool")
    chain = run("overflow", topology="chain", ring_seconds=0.0)
    exact = theory.pooled_vs_separate(POOL_C, POOL_GROUPS, lam, MU, T)
    labels = (("p_wait", "P(wait)"), ("wq", "Wq (min)"), ("service_level", "P(W <= t)"))
    checks: list[Check] = []
    setups = (("separate", separate, _params(POOL_C, lam, t=T, groups=POOL_GROUPS, policy="none")),
              ("pooled", pooled, _params(POOL_GROUPS * POOL_C, POOL_GROUPS * lam, t=T, policy="pool")))
    for setup, sims, params in setups:
        checks += [Estimate("Pooling", f"{label}, {setup}", params, _column(sims, key), exact[setup][key])
                   for key, label in labels]
    chain_params = _params(POOL_C, lam, t=T, groups=POOL_GROUPS, policy="overflow", topology="chain",
                           ring_seconds=0.0)
    for key, label in labels[1:]:  # P(wait) of the chain counts calls that overflowed at once: not comparable
        a, b = sorted((exact["pooled"][key], exact["separate"][key]))
        checks.append(Estimate("Pooling", f"{label}, chain: between pool and separate", chain_params,
                               _column(chain, key), None, a, b))
    return checks


#: Blending case: five secretaries, 3 Erlang of calls, back-office work of 10 minutes arriving at twice the
#: capacity the calls leave, so that there is always back-office work.
BLEND_C, BLEND_A, BLEND_WORK = 5, 3.0, 10.0


def blending_case(s: Settings, seeds: Sequence[int], transform: Transform | None) -> list[Check]:
    """Calls preempt always-available back-office work: calls are Erlang C, back office gets (c - A) mu_b."""
    lam, mu_b = BLEND_A * MU, 1.0 / BLEND_WORK
    capacity = theory.blending_backoffice_throughput(BLEND_C, lam, MU, mu_b)
    scenario = round_the_clock(name="blending", c=BLEND_C, lam=lam, days=s.days,
                               warmup_days=warmup_days(BLEND_C, lam, MU),
                               backoffice=(2 * capacity, BLEND_WORK))
    results = simulate(scenario, seeds, transform)
    sims = [call_stats(r) for r in results]
    exact = _erlang_c_values(BLEND_C, lam, MU, T)
    params = _params(BLEND_C, lam, t=T, mu_backoffice=mu_b, backoffice_arrivals=2 * capacity)
    checks: list[Check] = [
        Estimate("Call blending", f"calls: {label}", params, _column(sims, key), exact[key])
        for key, label in ERLANG_C_QUANTITIES[:3]
    ]
    checks.append(Estimate("Call blending", "back-office throughput (tasks/min)", params,
                           tuple(backoffice_throughput(r, BLEND_WORK) for r in results), capacity))
    return checks


def backoffice_throughput(result: Result, mean_work: float) -> float:
    """Back-office work done per minute per the team, in tasks of ``mean_work`` minutes.

    Work done is time in the task state (no custom penalty here, so one minute of work per minute); counting
    finished tasks instead would miss the tasks of the warm-up that are finished in the measured window.
    """
    rows = result.tables["per_secretary"]
    task_minutes = 60 * sum(r["task_hours"] for r in rows)
    minutes_on_duty = 60 * sum(r["present_hours"] for r in rows) / len(rows)
    return task_minutes / minutes_on_duty / mean_work


#: Time-varying case: calls per day of the thinning check and of the model run.
THINNING_VOLUME = 100.0
PROFILE_RUN_VOLUME = 200.0


def thinning_counts(days: int, daily_volume: float, profile: Profile, seed: int) -> np.ndarray:
    """Arrivals of the model's thinning generator per (day, profile slot), as a days x slots array."""
    env = simpy.Environment()
    n_slots = len(profile.weights)
    counts = [0] * (days * n_slots)
    offset, slot = clock_minutes(profile.start), profile.slot_minutes

    def emit(t: float) -> None:
        day = int(t // MINUTES_PER_DAY)
        counts[day * n_slots + int((t - day * MINUTES_PER_DAY - offset) // slot)] += 1

    stream = Stream(seed, "validation/thinning")
    env.process(thinning(env, stream, daily_volume, profile, list(range(days)), emit))
    env.run()
    return np.array(counts, dtype=float).reshape(days, n_slots)


def _chi2_region(df: int) -> Callable[[float], tuple[float, float]]:
    """Two-sided acceptance region of chi-square / df with ``df`` degrees of freedom."""
    return lambda alpha: (stats.chi2.ppf(alpha / 2, df) / df, stats.chi2.ppf(1 - alpha / 2, df) / df)


def _normal_region(sd: float) -> Callable[[float], tuple[float, float]]:
    """Two-sided acceptance region 1 +- z sd of a statistic that is about normal with mean 1."""
    return lambda alpha: (1 - stats.norm.ppf(1 - alpha / 2) * sd, 1 + stats.norm.ppf(1 - alpha / 2) * sd)


def pearson(observed: np.ndarray, expected: np.ndarray) -> float:
    """Pearson's statistic sum (O - E)^2 / E for counts with fully specified expectations."""
    return float(np.sum((observed - expected) ** 2 / expected))


def hourly_mass(profile: Profile) -> np.ndarray:
    """Share of a day's volume that the piecewise-constant profile puts in each clock hour (24 values)."""
    weights = np.asarray(profile.weights, dtype=float) / sum(profile.weights)
    start, slot = clock_minutes(profile.start), profile.slot_minutes
    mass = np.zeros(24)
    for i, w in enumerate(weights):
        a, b = start + i * slot, start + (i + 1) * slot
        for h in range(int(a // 60), min(24, math.ceil(b / 60))):
            mass[h] += w * (min(b, 60 * (h + 1)) - max(a, 60 * h)) / slot
    return mass


def time_varying_case(s: Settings, seeds: Sequence[int], transform: Transform | None) -> list[Check]:
    """The thinning generator against its profile, and a model run's calls per hour against the profile."""
    profile = OFFICE_PROFILE
    counts = thinning_counts(s.thinning_days, THINNING_VOLUME, profile, seeds[0])
    mean = THINNING_VOLUME * np.asarray(profile.weights) / sum(profile.weights)  # per day and slot
    n_days, n_slots = counts.shape
    span = profile.slot_minutes * n_slots
    params = {"c": None, "lam": THINNING_VOLUME / span, "mu": None, "days": n_days,
              "daily_volume": THINNING_VOLUME, "profile": "office", "slot_minutes": profile.slot_minutes,
              "time_unit": TIME_UNIT}
    gof = pearson(counts.sum(axis=0), n_days * mean) / n_slots
    # Poisson counts: E[(x - m)^2 / m] = 1 and Var = 2 + 1/m; the sum over many cells is normal
    dispersion = pearson(counts, np.broadcast_to(mean, counts.shape)) / counts.size
    sd = math.sqrt(n_days * float(np.sum(2 + 1 / mean))) / counts.size
    checks: list[Check] = [
        FitTest("Time-varying arrivals", "thinning: half-hour totals, chi-square / df", params, gof,
                _chi2_region(n_slots), n_days,
                f"Pearson chi-square with {n_slots} df (expectations fully given)"),
        FitTest("Time-varying arrivals", "thinning: Poisson dispersion per half hour", params, dispersion,
                _normal_region(sd), n_days,
                "mean of (x - m)^2 / m over days and slots: 1 for Poisson counts (normal approximation)"),
    ]
    checks.append(_profile_run_check(s, seeds, transform, profile))
    return checks


def _profile_run_check(s: Settings, seeds: Sequence[int], transform: Transform | None,
                       profile: Profile) -> Check:
    """A weekday office-hours model run: calls offered per clock hour (per_hour table) against the profile."""
    scenario = parse_scenario({
        "name": "time_varying", "run": {"days": s.profile_days, "warmup_days": 0},
        "calendar": {"open": "08:00", "close": "18:00"},
        "organisation": {"setup": "decentralised", "departments": [{"name": "D1", "staff": 1}],
                         "secretaries": [{"name": f"S{i + 1}", "departments": ["D1"], "start": "08:00",
                                          "end": "18:00", "lunch_minutes": 0} for i in range(10)]},
        "dispatch": {"exchange": {"policy": "none"}},
        "absence": {"sickness": {"share": 0.0}, "leave": {"days_per_year": 0}},
        "demand": {"calls": {"per_staff_per_day": PROFILE_RUN_VOLUME, "profile": profile.model_dump(),
                             "talk_minutes": {"dist": "exponential", "mean": MEAN_TALK},
                             "callback_share": 0.0}},
    }, "<validation time_varying>")
    runs = seeds[: max(2, min(len(seeds), 3))]
    offered = np.zeros(24)
    for result in simulate(scenario, runs, transform):
        for row in result.tables["per_hour"]:
            offered[row["hour"]] += row["offered"]
    mass = hourly_mass(profile)
    hours = mass > 0
    expected = len(runs) * s.profile_days * PROFILE_RUN_VOLUME * mass
    value = pearson(offered[hours], expected[hours]) / int(hours.sum())
    params = {"c": 10, "lam": PROFILE_RUN_VOLUME / 600, "mu": MU, "days": s.profile_days * len(runs),
              "daily_volume": PROFILE_RUN_VOLUME, "profile": "office", "time_unit": TIME_UNIT}
    return FitTest("Time-varying arrivals", "model per_hour: calls offered, chi-square / df",
                   params, value, _chi2_region(int(hours.sum())), len(runs),
                   f"Pearson chi-square with {int(hours.sum())} df on the per_hour table")


# ------------------------------------------------------------------------- per interval (SIPP)
#: SIPP case: a two-level day (low 00-12, high 12-24) for c servers round the clock; slots far from a switch.
SIPP_C, SIPP_RHO_LOW, SIPP_RHO_HIGH = 5, 0.4, 0.85
SIPP_SLOTS = (8, 36)  # 04:00-04:30 (four hours after the drop) and 18:00-18:30 (six hours after the rise)


def sipp_case(s: Settings, seeds: Sequence[int], transform: Transform | None) -> list[Check]:
    """SIPP where its assumptions hold: Poisson calls whose rate changes slowly (two levels, twelve hours
    each) against a fixed staff of exponential servers who only take calls. Far from the switches each half
    hour is a stationary Erlang C queue, so the simulated per-interval reachability must match it."""
    lam_low, lam_high = SIPP_RHO_LOW * SIPP_C * MU, SIPP_RHO_HIGH * SIPP_C * MU
    data = round_the_clock_data(name="sipp", c=SIPP_C, lam=(lam_low + lam_high) / 2, days=s.days,
                                warmup_days=1)
    data["demand"]["calls"]["profile"] = {"start": "00:00", "slot_minutes": 60,
                                          "weights": [SIPP_RHO_LOW] * 12 + [SIPP_RHO_HIGH] * 12}
    scenario = parse_scenario(data, "<validation sipp>")
    results = simulate(scenario, seeds, transform)
    checks: list[Check] = []
    for slot in SIPP_SLOTS:
        lam = lam_low if slot < 24 else lam_high
        samples = []
        for r in results:
            row = next(x for x in r.tables["per_half_hour"] if x["slot"] == slot)
            samples.append(row["answered_within_norm"] / row["offered"])
        hhmm = f"{slot // 2:02d}:{30 * (slot % 2):02d}"
        checks.append(Estimate("SIPP", f"reachability {hhmm}-{(slot + 1) // 2:02d}:{30 * ((slot + 1) % 2):02d}",
                               _params(SIPP_C, lam, t=T), tuple(samples),
                               theory.sipp_service_level(SIPP_C, lam, MU, 0.0, T)))
    return checks


def default_configs_dir() -> Path:
    """The shipped configs: ``configs/`` beside the package (a source checkout), else the working folder's."""
    # the folder holding the top package ``sim``, however deep this module sits in it
    beside = Path(__file__).resolve().parents[__name__.count(".")] / "configs"
    return beside if beside.is_dir() else Path("configs")


def little_case(s: Settings, seeds: Sequence[int], transform: Transform | None,
                configs_dir: Path | None = None) -> list[Check]:
    """Little's law for every queue of every shipped config.

    Over a finite window [t0, T] the metrics give L = (area under the queue length) / (T - t0) and
    lambda W = (sum of the measured items' times in the queue) / (T - t0), where items still waiting at T
    count until T. Every item that arrives in the window adds the same time to both, so
    L - lambda W = (area of the items that arrived before t0, the warm-up's carry-in) / (T - t0), exactly.
    Hence: started empty (warm-up 0) L = lambda W is an identity, checked to rounding (relative 1e-9) for
    every queue; with the config's own warm-up, L >= lambda W, the gap being that carry-in.
    """
    folder = configs_dir or default_configs_dir()
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise ConfigError(str(folder), "holds no configs (*.yaml)")
    checks: list[Check] = []
    runs = seeds[: s.little_replications]
    for path in paths:
        empty = simulate(load_scenario(path, ["run.warmup_days=0"]), runs, transform)
        shipped_scenario = load_scenario(path)
        shipped = simulate(shipped_scenario, runs, transform)
        c = len(shipped_scenario.organisation.secretaries)
        for q, row in enumerate(empty[0].tables["little"]):
            rows = [r.tables["little"][q] for r in empty]
            params = {"config": path.name, "queue": row["queue"], "lam": row["lambda_per_minute"],
                      "W": row["W_minutes"], "c": c, "mu": None, "time_unit": TIME_UNIT}
            checks.append(Identity("Little's law", "L = lambda W (start empty)", params,
                                   tuple(r["L"] for r in rows), tuple(r["lambda_W"] for r in rows), False,
                                   "identity over a run started empty: |L - lambda W| <= 1e-9 relative"))
        gaps = [(r["L"], r["lambda_W"]) for res in shipped for r in res.tables["little"]]
        worst = min(gaps, key=lambda g: g[0] - g[1])
        params = {"config": path.name, "queue": "all", "queues": len(shipped[0].tables["little"]),
                  "warmup_days": shipped_scenario.run.warmup_days, "c": c, "lam": None, "mu": None,
                  "time_unit": TIME_UNIT}
        checks.append(Identity("Little's law", "L >= lambda W (after warm-up; closest)",
                               params, (worst[0],), (worst[1],), True,
                               "L - lambda W is the warm-up's carry-in, never negative"))
    return checks


def example_configs(days: int = 20) -> dict[str, dict[str, Any]]:
    """The quick mode's round-the-clock scenarios as config data, ``days`` measured days each.

    They are shipped as ``configs/validation/<name>.yaml`` (a test keeps the files equal to this), so that
    anyone can ``sim run`` the reduced model and compare its KPIs with the theory by hand.
    """
    (c, rho), (ca, rho_a, theta) = QUICK.erlang_c[0], QUICK.erlang_a[0]
    pool_lam = POOL_RHO * POOL_C * MU
    pooling = {"name": "", "c": POOL_C, "lam": pool_lam, "groups": POOL_GROUPS, "days": days,
               "warmup_days": warmup_days(POOL_C, pool_lam, MU)}
    capacity = theory.blending_backoffice_throughput(BLEND_C, BLEND_A * MU, MU, 1.0 / BLEND_WORK)
    specs: dict[str, dict[str, Any]] = {
        "erlang_c": {"c": c, "lam": rho * c * MU, "days": days,
                     "warmup_days": warmup_days(c, rho * c * MU, MU)},
        "erlang_a": {"c": ca, "lam": rho_a * ca * MU, "theta": theta, "days": days,
                     "warmup_days": warmup_days(ca, rho_a * ca * MU, MU)},
        "pooling_separate": {**pooling, "policy": "none"},
        "pooling_pool": {**pooling, "policy": "pool"},
        "pooling_chain": {**pooling, "policy": "overflow", "topology": "chain", "ring_seconds": 0.0},
        "blending": {"c": BLEND_C, "lam": BLEND_A * MU, "days": days,
                     "backoffice": (2 * capacity, BLEND_WORK),
                     "warmup_days": warmup_days(BLEND_C, BLEND_A * MU, MU)},
    }
    return {name: round_the_clock_data(**{**spec, "name": f"validation_{name}"})
            for name, spec in specs.items()}


CaseFunction = Callable[[Settings, Sequence[int], Transform | None], list[Check]]

#: Every case: key -> (name in the table, function).
CASES: dict[str, tuple[str, CaseFunction]] = {
    "erlang_c": ("Erlang C", erlang_c_case),
    "erlang_a": ("Erlang A", erlang_a_case),
    "pooling": ("Pooling", pooling_case),
    "blending": ("Call blending", blending_case),
    "time_varying": ("Time-varying arrivals", time_varying_case),
    "sipp": ("SIPP", sipp_case),
    "little": ("Little's law", little_case),
}


# ------------------------------------------------------------------------------------------------- API
def validate(mode: str = "quick", *, replications: int | None = None, seed: int = 1,
             cases: Sequence[str] | None = None, transform: Transform | None = None,
             configs_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> list[Row]:
    """Run the validation cases and return one :class:`Row` per quantity.

    ``mode`` "quick" (CI, well under a minute) or "full" (researchers, minutes); ``replications`` overrides
    the mode's count (at least 2); ``cases`` selects keys of :data:`CASES`; ``transform`` changes every
    simulated scenario but not the theory (to show that a broken model fails); ``configs_dir`` holds the
    configs for Little's law (default: the shipped ones).
    """
    settings = {"quick": QUICK, "full": FULL}[mode]
    n = settings.replications if replications is None else replications
    if n < 2:
        raise ValueError(f"replications: at least 2 for a confidence interval, got {n}")
    selected = list(CASES) if cases is None else list(cases)
    unknown = [c for c in selected if c not in CASES]
    if unknown:
        raise ValueError(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    seeds = replication_seeds(seed, n)
    checks: list[Check] = []
    for key in selected:
        name, function = CASES[key]
        started = time.perf_counter()
        if key == "little":
            function = partial(little_case, configs_dir=configs_dir)
        found = function(settings, seeds, transform)
        checks += found
        if progress is not None:
            progress(f"{name}: {len(found)} checks in {time.perf_counter() - started:.1f} s")
    return finish(checks)


# ------------------------------------------------------------------------------------------------ table
def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.4g}"


def _param_text(params: dict[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if value is None or key == "time_unit":
            continue
        parts.append(f"{key}={_num(value) if isinstance(value, float) else value}")
    return " ".join(parts)


def table(rows: Sequence[Row]) -> str:
    """The validation table as text: case, parameters, quantity, theory, mean, interval, pass."""
    # columns as wide as their longest entry: parameters and quantities are never cut (``lam=0.`` said nothing)
    wp = max([len("parameters"), *(len(_param_text(r.params)) for r in rows)]) + 2
    wq = max([len("quantity"), *(len(r.quantity) for r in rows)]) + 2
    wc = max([len("case"), *(len(r.case) for r in rows)]) + 2
    head = (f"{'case':<{wc}}{'parameters':<{wp}}{'quantity':<{wq}}{'theory':>17}{'mean':>11}  "
            f"{'95% interval':<24}pass")
    lines = [head, "-" * len(head)]
    for r in rows:
        th = _num(r.theory) if r.theory is not None else f"[{_num(r.theory_low)},{_num(r.theory_high)}]"
        ci = f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"
        lines.append(f"{r.case:<{wc}}{_param_text(r.params):<{wp}}{r.quantity:<{wq}}{th:>17}{_num(r.mean):>11}"
                     f"  {ci:<24}{'PASS' if r.passed else 'FAIL'}")
    return "\n".join(lines)


def summary(rows: Sequence[Row]) -> str:
    failed = [r for r in rows if not r.passed]
    m = sum(1 for r in rows if r.level is not None)
    verdict = f"{len(rows) - len(failed)} of {len(rows)} checks pass"
    if failed:
        verdict += f", {len(failed)} FAIL"
    return (f"{verdict}. Time unit: minute. Intervals are simultaneous 95% t-intervals over replications "
            f"(Bonferroni over {m} statistical rows);\nfit rows show the statistic / df with its acceptance "
            "region; Little's law rows are identities (interval: min and max over runs).")


__all__ = ["CASES", "FULL", "QUICK", "Row", "Settings", "example_configs", "round_the_clock", "sipp_rows",
           "round_the_clock_data", "table", "validate"]
