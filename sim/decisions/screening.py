"""Global screening of the business case: Morris elementary effects over all assumed parameters at once.

The one-at-a-time analysis (:mod:`sim.decisions.sensitivity`) moves each parameter with every other at the config's
value; it cannot see a parameter that matters only when another has moved too. Morris screening (Morris 1991,
Campolongo et al. 2007) moves them together: ``r`` trajectories through a grid of ``levels`` values over each
parameter's range (:data:`sim.decisions.sensitivity.PARAMETERS`, or the ``--param`` selection with its ranges), each
trajectory starting at a random grid point and changing one parameter per step, so the design has
``r * (k + 1)`` points for ``k`` parameters. At every point both setups get their least staffing (warm-started
from the search at the config's values) and the saving follows, exactly as in
:func:`sim.decisions.sensitivity.sensitivity` (:class:`sim.decisions.sensitivity.Comparison`). Each step gives one
**elementary effect** of the parameter it moved: the change in the saving divided by the step as a share of the range
(``levels / (2 (levels - 1))``, 2/3 for 4 levels), so an effect reads as "the change in the saving across the whole
range", comparable between parameters. Per parameter (:func:`SALib.analyze.morris.analyze`):

- **mu*** the mean absolute effect (importance), with a bootstrap interval (``mu_star_conf``);
- **mu** the mean signed effect (mu much smaller than mu* means effects of both signs);
- **sigma** their standard deviation: large against mu* means the effect depends on where the other
  parameters are (interaction) or is non-linear, e.g. the steps of a staffing that moves in whole days.

The same for each setup's least FTE. Common random numbers throughout: every candidate of every point runs on
the same replication seeds, so an effect is not noise between points; a parameter that cannot change any
simulation or judgement has mu* = 0 exactly. The design is drawn by :func:`SALib.sample.morris.sample` from a
seed derived from the experiment's seed, so the same command draws the same points (with the same SALib
version, which is recorded), and runs are stored and resumed like every experiment. SALib is an optional
dependency (``pip install 'secretariat-sim[screening]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.config import OptionError, Scenario
from sim.decisions.sensitivity import PARAMETERS, Comparison, Parameter
from sim.experiments.experiment import Runner

#: The default number of trajectories and of grid levels per range.
TRAJECTORIES = 4
LEVELS = 4
#: What is screened: the saving and each setup's least FTE.
OUTPUTS = ("saving", "fte_reference", "fte_alternative")
_DESIGN_TAG = 0x4D4F52524953  # "MORRIS": the design's seed is its own stream, apart from the replications'


def require_salib() -> tuple[Any, Any]:
    """SALib's Morris sampler and analyser, or a one-line error naming the extra to install."""
    try:
        from SALib.analyze import morris as analyze
        from SALib.sample import morris as sample
    except ImportError:
        raise OptionError("morris", "the Morris screening needs SALib: pip install 'secretariat-sim[screening]'") \
            from None
    return sample, analyze


def check(trajectories: int, levels: int, params: Sequence[Parameter]) -> None:
    """A ConfigError for a design that cannot be analysed."""
    if trajectories < 2:
        raise OptionError("morris", f"{trajectories}: at least 2 trajectories are needed for sigma")
    if levels < 2 or levels % 2:
        raise OptionError("levels", f"{levels}: an even number of levels (2, 4, 6, ...) is needed")
    if not params:
        raise OptionError("param", "no parameter to screen")


def problem(params: Sequence[Parameter]) -> dict[str, Any]:
    """SALib's problem: each parameter's name and its range (low, high)."""
    return {"num_vars": len(params), "names": [p.name for p in params],
            "bounds": [[min(p.values), max(p.values)] for p in params]}


def design_seed(seed: int) -> int:
    """The design's seed, derived from the experiment's: the same command draws the same points."""
    return int(np.random.SeedSequence([seed, _DESIGN_TAG]).generate_state(1, np.uint32)[0])


def design(params: Sequence[Parameter], trajectories: int = TRAJECTORIES, levels: int = LEVELS,
           seed: int = 0) -> np.ndarray:
    """The Morris design: ``trajectories * (k + 1)`` rows, one column per parameter (its value at the point),
    rounded to 6 digits like :func:`sim.decisions.sensitivity.grid` so that a value's runs are found again."""
    check(trajectories, levels, params)
    sample, _ = require_salib()
    x = sample.sample(problem(params), trajectories, num_levels=levels, seed=design_seed(seed))
    return np.round(np.asarray(x, dtype=float), 6)


def screening(ref: Scenario, alt: Scenario, runner: Runner, replications: int, seed: int, *,
              params: Sequence[Parameter] = PARAMETERS, trajectories: int = TRAJECTORIES, levels: int = LEVELS,
              targets: Sequence[str] = (), confidence: float = 0.95, baseline: str = "least",
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Morris screening of the saving of ``alt`` against ``ref`` (and of each one's least FTE) over the
    parameters' ranges; ``baseline`` as for :func:`sim.decisions.sensitivity.sensitivity`."""
    params = list(params)
    x = design(params, trajectories, levels, seed)
    _, analyze = require_salib()
    comparison = Comparison(ref, alt, runner, replications, seed, targets=targets, confidence=confidence,
                            baseline=baseline)
    base = comparison.base()
    names = [p.name for p in params]
    settings = [[float(v) for v in line] for line in x]
    points = []
    for i, values in enumerate(settings):
        pt = comparison.point(list(zip(params, values, strict=True)), "morris", float(i))
        points.append(pt)
        if progress:
            at = ", ".join(f"{k}={v:g}" for k, v in zip(names, values, strict=True))
            progress(f"morris {i + 1}/{len(x)}: {at} -> {100 * pt.saving:.1f}%")
    y = {"saving": [pt.saving for pt in points], "fte_reference": [pt.fte["reference"] for pt in points],
         "fte_alternative": [pt.fte["alternative"] for pt in points]}
    indices = {out: analyze.analyze(problem(params), x, np.asarray(y[out], dtype=float), conf_level=confidence,
                                    num_levels=levels, seed=design_seed(seed))
               for out in OUTPUTS}
    table = []
    for j, p in enumerate(params):
        row: dict[str, Any] = {"parameter": p.name, "label": p.label, "low": min(p.values), "high": max(p.values)}
        for out in OUTPUTS:
            stats = {k: _float(indices[out][k][j]) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
            if out == "saving":
                row.update(stats)
            else:
                row[out] = stats
        table.append(row)
    table.sort(key=lambda r: -(r["mu_star"] or 0.0))
    return {"kind": "morris", "trajectories": trajectories, "levels": levels, "confidence": confidence,
            "design_seed": design_seed(seed), "salib": _version(), "step": levels / (2 * (levels - 1)),
            "design_points": len(x), "base_saving": base.saving, "parameters": table,
            "points": [{"values": dict(zip(names, values, strict=True)), "saving": pt.saving, "fte": pt.fte,
                        "cost_per_year": pt.cost, "binding": pt.binding}
                       for values, pt in zip(settings, points, strict=True)]}


def _version() -> str:
    """SALib's version: the design drawn from a seed is the same for the same version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("SALib")
    except PackageNotFoundError:  # importable but not installed as a distribution
        return "unknown"


def _float(v: Any) -> float | None:
    f = float(v)
    return None if np.isnan(f) else f


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """``morris.csv``: one row per output and parameter (mu, mu*, sigma, mu*'s interval half-width)."""
    out = []
    for output in OUTPUTS:
        for r in result["parameters"]:
            stats = r if output == "saving" else r[output]
            out.append({"output": output, "parameter": r["parameter"],
                        **{k: stats[k] for k in ("mu", "mu_star", "sigma", "mu_star_conf")}})
    return out


__all__ = ["TRAJECTORIES", "LEVELS", "OUTPUTS", "require_salib", "check", "problem", "design_seed", "design",
           "screening", "rows"]
