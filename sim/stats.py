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
    xs = _values(values)
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
                   alpha: float = ALPHA) -> Summary:
    """A pooled share over replications, sum(y) / sum(x), with the ratio estimator's t-interval.

    For a share of events (calls answered in time, e-mails done within the norm) this weighs each replication
    by its number of events, so a replication with two call-backs does not count as much as one with two
    hundred. The variance is Cochran's: with d_i = y_i - R x_i, se = sqrt(sum d_i^2 / (n - 1) / n) / mean(x).
    Replications with no events count in n (they carry no information on the share). ``sd`` is the
    standard error times sqrt(n), the spread of a replication's contribution."""
    n = len(numerators)
    if n != len(denominators):
        raise ValueError("numerators and denominators differ in length")
    total_x = math.fsum(denominators)
    if n == 0 or total_x <= 0:
        return Summary(None, None, None, None, 0)
    ratio = math.fsum(numerators) / total_x
    if n < 2:
        return Summary(ratio, None, None, None, n)
    resid = math.fsum((y - ratio * x) ** 2 for y, x in zip(numerators, denominators, strict=True))
    se = math.sqrt(resid / (n - 1) / n) / (total_x / n)
    half = t_quantile(n, alpha) * se
    return Summary(ratio, se * math.sqrt(n), ratio - half, ratio + half, n)


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
    "ALPHA", "Summary", "Difference", "summarize", "paired_difference", "relative_half_width",
    "ratio_estimate", "ReplicationsAlgorithm", "t_quantile", "mean_sd",
]
