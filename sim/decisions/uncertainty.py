"""One honest interval for the saving: simulation noise *and* the uncertainty of the inputs it rests on.

A least staffing found on a finite sample of replications has an interval (:mod:`sim.decisions.business`), but that
interval covers the simulation's own noise only. The inputs (volumes, work and talk times, patience, sickness,
shrinkage, the occupancy ceiling, the manager, the cost per FTE, ...) are estimates or assumptions, and their
uncertainty usually dominates (Barton 2012, "Tutorial: input uncertainty in output analysis", Proc. WSC;
Song, Nelson & Pegden 2014, "Advanced tutorial: input uncertainty quantification", Proc. WSC; Cheng & Holland
1997, "Sensitivity of computer simulation experiments to errors in input data", J. Statist. Comput. Simul.).

**Declared inputs.** Each config's ``uncertainty:`` section (:class:`sim.config.models.UncertainInput`) names an
input (a :data:`sim.decisions.sensitivity.PARAMETERS` name, or a dotted path to a number of the config) and gives a
distribution
(triangular, uniform, or normal / lognormal given by their central 95%) and its source (``ASSUMPTION: why``).
An input applies to the configs that declare it (the sector's, declared in ``configs/base/sector.yaml``, to
all; a central config's manager to that config only), the same draw in each (:func:`inputs_of`).

**Propagation** (:func:`propagate`, the "direct" or nested approach of Barton 2012, sec. 3, with a Latin
hypercube (McKay, Beckman & Conover 1979) for the outer sample): ``M`` input points theta_i are drawn by Latin
hypercube sampling from the declared distributions; at each point the answer is computed on ``b`` blocks of
replications, block ``j`` on the *same* seeds at every point (common random numbers), and at the config's values
(the nominal point) on ``b0`` blocks. The answer is any function ``evaluate(theta, block) -> {output: value}``:
for the business case (:func:`business_evaluator`) both setups' least staffing at theta and the saving, found
by :class:`sim.decisions.sensitivity.Comparison` (warm-started, :func:`sim.decisions.sensitivity.applied` sets the
values); for the coverage test an analytic Erlang C staffing (:mod:`sim.theory`), with no simulation noise.

**Decomposition** (:func:`decompose`, per output). With ``Y_ij`` the answer at point ``i`` on block ``j``:

- *simulation part*: the variance of one block's answer at a fixed point, ``s2_W``, pooled over the nominal
  point's blocks and (with ``b >= 2``) within every point; the estimate (the mean of the nominal point's ``b0``
  blocks) has simulation standard error ``sqrt(s2_W / b0)``;
- *input part*: the variance of the answer's expectation over the input distribution, ``s2_I``. With ``b >= 2``
  the random-effects ANOVA estimator of Song, Nelson & Pegden (2014, sec. 4.1), here two-way because the blocks
  share seeds across points (points random, blocks random, no replication within a cell):
  ``s2_I = max(0, (MS_points - MS_residual) / b)``. With ``b = 1`` it cannot be separated from the simulation
  noise that common random numbers leave between points, and ``s2_I`` is the points' sample variance, an
  upper bound (stated as ``input_method``);
- reported as **"simulation +-x, inputs +-y"**: ``x = t * sqrt(s2_W / b0)`` (the estimate's own interval
  half-width, as ``sim staff`` gives it) and ``y = z * s_I`` (half the central 95% of the answer's spread
  over the inputs, normal approximation);
- **the combined interval**: the percentile interval of the points' answers (mean over their blocks; the
  answer's distribution under input uncertainty, without assuming normality: a step function such as a
  least FTE is not normal), each end widened in quadrature by the simulation half-width of one point's answer,
  ``z * sqrt(s2_W / b)``. Conservative: the points' spread already holds part of that noise. The normal
  interval ``estimate +- z sqrt(s2_I + s2_W / b0)`` is reported beside it;
- ``P(output >= goal)`` (the article's 15% for the saving): the share of input points whose answer reaches
  it, with a Wilson interval for the finite number of points.

The interval is checked on a case with an analytic answer (``tests/test_uncertainty.py``): Erlang C staffing
with the arrival rate estimated from ``n`` observed arrivals (a Gamma posterior), over 200 experiments, covers
the true least ``c`` at its nominal rate within the binomial interval of the coverage.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import Any, Protocol

from sim.config import ConfigError, OptionError, Scenario
from sim.config.models import UncertainInput
from sim.core.costs import CostModel
from sim.decisions.sensitivity import PARAMETERS, Comparison, Parameter, _scale, _Set, _set
from sim.decisions.staffing import ARTICLE_SAVING
from sim.experiments.experiment import Runner
from sim.experiments.stats import t_quantile, wilson

#: Input points and blocks per point of ``sim uncertainty`` by default (the 10-minute budget on 2 cores,
#: benchmarks/uncertainty.py), and blocks at the config's values (the estimate and its simulation part).
DEFAULT_POINTS = 24
DEFAULT_BLOCKS = 1
DEFAULT_NOMINAL_BLOCKS = 3
_NORMAL = NormalDist()


# ------------------------------------------------------------------------------------------- the inputs
class Uncertain(Protocol):
    """What :func:`propagate` needs of an input: its name and its quantile function."""

    @property
    def key(self) -> str: ...

    def quantile(self, u: float) -> float: ...


@dataclass(frozen=True)
class Input:
    """An uncertain input: ``key`` (a parameter name or a config path), its distribution and source, and the
    configs (``setups``, by role) that declare it."""

    key: str
    distribution: str
    low: float
    high: float
    mode: float | None = None
    relative: bool = False
    source: str = ""
    setups: tuple[str, ...] = ()

    @classmethod
    def of(cls, key: str, u: UncertainInput, setups: tuple[str, ...] = ()) -> Input:
        return cls(key, u.distribution, u.low, u.high, u.mode, u.relative, u.source, setups)

    def quantile(self, u: float) -> float:
        """The value at probability ``u`` (0 < u < 1)."""
        lo, hi = self.low, self.high
        if self.distribution == "uniform":
            return lo + u * (hi - lo)
        if self.distribution == "triangular":
            m = (lo + hi) / 2 if self.mode is None else self.mode
            cut = (m - lo) / (hi - lo)
            if u < cut:
                return lo + math.sqrt(u * (hi - lo) * (m - lo))
            return hi - math.sqrt((1 - u) * (hi - lo) * (hi - m))
        z975 = _NORMAL.inv_cdf(0.975)
        if self.distribution == "normal":
            return (lo + hi) / 2 + (hi - lo) / (2 * z975) * _NORMAL.inv_cdf(u)
        if self.distribution == "lognormal":
            return math.exp((math.log(lo) + math.log(hi)) / 2
                            + (math.log(hi) - math.log(lo)) / (2 * z975) * _NORMAL.inv_cdf(u))
        raise ValueError(f"unknown distribution {self.distribution!r}")

    def describe(self) -> str:
        shape = {"triangular": f"triangular {self.low:g} .. {self.mode if self.mode is not None else (self.low + self.high) / 2:g} .. {self.high:g}",  # noqa: E501
                 "uniform": f"uniform {self.low:g} .. {self.high:g}"}.get(
            self.distribution, f"{self.distribution}, 95% in {self.low:g} .. {self.high:g}")
        return shape + (" (x config)" if self.relative else "")

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.key, "distribution": self.distribution, "low": self.low, "mode": self.mode,
                "high": self.high, "relative": self.relative, "source": self.source, "setups": list(self.setups)}


def inputs_of(scenarios: Mapping[str, Scenario]) -> list[Input]:
    """The uncertain inputs declared in ``scenarios`` (by role), in the order first declared: each applies to
    the configs that declare it. An input declared differently in two configs is refused (one line)."""
    found: dict[str, tuple[UncertainInput, list[str]]] = {}
    for role, sc in scenarios.items():
        for key, u in sc.uncertainty.items():
            if key in found:
                first, roles = found[key]
                if first.model_dump(exclude={"source"}) != u.model_dump(exclude={"source"}):
                    raise ConfigError(f"uncertainty.{key}", f"in {sc.name} it differs from its declaration in "
                                      "another config; declare it once (e.g. in the base config)")
                roles.append(role)
            else:
                found[key] = (u, [role])
    return [Input.of(key, u, tuple(roles)) for key, (u, roles) in found.items()]


def latin_hypercube(points: int, dims: int, seed: int) -> list[list[float]]:
    """``points`` points in ``(0, 1)^dims``, one in each of ``points`` equal strata of every coordinate, at a
    uniform position within it, the strata paired at random (McKay, Beckman & Conover 1979)."""
    rng = random.Random(seed)
    columns = []
    for _ in range(dims):
        strata = list(range(points))
        rng.shuffle(strata)
        columns.append([(k + rng.random()) / points for k in strata])
    return [[columns[d][i] for d in range(dims)] for i in range(points)]


# ------------------------------------------------------------------------------------------- propagation
#: ``evaluate(theta, block)``: the answers (by output name) at input values ``theta`` (empty: the nominal
#: values) on block ``block``'s replication seeds; None where an answer does not exist (no payback without a
#: saving).
Evaluate = Callable[[Mapping[str, float], int], Mapping[str, float | None]]


@dataclass
class Propagation:
    """The raw outcome of :func:`propagate`: the nominal point's answers per block, the input points and their
    answers per block."""

    keys: list[str]
    nominal: list[Mapping[str, float | None]]
    thetas: list[dict[str, float]]
    answers: list[list[Mapping[str, float | None]]] = field(default_factory=list)

    def outputs(self) -> list[str]:
        return list(self.nominal[0]) if self.nominal else []

    def values(self, output: str) -> tuple[list[float | None], list[list[float | None]]]:
        return ([a.get(output) for a in self.nominal],
                [[a.get(output) for a in row] for row in self.answers])


def propagate(inputs: Sequence[Uncertain], evaluate: Evaluate, *, points: int, blocks: int = DEFAULT_BLOCKS,
              nominal_blocks: int = DEFAULT_NOMINAL_BLOCKS, seed: int = 0, nominal: Mapping[str, float] | None = None,
              progress: Callable[[str], None] | None = None) -> Propagation:
    """The answers at the nominal point (``nominal_blocks`` blocks) and at ``points`` Latin hypercube points of
    ``inputs`` (``blocks`` blocks each; block ``j`` on the same seeds everywhere), drawn from ``seed``."""
    if points < 2:
        raise OptionError("points", f"{points}: at least 2 input points are needed for a spread")
    if blocks < 1 or nominal_blocks < 1:
        raise OptionError("blocks", "at least one block per point and at the config's values")
    keys = [u.key for u in inputs]
    centre = dict(nominal or {})
    out = Propagation(keys, [evaluate(centre, j) for j in range(nominal_blocks)], [])
    if progress:
        progress(f"config's values: {_brief(out.nominal)}")
    for i, us in enumerate(latin_hypercube(points, len(inputs), seed)):
        theta = {u.key: u.quantile(x) for u, x in zip(inputs, us, strict=True)}
        out.thetas.append(theta)
        out.answers.append([evaluate(theta, j) for j in range(blocks)])
        if progress:
            progress(f"point {i + 1}/{points} ({', '.join(f'{k}={v:.3g}' for k, v in theta.items())}): "
                     f"{_brief(out.answers[-1])}")
    return out


def _brief(rows: Sequence[Mapping[str, float | None]]) -> str:
    first = rows[0]
    return ", ".join(f"{k} {'-' if v is None else f'{v:.3g}'}" for k, v in list(first.items())[:4])


# ------------------------------------------------------------------------------------------- decomposition
def _quantile(xs: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``xs`` (linear between order statistics, as numpy's default)."""
    s = sorted(xs)
    h = (len(s) - 1) * q
    lo = math.floor(h)
    return s[lo] + (h - lo) * (s[min(lo + 1, len(s) - 1)] - s[lo])


def _var(xs: Sequence[float]) -> float:
    m = sum(xs) / len(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def decompose(nominal: Sequence[float | None], answers: Sequence[Sequence[float | None]], confidence: float = 0.95,
              goal: float | None = None) -> dict[str, Any]:
    """The estimate of one output, its simulation and input parts and the combined interval (the module's
    docstring gives the method), from the nominal point's block answers and each input point's."""
    alpha = 1 - confidence
    z = _NORMAL.inv_cdf(1 - alpha / 2)
    z0 = [float(v) for v in nominal if v is not None and math.isfinite(v)]
    rows = [[float(v) for v in row if v is not None] for row in answers
            if row and all(v is not None and math.isfinite(v) for v in row)]
    out: dict[str, Any] = {"estimate": sum(z0) / len(z0) if z0 else None, "nominal_blocks": len(z0),
                           "points": len(rows), "points_without_answer": len(answers) - len(rows),
                           "blocks": len(rows[0]) if rows else 0}
    if not z0 or len(rows) < 2:
        return out | {"simulation_half_width": None, "input_half_width": None, "interval": None}
    b, m = len(rows[0]), len(rows)
    # simulation: one block's variance at a fixed point, pooled over the nominal blocks and within points
    ss, df = (sum((v - out["estimate"]) ** 2 for v in z0), len(z0) - 1)
    means = [sum(r) / b for r in rows]
    if b >= 2:
        ss += sum((v - mi) ** 2 for r, mi in zip(rows, means, strict=True) for v in r)
        df += m * (b - 1)
    s2_w = ss / df if df else None
    grand = sum(means) / m
    if b >= 2:
        cols = [sum(r[j] for r in rows) / m for j in range(b)]
        ms_p = b * sum((mi - grand) ** 2 for mi in means) / (m - 1)
        ms_e = sum((r[j] - mi - cols[j] + grand) ** 2 for r, mi in zip(rows, means, strict=True)
                   for j in range(b)) / ((m - 1) * (b - 1))
        s2_i = max(0.0, (ms_p - ms_e) / b)
        method = "two-way random-effects ANOVA over points x common-seed blocks (Song, Nelson & Pegden 2014)"
    else:
        s2_i = _var(means)
        method = "sample variance of the points' answers (one block per point: an upper bound, it holds the " \
                 "simulation noise common random numbers leave between points)"
    se_sim = math.sqrt(s2_w / len(z0)) if s2_w is not None else None
    sim_half = None if se_sim is None else t_quantile(df + 1, alpha) * se_sim
    in_half = z * math.sqrt(s2_i)
    point_half = 0.0 if s2_w is None else z * math.sqrt(s2_w / b)
    lo_q, med, hi_q = _quantile(means, alpha / 2), _quantile(means, 0.5), _quantile(means, 1 - alpha / 2)
    low = med - math.hypot(med - lo_q, point_half)
    high = med + math.hypot(hi_q - med, point_half)
    total = math.sqrt(s2_i + (se_sim or 0.0) ** 2)
    out |= {"simulation_sd_per_block": None if s2_w is None else math.sqrt(s2_w),
            "simulation_df": df, "simulation_half_width": sim_half,
            "input_sd": math.sqrt(s2_i), "input_half_width": in_half, "input_method": method,
            "input_share_of_variance": s2_i / (s2_i + se_sim ** 2) if se_sim and s2_i + se_sim ** 2 > 0 else
            (1.0 if s2_i > 0 else None),
            "median": med, "percentile_interval": [lo_q, hi_q], "interval": [low, high],
            "normal_interval": [out["estimate"] - z * total, out["estimate"] + z * total],
            "point_answers": means}
    if goal is not None:
        hits = sum(1 for v in means if v >= goal - 1e-12)
        out["goal"] = goal
        out["p_reaches_goal"] = hits / m
        out["p_reaches_goal_interval"] = list(wilson(hits, m, alpha))
    return out


def summarize(prop: Propagation, confidence: float = 0.95,
              goals: Mapping[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """:func:`decompose` for every output of ``prop`` (``goals``: the goal of an output, e.g. the saving's)."""
    goals = goals or {}
    return {o: decompose(*prop.values(o), confidence=confidence, goal=goals.get(o)) for o in prop.outputs()}


def fmt_split(d: Mapping[str, Any], digits: int = 1, pct: bool = False, unit: str = "") -> str:
    """``estimate (simulation +-x, inputs +-y) [low, high]`` of a :func:`decompose` result."""
    k = 100.0 if pct else 1.0
    u = "%" if pct else unit
    if d.get("estimate") is None:
        return "-"
    text = f"{k * d['estimate']:.{digits}f}{u}"
    if d.get("interval") is None:
        return text
    sim = d["simulation_half_width"]
    text += f" (simulation +-{'?' if sim is None else f'{k * sim:.{digits}f}'}, " \
            f"inputs +-{k * d['input_half_width']:.{digits}f})"
    lo, hi = d["interval"]
    return text + f" [{k * lo:.{digits}f}, {k * hi:.{digits}f}]"


# ------------------------------------------------------------------------------------------- the business case
class _Relative:
    """Multiply the value a parameter sets (read from each config) by a factor."""

    def __init__(self, setter: _Set) -> None:
        self.setter = setter

    def __call__(self, data: dict[str, Any], factor: float) -> None:
        v = self.setter.read(data)
        if isinstance(v, int | float):
            self.setter(data, v * factor)


def _cost_path(path: str) -> bool:
    return path.startswith("costs.") or path == "organisation.cost_per_fte_per_year"


def parameter_of(inp: Input) -> Parameter:
    """The :class:`sim.decisions.sensitivity.Parameter` that applies ``inp``'s values to a config's data (to the configs
    that declare it)."""
    setups = tuple(s for s in ("reference", "alternative") if s in inp.setups)
    by_name = {p.name: p for p in PARAMETERS}
    if inp.key in by_name:
        p = by_name[inp.key]
        if inp.relative and p.kind == "value":
            if not isinstance(p.apply, _Set):
                raise ConfigError("uncertainty", f"{inp.key}: cannot be given relative to the config")
            p = replace(p, kind="factor", apply=_Relative(p.apply))
        return replace(p, values=(inp.low, inp.high), setups=setups)
    parts = inp.key.split(".")
    apply = _scale(parts) if inp.relative else _set(parts)
    return Parameter(inp.key, inp.key, "factor" if inp.relative else "value", (inp.low, inp.high),
                     1.0 if inp.relative else inp.low, apply, simulated=parts[0] not in ("norms", "costs"),
                     cost="path" if _cost_path(inp.key) else None, setups=setups)


def business_evaluator(ref: Scenario, alts: Sequence[Scenario], runner: Runner, replications: int, seed: int, *,
                       targets: Sequence[str] = (), confidence: float = 0.95, baseline: str = "config"
                       ) -> tuple[list[Input], Evaluate]:
    """The inputs declared in ``ref`` and ``alts`` and the evaluator of the business case: at input values
    theta, on block ``j``, per alternative ``A``: ``A:saving`` against ``ref`` (as staffed today with
    ``baseline="config"``, else at its least staffing), ``A:fte`` (its least FTE), ``A:fte_reference`` and
    ``A:payback_years`` (None without a saving), by a :class:`sim.decisions.sensitivity.Comparison` per alternative and
    block (block ``j``'s seeds at every point: common random numbers). Block 0 runs first at the config's
    values; later blocks start their searches where its full search ended."""
    names = [a.name for a in alts]
    if len(set(names)) < len(names) or ref.name in names:
        raise ConfigError("CONFIGS", "give every setup its own name: " + ", ".join([ref.name, *names]))
    per_alt = [inputs_of({"reference": ref, "alternative": a}) for a in alts]
    merged: dict[str, Input] = {}
    for inps in per_alt:
        for inp in inps:
            prev = merged.get(inp.key)
            merged[inp.key] = inp if prev is None else replace(prev, setups=tuple(dict.fromkeys(
                (*prev.setups, *inp.setups))))
    if not merged:
        raise ConfigError("uncertainty", f"no uncertain inputs declared in {ref.name} or "
                          f"{', '.join(names)} (an uncertainty: section, see configs/base/sector.yaml)")
    params = [{i.key: parameter_of(i) for i in inps} for inps in per_alt]
    comparisons: dict[tuple[int, int], Comparison] = {}

    def comparison(k: int, block: int) -> Comparison:
        if (k, block) not in comparisons:
            c = Comparison(ref, alts[k], runner, replications, seed, targets=targets, confidence=confidence,
                           baseline=baseline, block=block)
            if block:
                first = comparison(k, 0)
                if any(v is None for n, v in first.start.items() if n != "reference" or baseline == "least"):
                    first.base()
                c.start = dict(first.start)
            comparisons[k, block] = c
        return comparisons[k, block]

    def evaluate(theta: Mapping[str, float], block: int) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for k, alt in enumerate(alts):
            settings = [(params[k][key], v) for key, v in theta.items() if key in params[k]]
            pt = comparison(k, block).point(settings)
            out[f"{alt.name}:saving"] = pt.saving
            out[f"{alt.name}:fte"] = pt.fte["alternative"]
            out[f"{alt.name}:fte_reference"] = pt.fte["reference"]
            out[f"{alt.name}:payback_years"] = pt.payback
        return out

    return list(merged.values()), evaluate


def uncertainty(ref: Scenario, alts: Sequence[Scenario], runner: Runner, replications: int, seed: int, *,
                points: int = DEFAULT_POINTS, blocks: int = DEFAULT_BLOCKS,
                nominal_blocks: int = DEFAULT_NOMINAL_BLOCKS, targets: Sequence[str] = (),
                confidence: float = 0.95, baseline: str = "config", goal: float = ARTICLE_SAVING,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The business case of ``alts`` against ``ref`` under the declared input uncertainty: per alternative its
    saving, least FTE, the reference's FTE and the payback, each as an estimate with its simulation and input
    parts and a combined interval, and the probability that the saving reaches ``goal``."""
    inputs, evaluate = business_evaluator(ref, alts, runner, replications, seed, targets=targets,
                                          confidence=confidence, baseline=baseline)
    prop = propagate(inputs, evaluate, points=points, blocks=blocks, nominal_blocks=nominal_blocks,
                     seed=seed + 7919, progress=progress)
    parts = summarize(prop, confidence, {f"{a.name}:saving": goal for a in alts})
    setups = {}
    for a in alts:
        setups[a.name] = {k: parts[f"{a.name}:{k}"] for k in ("saving", "fte", "fte_reference", "payback_years")}
    return {"kind": "uncertainty", "reference": ref.name, "alternatives": [a.name for a in alts],
            "baseline": baseline, "goal": goal, "confidence": confidence, "points": points, "blocks": blocks,
            "nominal_blocks": nominal_blocks, "replications": replications, "seed": seed,
            "design_seed": seed + 7919, "targets": list(targets), "common_random_numbers": True,
            "method": "Latin hypercube sample of the declared inputs; at each point both setups' least staffing "
                      "on common-seed blocks (sim.decisions.sensitivity.Comparison); simulation and input variance by "
                      "random-effects ANOVA (Song, Nelson & Pegden 2014; Barton 2012); combined interval: "
                      "percentile interval of the points' answers widened in quadrature by a point's "
                      "simulation half-width",
            "inputs": [i.to_dict() for i in inputs], "setups": setups,
            "design": [{**theta, **{k: v for row in ans[:1] for k, v in row.items()}}
                       for theta, ans in zip(prop.thetas, prop.answers, strict=True)],
            "costs_note": _costs_note(ref, alts)}


def _costs_note(ref: Scenario, alts: Sequence[Scenario]) -> str | None:
    empty = [s.name for s in (ref, *alts) if CostModel.of(s).unset()]
    return f"no manager, coordination or one-off costs set in {', '.join(empty)}" if empty else None


def headline(result: Mapping[str, Any]) -> list[str]:
    """One line per alternative: the saving, its two parts and interval, P(>= goal), FTE and payback."""
    out = []
    against = "today's staffing" if result["baseline"] == "config" else "its least staffing"
    for name, s in result["setups"].items():
        sv = s["saving"]
        p = sv.get("p_reaches_goal")
        pi = sv.get("p_reaches_goal_interval") or [None, None]
        out.append(f"{name} against {result['reference']} ({against}): saving {fmt_split(sv, 1, pct=True)}; "
                   f"P(saving >= {100 * result['goal']:.0f}%) = "
                   + ("-" if p is None else f"{100 * p:.0f}% [{100 * pi[0]:.0f}, {100 * pi[1]:.0f}]"))
        ref = s["fte_reference"]
        fixed = ref.get("interval") is not None and abs(ref["interval"][1] - ref["interval"][0]) < 1e-9
        ref_text = f"{ref['estimate']:.2f} (as staffed today)" if fixed else fmt_split(ref, 2)
        out.append(f"    least FTE {fmt_split(s['fte'], 2)} against {ref_text}; payback "
                   f"{fmt_split(s['payback_years'], 2, unit=' y')}"
                   + (f" ({s['payback_years']['points_without_answer']} points without a saving)"
                      if s["payback_years"].get("points_without_answer") else ""))
    return out


__all__ = ["Input", "Uncertain", "inputs_of", "latin_hypercube", "Evaluate", "Propagation", "propagate",
           "decompose", "summarize", "fmt_split", "parameter_of", "business_evaluator", "uncertainty", "headline",
           "DEFAULT_POINTS", "DEFAULT_BLOCKS", "DEFAULT_NOMINAL_BLOCKS"]
