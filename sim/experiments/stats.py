"""Output analysis: confidence intervals over replications and how many replications are enough.

One replication is an anecdote. Over ``n`` independent replications a KPI's mean gets a Student-t interval:
mean ± t(1 - alpha/2, n - 1) · sd / sqrt(n). Two setups run on the same replication seeds see the same
demand (common random numbers), so their *paired* differences, one per replication, have a smaller variance
than two independent samples; the difference gets the same t-interval, and it is *significant* when that
interval excludes zero.

The replications algorithm of Hoad, Robinson & Davies (2010), "Automated selection of the number of
replications for a discrete-event simulation", JORS 61(11), as sim-tools (Monks) implements it: keep adding
replications until the interval's relative half-width (half-width / |mean|) is at most the target, and stays
there for a look-ahead of ``k_limit`` more replications (5, or 5% of n beyond 100).

Intervals respect each KPI's range (:func:`summarize_kpi`, the range declared in :mod:`sim.kpis`): a share
gets a logit-scale interval, a non-negative quantity (durations, rates) a log-scale one, both by the delta
method around the mean over replications, so they never leave [0, 1] or go below 0. A pooled share of events
(:func:`ratio_estimate`) gets a logit-scale ratio-estimator interval, or Wilson's at the bounds.

Missing values (a KPI that a replication could not measure, e.g. a service level with no requests) are
skipped; every summary reports the ``n`` it is based on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats as _st

#: Significance level of every interval: 95% intervals.
ALPHA = 0.05


@dataclass(frozen=True)
class Summary:
    """Mean, standard deviation and t-interval of one KPI over replications (None where undefined)."""

    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    method: str = "t"

    @property
    def half_width(self) -> float | None:
        if self.ci_low is None or self.ci_high is None:
            return None
        return (self.ci_high - self.ci_low) / 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Difference:
    """A paired difference (setup minus reference) over replications, with its t-interval."""

    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.lru_cache(maxsize=4096)
def t_quantile(n: int, alpha: float = ALPHA) -> float:
    """The two-sided Student-t quantile for ``n`` observations."""
    return float(_st.t.ppf(1 - alpha / 2, n - 1))


def _values(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def mean_sd(xs: Sequence[float]) -> tuple[float, float | None]:
    """Mean and sample standard deviation (None for one value); summed in the given order."""
    n = len(xs)
    mean = math.fsum(xs) / n
    if n < 2:
        return mean, None
    var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    return mean, math.sqrt(var)


def summarize(values: Sequence[float | None], alpha: float = ALPHA) -> Summary:
    """Mean, sd and the (1 - alpha) t-interval of the non-missing values."""
    return t_summary(_values(values), alpha)


def t_summary(xs: Sequence[float], alpha: float = ALPHA) -> Summary:
    """Mean, sd and the two-sided (1 - alpha) Student-t interval of ``xs`` as given: nothing is dropped, so a
    nan among them makes every figure nan. The one t-interval of the package (:func:`summarize` drops missing
    values first; the validation suite uses it as it is)."""
    if not xs:
        return Summary(None, None, None, None, 0)
    mean, sd = mean_sd(xs)
    if sd is None:
        return Summary(mean, None, None, None, len(xs))
    half = t_quantile(len(xs), alpha) * sd / math.sqrt(len(xs))
    return Summary(mean, sd, mean - half, mean + half, len(xs))


def paired_difference(values: Sequence[float | None], reference: Sequence[float | None],
                      alpha: float = ALPHA) -> Difference:
    """The t-interval of ``values[i] - reference[i]`` over the replications where both are known."""
    if len(values) != len(reference):
        raise ValueError(f"paired samples differ in length: {len(values)} and {len(reference)}")
    diffs = [a - b for a, b in zip(values, reference, strict=True)
             if a is not None and b is not None and math.isfinite(a) and math.isfinite(b)]
    s = summarize(diffs, alpha)
    significant = s.ci_low is not None and s.ci_high is not None and (s.ci_low > 0 or s.ci_high < 0)
    return Difference(s.mean, s.sd, s.ci_low, s.ci_high, s.n, bool(significant))


def ratio_estimate(numerators: Sequence[float], denominators: Sequence[float],
                   alpha: float = ALPHA, scale: str = "t") -> Summary:
    """A pooled share over replications, sum(y) / sum(x), with the ratio estimator's interval.

    For a share of events (calls answered in time, e-mails done within the norm) this weighs each replication
    by its number of events, so a replication with two call-backs does not count as much as one with two
    hundred. The standard error is Cochran's, from the replications (the independent units, so it carries
    any overdispersion between them): with d_i = y_i - R x_i, se = sqrt(sum d_i^2 / (n - 1) / n) / mean(x).

    ``scale="t"`` (what ``sim staff`` judges its norms on): R ± t · se, clipped to [0, 1]; clipping changes
    no decision against a norm inside (0, 1), so staffing answers are those of the plain t-interval.
    ``scale="logit"``: logit(R) ± t · se / (R (1 - R)), mapped back, inside (0, 1) by construction and
    asymmetric near the bounds; it is wide when se is close to 1 - R (few replications near 100%).
    Where the replications show no spread (every one at 100%, say) the interval is that point
    (:func:`wilson` on the pooled counts gives the binomial interval there). Replications with no events
    count in n (they carry no information on the share). ``sd`` is the standard error times sqrt(n), the
    spread of a replication's contribution."""
    if scale not in ("t", "logit"):
        raise ValueError(f"scale must be 't' or 'logit', not {scale!r}")
    n = len(numerators)
    if n != len(denominators):
        raise ValueError("numerators and denominators differ in length")
    total_x = math.fsum(denominators)
    if n == 0 or total_x <= 0:
        return Summary(None, None, None, None, 0)
    total_y = math.fsum(numerators)
    ratio = total_y / total_x
    if n < 2:
        return Summary(ratio, None, None, None, n)
    resid = math.fsum((y - ratio * x) ** 2 for y, x in zip(numerators, denominators, strict=True))
    se = math.sqrt(resid / (n - 1) / n) / (total_x / n)
    half = t_quantile(n, alpha) * se
    if scale == "logit":
        if se > 0 and 0 < ratio < 1:
            low, high = _logit_bounds(ratio, half)
            return Summary(ratio, se * math.sqrt(n), low, high, n, "logit ratio")
        return Summary(ratio, se * math.sqrt(n), ratio, ratio, n, "logit ratio")
    return Summary(ratio, se * math.sqrt(n), max(0.0, ratio - half), min(1.0, ratio + half), n, "ratio t, clipped")


def wilson(successes: float, trials: float, alpha: float = ALPHA) -> tuple[float, float]:
    """The Wilson score interval of a binomial share (Wilson 1927); inside [0, 1] by construction."""
    if trials <= 0:
        raise ValueError("the Wilson interval needs at least one trial")
    z = float(_st.norm.ppf(1 - alpha / 2))
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _logit_bounds(p: float, half_se: float) -> tuple[float, float]:
    """``p`` in (0, 1) with a half-width ``half_se`` on its own scale, as bounds from the logit scale (delta
    method: d logit(p) / dp = 1 / (p (1 - p)))."""
    centre = math.log(p / (1 - p))
    h = half_se / (p * (1 - p))
    return _expit(centre - h), _expit(centre + h)


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def summarize_share(values: Sequence[float | None], alpha: float = ALPHA) -> Summary:
    """The mean of per-replication shares (each in [0, 1]) with a logit-scale interval.

    The mean gets the usual standard error sd / sqrt(n) from the replications, the independent units; the
    interval is formed for logit(mean) by the delta method and mapped back, so it stays inside (0, 1) and is
    asymmetric near the bounds, as the sampling distribution of a share near 100% is. Where every replication
    gives the same share the interval is that point."""
    s = summarize(values, alpha)
    if s.mean is None or s.sd is None:
        return Summary(s.mean, s.sd, s.ci_low, s.ci_high, s.n, "logit")
    mean = min(1.0, max(0.0, s.mean))
    if s.sd == 0 or mean in (0.0, 1.0):
        return Summary(s.mean, s.sd, mean, mean, s.n, "logit")
    low, high = _logit_bounds(mean, t_quantile(s.n, alpha) * s.sd / math.sqrt(s.n))
    return Summary(s.mean, s.sd, low, high, s.n, "logit")


def summarize_positive(values: Sequence[float | None], alpha: float = ALPHA) -> Summary:
    """The mean of a non-negative, often skewed quantity (a duration, a rate) with a log-scale interval:
    mean · exp(± t · (sd / mean) / sqrt(n)), the delta method for log(mean). It cannot go below 0 and is
    longer upwards, as the sampling distribution of a mean of right-skewed values is. Negative values (not a
    positive quantity after all) fall back to the t-interval."""
    s = summarize(values, alpha)
    if s.mean is None or s.sd is None:
        return Summary(s.mean, s.sd, s.ci_low, s.ci_high, s.n, "log")
    if any(v < 0 for v in _values(values)):
        return s
    if s.mean == 0 or s.sd == 0:
        return Summary(s.mean, s.sd, s.mean, s.mean, s.n, "log")
    h = t_quantile(s.n, alpha) * s.sd / math.sqrt(s.n) / s.mean
    return Summary(s.mean, s.sd, s.mean * math.exp(-h), s.mean * math.exp(h), s.n, "log")


def summarize_kpi(kpi: str, values: Sequence[float | None], alpha: float = ALPHA) -> Summary:
    """The interval that respects ``kpi``'s range (see :mod:`sim.kpis`): logit scale for shares, log scale
    for non-negative quantities, Student-t for the rest."""
    from sim.kpis import scale_of

    scale = scale_of(kpi)
    if scale == "share":
        return summarize_share(values, alpha)
    if scale == "positive":
        return summarize_positive(values, alpha)
    return summarize(values, alpha)


def relative_half_width(values: Sequence[float | None], alpha: float = ALPHA) -> float | None:
    """Half-width over |mean| of the t-interval; None while it is undefined (n < 2, or mean 0 with spread).

    A KPI without any spread (every replication equal) is as precise as it gets: 0.
    """
    s = summarize(values, alpha)
    if s.half_width is None or s.mean is None:
        return None
    if s.half_width == 0:
        return 0.0
    if s.mean == 0:
        return None
    return s.half_width / abs(s.mean)


@dataclass(frozen=True)
class ReplicationsAlgorithm:
    """Hoad, Robinson & Davies (2010): the number of replications for a target relative half-width.

    :meth:`decide` reads the KPI's values in replication order and says where a sequential run would stop.
    It is a pure function of the sequence, so the answer does not depend on how many replications were run
    in parallel beyond it.
    """

    target: float = 0.05
    alpha: float = ALPHA
    initial: int = 3
    look_ahead: int = 5
    budget: int = 1000

    def __post_init__(self) -> None:
        if not self.target > 0:
            raise ValueError(f"the target relative half-width must be positive, not {self.target}")
        if self.initial < 2:
            raise ValueError("at least 2 initial replications are needed for an interval")
        if self.budget < self.initial:
            raise ValueError(f"the budget ({self.budget}) is below the initial replications ({self.initial})")

    def k_limit(self, n: int) -> int:
        """Look-ahead after precision is first met: ``look_ahead`` up to 100 replications, then 5% of n."""
        return int(self.look_ahead / 100 * max(n, 100))

    def decide(self, values: Sequence[float | None]) -> tuple[int | None, int | None]:
        """``(solution, stop)``: the least n whose precision held through the look-ahead, and the number of
        replications a sequential run would have made to know it. ``(None, None)`` if the values so far do not
        settle it; ``(None, budget)`` if the budget is spent without reaching the target."""
        solution: int | None = None
        for n in range(self.initial, len(values) + 1):
            rhw = relative_half_width(values[:n], self.alpha)
            if rhw is not None and rhw <= self.target:
                if solution is None:
                    solution = n
                if n - solution >= self.k_limit(solution):
                    return solution, n
            else:
                solution = None
            if n >= self.budget and solution is None:
                return None, n
        return None, None


__all__ = [
    "ALPHA", "Summary", "Difference", "summarize", "t_summary", "paired_difference", "relative_half_width",
    "ratio_estimate", "ReplicationsAlgorithm", "t_quantile", "mean_sd", "wilson", "summarize_share",
    "summarize_positive", "summarize_kpi",
]
