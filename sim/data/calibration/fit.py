"""Calibration, fitting: talk and work times by maximum likelihood over the schema's families, and caller
patience from waits as censored data (an answered call shows only that its caller would have waited longer);
the checks that say a fit is implausible (usually a wrong unit)."""


from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from sim.config import Dist

# ------------------------------------------------------------------------------------------------ fitting
#: the families a talk or work time is fitted with (patience adds Weibull: :data:`PATIENCE_FAMILIES`)
FAMILIES = ("exponential", "lognormal", "gamma")


@dataclass
class Fit:
    """One family fitted to a sample: its mean and cv (the schema's parameters) with standard errors."""

    family: str
    mean: float
    cv: float
    loglik: float
    aic: float
    gof: float  # Kolmogorov-Smirnov distance (censored: the largest gap between Kaplan-Meier and the fit)
    n: int
    se_mean: float | None = None
    se_cv: float | None = None
    frozen: Any = None  # the scipy distribution
    note: str = ""  # e.g. a mean extrapolated far beyond the data

    def dist(self) -> Dist:
        # not validated here: the calibrated config is validated whole before it is written, and names the field
        return Dist.model_construct(dist=self.family, mean=rounded(self.mean),
                                    cv=1.0 if self.family == "exponential" else rounded(self.cv))


def rounded(x: float, digits: int = 4) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def fit_durations(x: np.ndarray) -> list[Fit]:
    """Maximum likelihood fits of positive durations, best (lowest AIC) first."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    n = len(x)
    if n < 2:
        return []
    fits = []
    m = float(x.mean())
    expon = stats.expon(scale=m)
    ll = -n * math.log(m) - n
    fits.append(Fit("exponential", m, 1.0, ll, 2 - 2 * ll, _ks(x, expon), n, m / math.sqrt(n), None, expon))
    lx = np.log(x)
    mu, s = float(lx.mean()), float(lx.std())
    if s > 0:
        logn = stats.lognorm(s, scale=math.exp(mu))
        ll = -n * math.log(s * math.sqrt(2 * math.pi)) - float(lx.sum()) - n / 2
        mean, cv = math.exp(mu + s * s / 2), math.sqrt(math.expm1(s * s))
        se_mu, se_s = s / math.sqrt(n), s / math.sqrt(2 * n)
        se_mean = mean * math.hypot(se_mu, s * se_s)
        se_cv = s * math.exp(s * s) / cv * se_s
        fits.append(Fit("lognormal", mean, cv, ll, 4 - 2 * ll, _ks(x, logn), n, se_mean, se_cv, logn))
        try:
            k, _, theta = stats.gamma.fit(x, floc=0)
        except (ValueError, RuntimeError, FloatingPointError):  # a sample the optimiser cannot fit: no gamma row
            return sorted(fits, key=lambda f: f.aic)
        gam = stats.gamma(k, scale=theta)
        ll = float(gam.logpdf(x).sum())
        info = n * (float(special.polygamma(1, k)) - 1 / k)  # Fisher information of the shape
        se_k = 1 / math.sqrt(info) if info > 0 else math.nan
        fits.append(Fit("gamma", k * theta, 1 / math.sqrt(k), ll, 4 - 2 * ll, _ks(x, gam), n,
                        float(x.std()) / math.sqrt(n), 0.5 * k**-1.5 * se_k, gam))
    return sorted(fits, key=lambda f: f.aic)


def _ks(x: np.ndarray, dist: Any) -> float:
    sample = x if len(x) <= 20_000 else np.random.default_rng(0).choice(x, 20_000, replace=False)
    return float(stats.kstest(sample, dist.cdf).statistic)


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier survival curve of right-censored data: (event times, survival just after each)."""
    order = np.argsort(times, kind="stable")
    t, e = times[order], events[order].astype(bool)
    n = len(t)
    at_risk = n - np.arange(n)
    uniq, first = np.unique(t, return_index=True)
    d = np.add.reduceat(e.astype(float), first) if n else np.array([])
    r = at_risk[first]
    keep = d > 0
    surv = np.cumprod(1 - d[keep] / r[keep])
    return uniq[keep], surv


PATIENCE_FAMILIES = ("exponential", "weibull", "lognormal", "gamma")


def _censored_loglik(family: str, theta: np.ndarray, ev: np.ndarray, ce: np.ndarray) -> float:
    """Log-likelihood of events ``ev`` and right-censored ``ce`` under a family, parameters in log space
    (lognormal: mu, log sigma)."""
    if family == "weibull":
        k, lam = math.exp(theta[0]), math.exp(theta[1])
        ze, zc = ev / lam, ce / lam
        return float((math.log(k / lam) + (k - 1) * np.log(ze) - ze**k).sum() - (zc**k).sum())
    if family == "lognormal":
        mu, sigma = float(theta[0]), math.exp(theta[1])
        ze, zc = (np.log(ev) - mu) / sigma, (np.log(ce) - mu) / sigma
        return float((stats.norm.logpdf(ze) - math.log(sigma) - np.log(ev)).sum() + stats.norm.logsf(zc).sum())
    a, scale = math.exp(theta[0]), math.exp(theta[1])  # gamma
    return float(stats.gamma.logpdf(ev, a, scale=scale).sum() + stats.gamma.logsf(ce, a, scale=scale).sum())


def _frozen(family: str, theta: np.ndarray) -> Any:
    if family == "weibull":
        return stats.weibull_min(math.exp(theta[0]), scale=math.exp(theta[1]))
    if family == "lognormal":
        return stats.lognorm(math.exp(theta[1]), scale=math.exp(theta[0]))
    return stats.gamma(math.exp(theta[0]), scale=math.exp(theta[1]))


def _mean_cv(family: str, theta: np.ndarray) -> tuple[float, float]:
    if family == "weibull":
        k, lam = math.exp(theta[0]), math.exp(theta[1])
        g1, g2 = math.lgamma(1 + 1 / k), math.lgamma(1 + 2 / k)
        return lam * math.exp(g1), math.sqrt(max(math.exp(g2 - 2 * g1) - 1, 0.0))
    if family == "lognormal":
        s2 = math.exp(2 * theta[1])
        return math.exp(theta[0] + s2 / 2), math.sqrt(math.expm1(s2))
    a = math.exp(theta[0])
    return a * math.exp(theta[1]), 1 / math.sqrt(a)


def _hessian(f: Any, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    n = len(x)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            out[i, j] = out[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return out


def _censored_fit(family: str, ev: np.ndarray, ce: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                          float] | None:
    """Maximum likelihood of one two-parameter family on censored data: (parameters, their covariance, loglik)
    or None when the optimiser fails; standard errors from the observed information (a numerical Hessian)."""
    from scipy import optimize

    def nll(t: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = -_censored_loglik(family, t, ev, ce)
        return value if math.isfinite(value) else 1e300

    best = None
    for x0 in (start, start + np.array([0.5, 0.0]), start - np.array([0.5, 0.0])):
        res = optimize.minimize(nll, x0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-9,
                                                                       "maxiter": 4000})
        if best is None or res.fun < best.fun:
            best = res
    if best is None or not math.isfinite(best.fun) or best.fun >= 1e300:
        return None
    theta = best.x
    try:
        cov = np.linalg.inv(_hessian(nll, theta))
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), math.nan)
    return theta, cov, -float(best.fun)


def fit_patience(abandoned: np.ndarray, censored: np.ndarray) -> list[Fit]:
    """Patience (seconds) from the waits of abandoned calls (events) and of answered or still waiting calls
    (right-censored): maximum likelihood over exponential, Weibull, lognormal and gamma, best (lowest AIC) first.

    Each fit has the standard errors of its mean and cv (delta method on the observed information) and, as its
    goodness of fit, the largest gap between its survival curve and the Kaplan-Meier curve. A family's mean
    that lies far beyond the longest wait observed is an extrapolation of its tail (a lognormal with a large
    sigma can put the mean at a day); :func:`patience_warnings` says so."""
    ev = np.asarray(abandoned, dtype=float)
    ev = ev[np.isfinite(ev)]
    ev = np.maximum(ev, 1e-3)  # a caller who hung up at once
    ce = np.asarray(censored, dtype=float)
    ce = ce[np.isfinite(ce) & (ce > 0)]  # a wait of 0 says nothing about patience
    k = len(ev)
    if k < 2:
        return []
    times = np.concatenate([ev, ce])
    flags = np.concatenate([np.ones(k), np.zeros(len(ce))])
    km_t, km_s = kaplan_meier(times, flags)
    total = float(times.sum())
    m = total / k
    expon = stats.expon(scale=m)
    ll = -k * math.log(m) - total / m
    fits = [Fit("exponential", m, 1.0, ll, 2 - 2 * ll, _km_gap(km_t, km_s, expon), k, m / math.sqrt(k), None,
                expon)]
    lt = np.log(times)
    starts = {"weibull": np.array([0.0, math.log(m)]),
              "lognormal": np.array([float(lt.mean()) + 0.5, math.log(max(float(lt.std()), 0.1))]),
              "gamma": np.array([0.0, math.log(m)])}
    for family in PATIENCE_FAMILIES[1:]:
        found = _censored_fit(family, ev, ce, starts[family])
        if found is None:
            continue
        theta, cov, ll = found
        mean, cv = _mean_cv(family, theta)
        if not (math.isfinite(mean) and math.isfinite(cv) and mean > 0):
            continue
        grads = []
        for which in (0, 1):
            g = np.empty(2)
            for i in range(2):
                h = np.eye(2)[i] * 1e-5
                g[i] = (_mean_cv(family, theta + h)[which] - _mean_cv(family, theta - h)[which]) / 2e-5
            grads.append(g)
        se = [math.sqrt(v) if math.isfinite(v := float(g @ cov @ g)) and v >= 0 else math.nan for g in grads]
        frozen = _frozen(family, theta)
        fits.append(Fit(family, mean, cv, ll, 4 - 2 * ll, _km_gap(km_t, km_s, frozen), k, se[0], se[1], frozen))
    longest = float(times.max())
    for f in fits:
        if f.mean > 3 * longest:
            f.note = (f"mean extrapolated: beyond 3 x the longest wait observed ({longest:,.0f} s); median "
                      f"{float(f.frozen.median()):,.0f} s")
    return sorted(fits, key=lambda f: f.aic)


def patience_warnings(fits: list[Fit], longest: float) -> list[str]:
    """Warnings on the patience fits: the chosen family misses the Kaplan-Meier curve (the largest gap above
    0.05 and above the 5% Kolmogorov-Smirnov bound for its number of abandoned calls, 1.36 / sqrt(n), a rough
    guide under censoring), or a family's mean lies beyond three times the longest wait observed."""
    out: list[str] = []
    if not fits:
        return out
    best = fits[0]
    bound = max(0.05, 1.36 / math.sqrt(best.n))
    if best.gof > bound:
        out.append(f"caller patience: the best family ({best.family}, lowest AIC) still misses the Kaplan-Meier "
                   f"curve by {best.gof:.3f} (more than {bound:.3f}); patience is not well described by any family "
                   "fitted, see patience.png")
    if best.mean > 3 * longest:
        out.append(f"caller patience, {best.family} (chosen by AIC): its mean of {best.mean:,.0f} s lies beyond "
                   f"three times the longest wait observed ({longest:,.0f} s), an extrapolation of its tail, not a "
                   "measurement")
    return out


def _km_gap(t: np.ndarray, s: np.ndarray, dist: Any) -> float:
    return float(np.max(np.abs(s - dist.sf(t)))) if len(t) else math.nan


def plausibility(fits: dict[str, list[Fit]]) -> list[str]:
    """Loud warnings where the fitted times are implausible for a secretariat (usually a wrong unit)."""
    out: list[str] = []
    pat = fits.get("patience_seconds")
    if pat and pat[0].mean < 10:
        out.append(f"caller patience of {pat[0].mean:.1f} s (under 10 s): are the waits really in seconds? "
                   "(see the units read, above)")
    for key, f in fits.items():
        if not f or not key.endswith("_minutes") or key.startswith("meeting"):
            continue
        what = "talk time" if key == "talk_minutes" else f"work time of {key.split('.')[0]}"
        if f[0].mean < 10 / 60:
            out.append(f"{what}: mean {f[0].mean * 60:.1f} s (under 10 s): is the unit right?")
        elif f[0].mean > 120:
            out.append(f"{what}: mean {f[0].mean:.0f} minutes (over 2 h): is the unit right?")
    return out


__all__ = ["FAMILIES", "PATIENCE_FAMILIES", "Fit", "fit_durations", "fit_patience", "kaplan_meier",
           "patience_warnings", "plausibility", "rounded"]
