"""What would flip the business case: one-at-a-time sensitivity of the saving to every assumed parameter.

Each parameter (:data:`PARAMETERS`: caller patience, talk and work times, demand per staff member, sickness,
shrinkage, the occupancy ceiling, the norms, the HNW multipliers, the custom-work penalty) is set to each value
of its stated range, in *both* configs at once, everything else at the config's value. At every value both
setups get their least staffing (:class:`sim.decisions.staffing.StaffingSearch`, warm-started from the answer at the
config's values) and the saving ``1 - cost(alternative) / cost(reference at its least staffing)`` follows
from the cost model (:class:`sim.core.costs.CostModel`). Common random numbers throughout: every candidate of
every value runs on the same replication seeds. Values that change only how a staffing is judged (the norms)
reuse the simulations of the base values, since their simulated scenario is the same.

The alternative's **cost figures** (manager FTE, coordination share, cost per FTE, the reorganisation's one-off
cost; ``Parameter.cost``) change neither a simulation nor a judgement: a point that differs from one already
found only in them reuses that point's least staffings and recomputes the cost (:class:`Comparison` runs no
search for it, and no replication). The saving is linear in each of them, so their break-even value is solved
exactly from the cost formula (:func:`cost_break_even`); the reorganisation moves only the payback
(``payback_low``, ``payback_high``), never the saving.

Reported per parameter: the saving at the low and the high end (a tornado figure, widest swing on top), and the
**break-even value**: where the saving, interpolated linearly between the values run, crosses the article's
15% ("not within range" if it does not). The search's answer moves in whole secretary-days, so the saving is a
step function of the parameter; the interpolation places the crossing between the last value on one side and
the first on the other, and a finer grid (``--points``) narrows it.

Results are stored like every experiment (``results.sqlite``, one row per replication): running the same
command again with the same ``--out`` resumes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sim.config import ConfigError, OptionError, Scenario, parse_scenario
from sim.core.costs import CostModel, cost_per_fte_in
from sim.decisions.business import TodayBasis, payback_years
from sim.decisions.staffing import ARTICLE_SAVING, MAX_EXCHANGES, Evaluation, Staffing, StaffingSearch, targets_for
from sim.decisions.staffing.norms import TodayService, target_basis
from sim.experiments.experiment import Runner, Unit


# ------------------------------------------------------------------------------------------- parameters
def _scale(path: Sequence[str]) -> Callable[[dict[str, Any], float], None]:
    """Multiply the number at ``path`` by the factor; a config without it is an error, not a parameter that
    silently does nothing."""
    def apply(data: dict[str, Any], factor: float) -> None:
        node: Any = data
        for p in path[:-1]:
            node = node.get(p) if isinstance(node, dict) else None
        if not isinstance(node, dict) or node.get(path[-1]) is None:
            raise ConfigError("sensitivity", "not set in the config: nothing to scale", ".".join(path))
        node[path[-1]] = node[path[-1]] * factor
    return apply


class _Set:
    """Set the field at ``path`` to the value (and read the config's value there)."""

    def __init__(self, path: Sequence[str]) -> None:
        self.path = tuple(path)

    def __call__(self, data: dict[str, Any], value: float) -> None:
        node = data
        for p in self.path[:-1]:
            node = node.setdefault(p, {})
        node[self.path[-1]] = value

    def read(self, data: dict[str, Any]) -> Any:
        node: Any = data
        for p in self.path:
            node = node.get(p) if isinstance(node, dict) else None
        return node


def _set(path: Sequence[str]) -> _Set:
    return _Set(path)


class _CostPerFte(_Set):
    """``costs.cost_per_fte_per_year``, read as the cost model reads it (:func:`sim.core.costs.cost_per_fte_in`)."""

    def __init__(self) -> None:
        super().__init__(["costs", "cost_per_fte_per_year"])

    def read(self, data: dict[str, Any]) -> Any:
        return cost_per_fte_in(data)


def _work_times(data: dict[str, Any], factor: float) -> None:
    for task in data["demand"].get("tasks", {}).values():
        task["work_minutes"]["mean"] *= factor
    meetings = data["demand"].get("meetings")
    if meetings:
        meetings["writing_minutes_per_meeting_hour"] *= factor
    calls = data["demand"]["calls"]
    if calls.get("callback_minutes"):
        calls["callback_minutes"]["mean"] *= factor


def _demand(data: dict[str, Any], factor: float) -> None:
    data["demand"]["calls"]["per_staff_per_day"] *= factor
    for task in data["demand"].get("tasks", {}).values():
        task["per_staff_per_day"] *= factor
    meetings = data["demand"].get("meetings")
    if meetings:
        meetings["per_department_per_week"] *= factor


def _hnw(data: dict[str, Any], factor: float) -> None:
    """Each HNW multiplier's effect (its distance from 1) times ``factor``: 0 = no HNW effect, 1 = as assumed."""
    hnw = data.get("hnw")
    if hnw:
        hnw["multipliers"] = {k: max(0.0, 1 + factor * (m - 1)) for k, m in hnw.get("multipliers", {}).items()}


@dataclass(frozen=True)
class Parameter:
    """An assumed parameter, its range and how a value is applied to a config's data. ``kind`` is ``factor``
    (the value multiplies the config's) or ``value`` (it replaces it); ``simulated`` False when it only
    changes how a staffing is judged (its runs are the base's). ``cost`` names the :class:`CostModel` field
    of a parameter that changes only the cost (no simulation, no judgement: the least staffings are those
    found without it, no search runs for it). ``setups``: the configs it is applied to (``reference``,
    ``alternative``)."""

    name: str
    label: str
    kind: str
    values: tuple[float, ...]
    base: float
    apply: Callable[[dict[str, Any], float], None]
    simulated: bool = True
    cost: str | None = None
    setups: tuple[str, ...] = ("reference", "alternative")


#: The parameters and their stated ranges (low, high; the config's value in between). Ranges are ASSUMPTIONS
#: chosen to cover what the domain notes call plausible: patience half to double, times and demand +-25%,
#: sickness 4-8% (the range of most municipalities, A&O fonds 2022), shrinkage 0-20%, norms +-a step; the
#: alternative's costs: manager 0-1 FTE, coordination 0-5%, cost per FTE 55,000-70,000 (around the
#: organisation's 62,000), reorganisation 0-150,000 once (ASSUMPTIONS, none from a source).
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("patience", "caller patience (x config)", "factor", (0.5, 2.0), 1.0,
              _scale(["demand", "calls", "patience_seconds", "mean"])),
    Parameter("talk", "talk time (x config)", "factor", (0.75, 1.25), 1.0,
              _scale(["demand", "calls", "talk_minutes", "mean"])),
    Parameter("work", "work times (x config)", "factor", (0.75, 1.25), 1.0, _work_times),
    Parameter("demand", "demand per staff member (x config)", "factor", (0.8, 1.2), 1.0, _demand),
    Parameter("sickness", "sick leave (share)", "value", (0.04, 0.08), 0.06,
              _set(["absence", "sickness", "share"])),
    Parameter("shrinkage", "shrinkage (share)", "value", (0.0, 0.2), 0.10, _set(["absence", "shrinkage", "share"])),
    Parameter("occupancy", "occupancy ceiling", "value", (0.80, 0.90), 0.85, _set(["norms", "occupancy_max"]),
              simulated=False),
    Parameter("reachability", "reachability norm", "value", (0.70, 0.90), 0.80,
              _set(["norms", "reachability_min"]), simulated=False),
    Parameter("abandoned", "abandoned-call norm", "value", (0.03, 0.10), 0.05, _set(["norms", "abandoned_max"]),
              simulated=False),
    Parameter("hnw", "HNW effects (x assumed)", "factor", (0.5, 1.5), 1.0, _hnw),
    Parameter("custom_penalty", "custom-work penalty (x)", "value", (1.2, 2.0), 1.5,
              _set(["dispatch", "custom_penalty"])),
    # the alternative's costs (ASSUMPTIONS, like the figures in its costs: section): they move the cost, never
    # the least staffing, so they run no search (Comparison reuses the least staffings found without them)
    Parameter("manager_fte", "manager FTE of the alternative", "value", (0.0, 1.0), 0.5,
              _set(["costs", "manager_fte"]), simulated=False, cost="manager_fte", setups=("alternative",)),
    Parameter("coordination", "coordination share of the alternative", "value", (0.0, 0.05), 0.02,
              _set(["costs", "coordination_share"]), simulated=False, cost="coordination_share",
              setups=("alternative",)),
    Parameter("cost_per_fte", "cost per FTE of the alternative (euro/y)", "value", (55000.0, 70000.0), 62000.0,
              _CostPerFte(), simulated=False, cost="per_fte", setups=("alternative",)),
    Parameter("reorganisation", "reorganisation, once (payback only)", "value", (0.0, 150000.0), 50000.0,
              _set(["costs", "reorganisation_once"]), simulated=False, cost="reorganisation",
              setups=("alternative",)),
)


def parameters(names: Sequence[str] = ()) -> list[Parameter]:
    """The named parameters (all by default); ``name=low,high`` sets another range."""
    by_name = {p.name: p for p in PARAMETERS}
    if not names:
        return list(PARAMETERS)
    out = []
    for spec in names:
        name, _, rng = spec.partition("=")
        if name not in by_name:
            raise OptionError("param", f"{name!r}: unknown; known: {', '.join(by_name)}")
        p = by_name[name]
        if rng:
            try:
                values = tuple(float(v) for v in rng.split(","))
            except ValueError:
                raise OptionError("param", f"{spec!r}: the range must be numbers, e.g. {name}=0.5,2") from None
            if len(values) < 2:
                raise OptionError("param", f"{spec!r}: give at least a low and a high value")
            if not all(math.isfinite(v) for v in values):
                raise OptionError("param", f"{spec!r}: the range must be finite numbers")
            if min(values) == max(values):
                raise OptionError("param", f"{spec!r}: the low and high ends are equal; give a range")
            p = replace(p, values=values)
        out.append(p)
    return out


def grid(p: Parameter, points: int) -> list[float]:
    """The values run: the range's ends (and any values given), the base, and ``points - 3`` more between."""
    lo, hi = min(p.values), max(p.values)
    vals = set(p.values) | {p.base}
    extra = max(0, points - 3)
    for k in range(1, extra + 1):
        vals.add(round(lo + (hi - lo) * k / (extra + 1), 6))
    return sorted(vals)


def varied(scenario: Scenario, p: Parameter, value: float) -> Scenario:
    return applied(scenario, [(p, value)])


def applied(scenario: Scenario, settings: Sequence[tuple[Parameter, float]]) -> Scenario:
    """``scenario`` with each parameter of ``settings`` set to its value (all at once)."""
    data = scenario.model_dump(mode="json", exclude_none=False)
    for p, value in settings:
        p.apply(data, value)
    return parse_scenario(data, f"{scenario.name} ({', '.join(f'{p.name}={v:g}' for p, v in settings)})")


def with_base(p: Parameter, scenario: Scenario) -> Parameter:
    """``p`` with its base value read from ``scenario`` (the reference config) where it sets a value."""
    if p.kind == "value" and isinstance(p.apply, _Set):
        v = p.apply.read(scenario.model_dump(mode="json"))
        if isinstance(v, int | float):
            return replace(p, base=float(v))
    return p


def sim_key(scenario: Scenario) -> str:
    """A hash of what is simulated (norms, costs, the search's staffing rules and names left out): scenarios with
    the same key share runs."""
    data = scenario.model_dump(mode="json")
    for k in ("norms", "costs", "staffing", "name", "description", "uncertainty"):
        data.pop(k, None)
    data["run"].pop("seed", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]


# ------------------------------------------------------------------------------------------- the sweep
@dataclass
class Point:
    parameter: str
    value: float
    fte: dict[str, float]
    cost: dict[str, float]
    saving: float
    binding: dict[str, list[str]]
    #: the alternative's one-off cost (minus the reference's under ``least``) over the yearly saving
    payback: float | None = None


def least(scenario: Scenario, setup: str, targets_spec: Sequence[str], runner: Runner, replications: int, seed: int,
          alpha: float, start: Staffing | None, block: int = 0, today: TodayService | None = None
          ) -> tuple[Evaluation, StaffingSearch]:
    """The least staffing of ``scenario``, warm-started from ``start``, on block ``block``'s seeds; held to
    ``today``'s service where its norms' basis (``--target today|both`` or ``norms.basis``) asks for it."""
    search = StaffingSearch(scenario, targets_for(scenario, targets_spec, today), runner, replications, seed,
                            name=f"{setup}@{sim_key(scenario)}", alpha=alpha, block=block,
                            max_exchanges=MAX_EXCHANGES if start is None else 0)
    return search.run(start), search


class Comparison:
    """The saving of ``alt`` (at its least staffing) against ``ref`` at given parameter values: ``ref`` at its
    own least staffing (``baseline="least"``, equal service) or as its config staffs it today (``"config"``:
    only ``alt`` is searched). Every point runs on the same replication seeds (common random numbers); the
    first, :meth:`base` (the config's values), is found like every other point: warm-started from where a
    full group-by-group search from the config's staffing ended (:meth:`_start`).

    **Against today's service** (``--target today|both`` or a config's ``norms.basis``): at every point, today's
    service is ``ref`` *as staffed in its config* at that point's values, simulated on the same block's seeds
    (:meth:`today`), and each setup is held to it per department, paired on common random numbers as
    ``sim staff`` does (:class:`sim.decisions.business.TodayBasis`). An input that raises today's workload lowers
    today's service too: the question stays "what does central need to do at least as well as today would, if the
    input were so", which is what an input's uncertainty asks of the iso-service answer."""

    names = ("reference", "alternative")

    def __init__(self, ref: Scenario, alt: Scenario, runner: Runner, replications: int, seed: int, *,
                 targets: Sequence[str] = (), confidence: float = 0.95, baseline: str = "least",
                 block: int = 0) -> None:
        if baseline not in ("least", "config"):
            raise OptionError("baseline", f"{baseline!r}: expected least or config")
        self.scenarios = {"reference": ref, "alternative": alt}
        self.runner, self.replications, self.seed = runner, replications, seed
        self.targets, self.alpha, self.baseline = tuple(targets), 1 - confidence, baseline
        # the block of replication seeds every search runs on (sim.decisions.staffing.search.block_seed)
        self.block = block
        self.start: dict[str, Staffing | None] = {n: None for n in self.names}
        #: each setup's least FTE and binding norms per setting of the parameters that are not cost-only: a
        #: point that differs from one found before only in costs reuses its staffings (no search runs)
        self.found: dict[tuple[Any, ...], tuple[float, list[str]]] = {}
        self.searches = 0  # least-staffing searches run (a cost-only point adds none)
        #: which setups are held to today's service, and today's service per setting of the reference's inputs
        self.holders = {n: target_basis(sc, self.targets) != "norms" for n, sc in self.scenarios.items()}
        self.todays: dict[tuple[tuple[str, float], ...], TodayService] = {}

    def today(self, settings: Sequence[tuple[Parameter, float]] = ()) -> TodayService:
        """Today's service at ``settings`` (the reference's inputs that change what is simulated): the
        reference as staffed in its config, on this comparison's block of seeds, measured as ``sim staff``
        measures it (each department's KPIs with their intervals)."""
        key = tuple((p.name, v) for p, v in settings)
        if key not in self.todays:
            ref = self.scenarios["reference"]
            s = applied(ref, settings) if settings else ref
            basis = TodayBasis(Unit(f"reference@{sim_key(s)}", s), self.runner, self.replications, self.seed,
                               self.alpha, self.targets, 1, set())
            self.todays[key] = basis.over([self.block])
        return self.todays[key]

    def _staffed(self, name: str, settings: Sequence[tuple[Parameter, float]]) -> list[tuple[Parameter, float]]:
        """The settings of ``settings`` that change what ``name`` simulates (not its costs only)."""
        return [(p, v) for p, v in settings if name in p.setups and p.cost is None]

    def _start(self, name: str, scenario: Scenario) -> Staffing:
        """Where a search of ``scenario`` from its config's staffing ends group by group: the start of every
        point, the base's too. Where a search ends depends a little on where it starts (by a secretary-day in
        decentral_cover), so the base searched from the config and the other points from here put a parameter
        that changes nothing half a point away from the base's saving."""
        today = self.today() if self.holders[name] else None
        ev, search = least(scenario, name, self.targets, self.runner, self.replications, self.seed, self.alpha,
                           None, self.block, today)
        start = self.start[name] = (search.floor or ev).staffing
        return start

    def base(self) -> Point:
        """The point at the config's values."""
        return self.point(())

    def point(self, settings: Sequence[tuple[Parameter, float]], parameter: str = "base",
              value: float = 0.0) -> Point:
        """Both setups at ``settings`` (no settings: the config's values), labelled ``parameter``, ``value``."""
        fte: dict[str, float] = {}
        cost: dict[str, float] = {}
        binding: dict[str, list[str]] = {}
        models: dict[str, CostModel] = {}
        for n, sc in self.scenarios.items():
            mine = [(p, v) for p, v in settings if n in p.setups]
            staffed = [(p, v) for p, v in mine if p.cost is None]  # what the least staffing depends on
            s = applied(sc, staffed) if staffed else sc
            models[n] = CostModel.of(applied(sc, mine) if len(mine) > len(staffed) else s)
            if n == "reference" and self.baseline == "config":  # today's staffing: nothing to search
                fte[n], binding[n] = Staffing.of(s).fte(s), []
            else:
                key: tuple[Any, ...] = (n, tuple((p.name, v) for p, v in staffed))
                today = None
                if self.holders[n]:  # the norm moves with the reference's inputs too
                    ref_staffed = self._staffed("reference", settings)
                    key += (tuple((p.name, v) for p, v in ref_staffed),)
                    today = self.today(ref_staffed)
                if key not in self.found:
                    start = self.start[n] or self._start(n, sc)
                    ev, search = least(s, n, self.targets, self.runner, self.replications, self.seed, self.alpha,
                                       start, self.block, today)
                    self.searches += 1
                    self.found[key] = (ev.fte, list(search.binding(ev))[:3])
                fte[n], binding[n] = self.found[key]
            cost[n] = models[n].yearly(fte[n])["total"]
        saving = 1 - cost["alternative"] / cost["reference"]
        one_off = models["alternative"].one_off(fte["alternative"])["total"]
        if self.baseline == "least":
            one_off -= models["reference"].one_off(fte["reference"])["total"]
        return Point(parameter, value, fte, cost, saving, binding,
                     payback_years(one_off, cost["reference"] - cost["alternative"]))


def sensitivity(ref: Scenario, alt: Scenario, runner: Runner, replications: int, seed: int, *,
                params: Sequence[Parameter] = PARAMETERS, points: int = 3, targets: Sequence[str] = (),
                confidence: float = 0.95, progress: Callable[[str], None] | None = None,
                baseline: str = "least") -> dict[str, Any]:
    """The saving of ``alt`` (at its least staffing) against ``ref`` over each parameter's range: ``ref`` at
    its own least staffing (``baseline="least"``, equal service) or as its config staffs it today
    (``"config"``: only ``alt`` is searched)."""
    comparison = Comparison(ref, alt, runner, replications, seed, targets=targets, confidence=confidence,
                            baseline=baseline)
    base_point = comparison.base()
    if progress:
        progress(f"base: saving {100 * base_point.saving:.1f}%")
    rows = []
    for p in (with_base(q, alt if q.setups == ("alternative",) else ref) for q in params):
        pts = []
        for v in grid(p, points):
            pt = comparison.point([(p, v)], p.name, v) if v != p.base else replace(base_point, parameter=p.name,
                                                                                    value=v)
            pts.append(pt)
        row = _row(p, pts)
        if p.cost is not None:  # the saving is linear in a cost figure: its crossing exactly, not interpolated
            exact = cost_break_even(p.cost, CostModel.of(alt), base_point.fte["alternative"],
                                    base_point.cost["reference"])
            row["break_even_exact"] = exact
            row["break_even"] = exact if exact is not None and min(p.values) <= exact <= max(p.values) else None
        rows.append(row)
        if progress:
            progress(f"{p.name}: {', '.join(f'{x.value:g} -> {100 * x.saving:.1f}%' for x in pts)}")
    rows.sort(key=lambda r: -r["swing"])
    return {"kind": "sensitivity", "reference": ref.name, "alternative": alt.name, "baseline": baseline,
            "base": _point_dict(base_point), "article_saving": ARTICLE_SAVING, "parameters": rows,
            "replications": replications, "seed": seed, "confidence": confidence, "points": points,
            "common_random_numbers": True}


def _point_dict(pt: Point) -> dict[str, Any]:
    return {"value": pt.value, "fte": pt.fte, "cost_per_year": pt.cost, "saving": pt.saving, "binding": pt.binding,
            "payback_years": pt.payback}


def _row(p: Parameter, pts: list[Point]) -> dict[str, Any]:
    lo = min(pts, key=lambda x: x.value)
    hi = max(pts, key=lambda x: x.value)
    savings = [x.saving for x in pts]
    return {"parameter": p.name, "label": p.label, "kind": p.kind, "base_value": p.base,
            "low": lo.value, "high": hi.value, "saving_low": lo.saving, "saving_high": hi.saving,
            "swing": max(savings) - min(savings), "break_even": break_even([x.value for x in pts], savings),
            "payback_low": lo.payback, "payback_high": hi.payback, "cost_only": p.cost is not None,
            "setups": list(p.setups), "points": [_point_dict(x) for x in pts]}


def cost_break_even(name: str, costs: CostModel, fte: float, ref_cost: float,
                    goal: float = ARTICLE_SAVING) -> float | None:
    """The value of the cost figure ``name`` (a :class:`CostModel` field) at which the alternative, at ``fte``
    with ``costs``, saves exactly ``goal`` against ``ref_cost`` a year: the cost formula solved for that figure
    at ``cost = (1 - goal) x ref_cost`` (:meth:`sim.core.costs.CostModel.solve`). None where the saving does not
    depend on it (a one-off cost, or a zero coefficient). The value may lie outside the parameter's range (or be
    negative: no value reaches it)."""
    return costs.solve(name, (1 - goal) * ref_cost, fte)


def break_even(values: Sequence[float], savings: Sequence[float], goal: float = ARTICLE_SAVING) -> float | None:
    """The first value (from the base outward is not assumed: from low to high) where the saving, linear
    between the values run, crosses ``goal``; None if it stays on one side over the range."""
    pairs = sorted(zip(values, savings, strict=True))
    for (v0, s0), (v1, s1) in zip(pairs, pairs[1:], strict=False):
        if (s0 - goal) * (s1 - goal) < 0:
            return v0 + (goal - s0) * (v1 - v0) / (s1 - s0)
        if s1 == goal and s0 != goal:
            return v1
    if pairs and pairs[0][1] == goal:
        return pairs[0][0]
    return None


def fmt_break_even(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "not within range"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"  # euro figures in whole euros


__all__ = ["Parameter", "PARAMETERS", "parameters", "grid", "varied", "applied", "Comparison", "least",
           "sensitivity", "break_even", "cost_break_even", "fmt_break_even", "sim_key"]
