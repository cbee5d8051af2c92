"""Service norms and how a staffing is judged against them.

**Norms** are targets on KPIs (:class:`Target`), read from the config's ``norms`` section
(:class:`sim.config.Norms`; ``--target`` overrides). The schema's defaults, from the sources in the domain notes:

- ``reachability >= 0.80``: calls answered within the norm (the call-centre "80% within 20 s"; the VNG
  charter and Katwijk ask 20-25 s);
- ``calls_abandoned <= 0.05``: at most 5% abandoned calls (Tilburg, 2018);
- ``service_level.<type> >= 0.85`` for every back-office type of the config (call-backs, e-mail, post, ...,
  minutes): 85% within its norm, as Tilburg (2020) asks of e-mail within 2 working days;
- ``utilisation <= 0.85``: the occupancy ceiling (ASSUMPTION: workforce-management convention);
- per department (``norms.per_department``): each department's reachability, abandoned calls and requests
  within norm from the per-department table, against the sector's targets, judged on the department's pooled
  share (a point estimate); reachability and abandoned calls corrected by the department's rostered coverage
  as a control variate (``norms.control_variate``, :mod:`sim.decisions.staffing.control`).

**When a norm holds** (``norms.rule``). Norms on shares of events (reachability, abandoned calls, each type's
service level) are judged on the *pooled* share over all replications (all calls, all e-mails: as a
municipality reports its norm), with the ratio estimator's t-interval (:func:`sim.experiments.stats.ratio_estimate`), so
that a replication with two call-backs weighs less than one with two hundred; other KPIs on the mean over
replications. A KPI that no replication could measure (no requests of that type) sets no norm.

- ``mean`` (default): the estimate meets the target. The least staffing is then a property of the model, not
  of the run length: more replications make it more precise, they do not move it. How precise it is comes
  from independent blocks of replications (:mod:`sim.decisions.business`).
- ``confident``: the whole two-sided t-interval (95% by default) lies on the target's side. A safety margin
  that shrinks as replications grow, so the least staffing falls with the run length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.config import OptionError, Scenario
from sim.decisions.staffing.control import CONTROLLED, controlled_share
from sim.experiments.stats import ALPHA, Summary, ratio_estimate, summarize_kpi
from sim.experiments.store import ReplicationRecord

_EMPTY = Summary(None, None, None, None, 0)


@dataclass(frozen=True)
class Target:
    """A service norm: ``kpi op value`` with op ``>=`` or ``<=``; with ``department``, the norm for that one
    department, on its column ``kpi`` of the per-department table (judged on the pooled point estimate)."""

    kpi: str
    op: str
    value: float
    department: str | None = None
    #: where the value comes from: ``norm`` (the config's or ``--target``'s fixed norm) or ``today`` (the
    #: baseline's own simulated service less the tolerance, :func:`today_targets`)
    basis: str = "norm"

    @property
    def key(self) -> str:
        """Unique among a search's norms: ``reachability`` or ``Groen:reachability``."""
        return self.kpi if self.department is None else f"{self.department}:{self.kpi}"

    def margin(self, s: Summary, rule: str = "confident") -> float | None:
        """How far the KPI lies on the right side of the target (negative: the norm does not hold); None if
        the KPI was not measured. Rule ``mean``: the estimate's margin. Rule ``confident``: the margin of the
        interval's far bound; an interval that is not defined (fewer than 2 values) does not hold."""
        if s.n == 0:
            return None
        if rule == "mean":
            return self.estimate_margin(s.mean)
        if s.ci_low is None or s.ci_high is None:
            return -math.inf
        return s.ci_low - self.value if self.op == ">=" else self.value - s.ci_high

    def estimate_margin(self, estimate: float | None) -> float | None:
        """The margin of a point estimate (per-department norms)."""
        if estimate is None:
            return None
        return estimate - self.value if self.op == ">=" else self.value - estimate

    def __str__(self) -> str:
        return f"{self.key} {self.op} {self.value:g}"

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "op": self.op, "value": self.value, "department": self.department,
                "basis": self.basis}

    def stricter(self, other: Target) -> Target:
        """The stricter of two targets on the same KPI (both must hold: the higher floor, the lower ceiling)."""
        if self.op != other.op:
            return self
        if self.op == ">=":
            return self if self.value >= other.value else other
        return self if self.value <= other.value else other


#: Default targets: reachability (80% within the call norm), abandoned calls (Tilburg 2018: at most 5%),
#: and for each back-office type 85% within its norm (Tilburg 2020: 85% of e-mail within 2 working days).
DEFAULT_REACHABILITY = 0.80
DEFAULT_ABANDONED = 0.05
DEFAULT_SERVICE_LEVEL = 0.85

_TARGET = re.compile(r"^\s*(?:(?P<dept>[^:<>=]+?)\s*:\s*)?(?P<kpi>[A-Za-z_][\w.]*)\s*(?P<op>>=|<=|=)\s*"
                     r"(?P<value>\S+)\s*$")
#: ``--target today``: each setup holds today's service (the first config as staffed); ``both``: today's service
#: and the fixed norms together
TODAY, BOTH = "today", "both"
#: Default tolerance of "no worse than today", in shares (one point); the baseline's own interval where wider.
TODAY_TOLERANCE = 0.01


#: Per-department norms: the norm's field in the config, the per-department table's column, and direction.
#: Calls and back-office tasks are separate norms (a call is judged once: its callback is left out of
#: ``tasks_within_norm``).
DEPARTMENT_NORMS = (("reachability_min", "reachability", ">="), ("abandoned_max", "calls_abandoned", "<="),
                    ("service_level_min", "tasks_within_norm", ">="), ("continuity_min", "continuity", ">="))
#: Every per-department KPI a target may name, with its direction (``today`` holds each of them).
DEPARTMENT_KPIS = {"reachability": ">=", "calls_abandoned": "<=", "tasks_within_norm": ">=",
                   "continuity": ">=", "meetings_with_minutes": ">="}
#: Short names accepted in ``--target DEPARTMENT:KPI...``.
DEPARTMENT_ALIASES = {"abandoned": "calls_abandoned", "tasks": "tasks_within_norm",
                      "service_level": "tasks_within_norm", "meetings": "meetings_with_minutes"}


def default_targets(scenario: Scenario) -> list[Target]:
    """The norms of ``scenario`` (its ``norms`` section; the schema's defaults are the sourced ones above) for
    its request types, without the per-department ones (see :func:`department_targets`)."""
    from sim.core.demand import apply_hnw

    demand = apply_hnw(scenario.demand, scenario.hnw)
    norms = scenario.norms
    targets = []
    if norms.reachability_min is not None:
        targets.append(Target("reachability", ">=", norms.reachability_min))
    if norms.abandoned_max is not None:
        targets.append(Target("calls_abandoned", "<=", norms.abandoned_max))
    if norms.service_level_min is not None:
        targets += [Target(f"service_level.{t}", ">=", norms.service_level_min)
                    for t in demand.type_names() if t != "phone"]
    if norms.occupancy_max is not None:
        targets.append(Target("utilisation", "<=", norms.occupancy_max))
    return targets


def department_targets(scenario: Scenario, sector: Sequence[Target]) -> list[Target]:
    """Every department held to the sector's reachability and abandoned-call norms (after ``--target``) and to
    the service-level norm on its back-office tasks (the strictest service-level target), if
    ``norms.per_department``; and to continuity (``--target continuity>=V`` or ``norms.continuity_min``)."""
    if not scenario.norms.per_department:
        return []
    by_kpi = {t.kpi: t for t in sector if t.department is None}
    service = [t.value for t in sector if t.kpi.startswith("service_level.") and t.op == ">="]
    continuity = by_kpi["continuity"].value if "continuity" in by_kpi else scenario.norms.continuity_min
    out = []
    for d in scenario.organisation.departments:
        for _, column, op in DEPARTMENT_NORMS:
            if column == "tasks_within_norm":
                if service:
                    out.append(Target(column, op, max(service), d.name))
            elif column == "continuity":
                if continuity is not None:
                    out.append(Target(column, op, continuity, d.name))
            elif column in by_kpi:
                out.append(Target(column, by_kpi[column].op, by_kpi[column].value, d.name))
    return out


def parse_target(text: str) -> tuple[str, Target | None]:
    """``kpi=0.8`` or ``kpi>=0.8`` (at least), ``kpi<=0.05`` (at most), ``kpi=off`` (no norm); with a department
    first, ``Afval:abandoned<=0.37``, the norm of that department only (its KPIs: :data:`DEPARTMENT_KPIS`, or
    their short names :data:`DEPARTMENT_ALIASES`). Returns the norm's key and the target (None: off)."""
    m = _TARGET.match(text)
    if not m:
        raise OptionError("target", f"{text!r}: expected KPI=VALUE, KPI>=VALUE, KPI<=VALUE, KPI=off, "
                        "DEPARTMENT:KPI<=VALUE, today or both")
    dept, kpi, op, raw = m.group("dept"), m.group("kpi"), m.group("op"), m.group("value")
    if dept is not None:
        kpi = DEPARTMENT_ALIASES.get(kpi, kpi)
        if kpi not in DEPARTMENT_KPIS:
            raise OptionError("target", f"{text!r}: a department's norm is one of "
                            f"{', '.join(DEPARTMENT_KPIS)} (or {', '.join(DEPARTMENT_ALIASES)}), not {kpi!r}")
    key = kpi if dept is None else f"{dept}:{kpi}"
    if raw.lower() in ("off", "none"):
        return key, None
    try:
        value = float(raw)
    except ValueError:
        raise OptionError("target", f"{text!r}: {raw!r} is not a number") from None
    if dept is not None and op == "=":
        op = DEPARTMENT_KPIS[kpi]
    return key, Target(kpi, ">=" if op == "=" else op, value, dept)


def target_basis(scenario: Scenario, specs: Sequence[str] = ()) -> str:
    """``norms`` (the fixed norms), ``today`` (today's service) or ``both``: from ``--target today`` / ``both``
    where given, else the config's ``norms.basis``."""
    words = [s.strip().lower() for s in specs if s.strip().lower() in (TODAY, BOTH)]
    if len(set(words)) > 1:
        raise OptionError("target", "give either 'today' or 'both', not both words")
    return words[0] if words else scenario.norms.basis


def targets_for(scenario: Scenario, specs: Sequence[str] = (), today: TodayService | None = None) -> list[Target]:
    """The norms of ``scenario``, by ``--target today|both`` or else its ``norms.basis``:

    - ``norms``: the fixed norms (its ``norms`` section), every department held to the sector's;
    - ``today``: today's service (``today``, measured on the baseline: :func:`today_targets`), per department
      and KPI, plus the occupancy ceiling (a workload policy, not a service norm);
    - ``both``: both, the stricter of each pair.

    Then ``specs`` (``--target``), the analyst's explicit word, replace: ``KPI op V`` sets the sector's norm and,
    for a KPI that departments have (reachability, calls_abandoned, continuity, ...), every department's in
    place of today's or the fixed one (``continuity>=0.8`` relaxes today's continuity to 80%); ``KPI=off``
    drops both; ``DEPARTMENT:KPI op V`` sets or drops one department's."""
    basis = target_basis(scenario, specs)
    if basis != "norms" and today is None:
        raise OptionError("target", f"{basis}: today's service must be measured first (sim staff does; this "
                          "command takes fixed norms only)")
    fixed = default_targets(scenario)
    departments = [d.name for d in scenario.organisation.departments]
    own: dict[str, Target | None] = {}
    for spec in specs:
        if spec.strip().lower() in (TODAY, BOTH):
            continue
        key, target = parse_target(spec)
        if target is not None and target.department is not None and target.department not in departments:
            raise OptionError("target", f"{spec!r}: no department {target.department!r} in {scenario.name} "
                              f"(departments: {', '.join(sorted(departments))})")
        own[key] = target
    sector = {t.key: t for t in fixed if basis != TODAY or t.kpi == "utilisation"}
    for key, target in own.items():
        if ":" in key:
            continue
        if target is None:
            sector.pop(key, None)
        else:
            sector[key] = target
    out = {t.key: t for t in sector.values()}
    if basis != TODAY:
        out |= {t.key: t for t in department_targets(scenario, list(sector.values()))}
    if today is not None and basis != "norms":
        for t in today_targets(scenario, today):
            if t.department is None and t.key in own or t.department is not None and t.kpi in own:
                continue  # the analyst's explicit norm replaces today's
            out[t.key] = out[t.key].stricter(t) if t.key in out else t
    held = scenario.norms.per_department or basis != "norms"
    for key, target in own.items():  # a sector norm on a KPI departments have: every department's too
        if ":" in key or key not in DEPARTMENT_KPIS or not held:
            continue
        out = {k: t for k, t in out.items() if not (t.department is not None and t.kpi == key)}
        if target is not None:
            out |= {f"{d}:{key}": Target(key, target.op, target.value, d) for d in departments}
    for key, target in own.items():
        if ":" in key:
            if target is None:
                out.pop(key, None)
            else:
                out[key] = target
    pending = basis != "norms" and today is not None and today.replications == 0  # measured later (plan)
    if not out and not pending:
        raise OptionError("target", "every norm is switched off; there is nothing to staff for")
    return list(out.values())


@dataclass(frozen=True)
class TodayService:
    """Today's service, measured by simulating the baseline as staffed in its config: each KPI's estimate and
    the half-width of its interval, for the sector (``sector``: reachability, abandoned calls, each type's
    service level) and per department (``departments``: :data:`DEPARTMENT_KPIS`); ``tolerance``: the least
    margin of "no worse than today" (``norms.today_tolerance``)."""

    setup: str
    sector: dict[str, tuple[float, float]]
    departments: dict[str, dict[str, tuple[float, float]]]
    replications: int
    tolerance: float = TODAY_TOLERANCE

    def paired(self, block: TodayService) -> TodayService:
        """Today's estimates on one block's replications (``block``), with this service's half-widths (over
        more replications) as the tolerance's interval: a setup judged on the same seeds is compared with today
        on common random numbers, so that today's staffing itself meets today's service exactly."""
        return TodayService(self.setup, {k: (e, self.sector.get(k, (e, 0.0))[1]) for k, (e, _) in block.sector.items()},
                            {d: {k: (e, self.departments.get(d, {}).get(k, (e, 0.0))[1]) for k, (e, _) in kp.items()}
                             for d, kp in block.departments.items()}, block.replications, self.tolerance)

    def to_dict(self) -> dict[str, Any]:
        return {"setup": self.setup, "replications": self.replications, "tolerance": self.tolerance,
                "sector": {k: {"estimate": e, "half_width": h} for k, (e, h) in self.sector.items()},
                "departments": {d: {k: {"estimate": e, "half_width": h} for k, (e, h) in kp.items()}
                                for d, kp in self.departments.items()}}


def _allowed(op: str, estimate: float, slack: float) -> float:
    return max(0.0, estimate - slack) if op == ">=" else min(1.0, estimate + slack)


def today_targets(scenario: Scenario, today: TodayService) -> list[Target]:
    """"No worse than today": every KPI of :class:`TodayService` at today's estimate less the tolerance (the
    larger of ``today.tolerance`` and the half-width of today's own interval), for the departments that
    ``scenario`` has."""
    out = []
    for kpi, (est, hw) in today.sector.items():
        op = "<=" if kpi == "calls_abandoned" else ">="
        out.append(Target(kpi, op, _allowed(op, est, max(today.tolerance, hw)), basis=TODAY))
    names = {d.name for d in scenario.organisation.departments}
    for dept, kpis in today.departments.items():
        if dept not in names:
            continue
        for kpi, (est, hw) in kpis.items():
            op = DEPARTMENT_KPIS[kpi]
            out.append(Target(kpi, op, _allowed(op, est, max(today.tolerance, hw)), dept, basis=TODAY))
    return out


def measure_today(records: Sequence[ReplicationRecord], setup: str, scenario: Scenario,
                  expected: dict[str, float] | None = None, alpha: float = ALPHA) -> TodayService:
    """Today's service from the baseline's replications at its config's staffing (``expected``: each
    department's expected coverage, for the control variate on calls, as the norms are judged)."""
    from sim.core.demand import apply_hnw

    sector: dict[str, tuple[float, float]] = {}
    kpis = ["reachability", "calls_abandoned"] + [
        f"service_level.{t}" for t in apply_hnw(scenario.demand, scenario.hnw).type_names() if t != "phone"]
    for kpi in kpis:
        s = pooled_share(records, kpi, alpha)
        if s is not None and s.mean is not None and (event_total(records, kpi) or 0) > 0:
            sector[kpi] = (s.mean, s.half_width or 0.0)
    counts = department_counts(records)
    controlled = controlled_shares(records, expected) if expected else {}
    departments: dict[str, dict[str, tuple[float, float]]] = {}
    for dept, by_kpi in counts.items():
        for kpi in DEPARTMENT_KPIS:
            ys, xs = by_kpi[kpi]
            s = ratio_estimate(ys, xs, alpha)
            if s.mean is None:
                continue
            est = s.mean
            if kpi in CONTROLLED and dept in controlled and controlled[dept].get(kpi) is not None:
                est = float(controlled[dept][kpi] or 0.0)
            departments.setdefault(dept, {})[kpi] = (est, s.half_width or 0.0)
    return TodayService(setup, sector, departments, len(records), scenario.norms.today_tolerance)


def event_counts(tables: dict[str, list[dict[str, Any]]], kpi: str) -> tuple[float, float] | None:
    """(events in the norm, events) behind a share KPI in one replication's tables; None for other KPIs."""
    if kpi in ("reachability", "service_level.phone", "calls_abandoned"):
        rows = tables.get("per_hour", [])
        field = "abandoned" if kpi == "calls_abandoned" else "answered_within_norm"
        return float(sum(r[field] for r in rows)), float(sum(r["offered"] for r in rows))
    if kpi.startswith("service_level."):
        name = kpi.split(".", 1)[1]
        for r in tables.get("per_type", []):
            if r["type"] == name:
                return float(r["done_within_norm"]), float(r["done"] + r["open_overdue_at_end"])
        return 0.0, 0.0
    return None


def event_total(records: Sequence[ReplicationRecord], kpi: str) -> float | None:
    """How many events the share ``kpi`` is taken over, summed over the replications (None: not a share)."""
    counts = [event_counts(r.tables or {}, kpi) for r in records]
    if any(c is None for c in counts):
        return None
    return math.fsum(c[1] for c in counts if c is not None)


def pooled_share(records: Sequence[ReplicationRecord], kpi: str, alpha: float = ALPHA) -> Summary | None:
    """The pooled share of ``kpi`` over the replications with its ratio-estimator interval, or None if
    ``kpi`` is not a share of events."""
    counts = [event_counts(r.tables or {}, kpi) for r in records]
    if not counts or any(c is None for c in counts):
        return None
    ys = [c[0] for c in counts if c is not None]
    xs = [c[1] for c in counts if c is not None]
    return ratio_estimate(ys, xs, alpha)



#: Each per-department share as (events, of how many) from a row of the per-department table.
_DEPT_FRACTIONS: dict[str, Callable[[dict[str, Any]], tuple[float, float]]] = {
    "reachability": lambda r: ((r.get("reachability") or 0) * (r.get("calls_offered") or 0),
                               r.get("calls_offered") or 0),
    "calls_abandoned": lambda r: ((r.get("calls_abandoned") or 0) * (r.get("calls_offered") or 0),
                                  r.get("calls_offered") or 0),
    "within_norm": lambda r: ((r.get("within_norm") or 0) * (r.get("requests") or 0), r.get("requests") or 0),
    "tasks_within_norm": lambda r: ((r.get("tasks_within_norm") or 0) * (r.get("tasks") or 0), r.get("tasks") or 0),
    "continuity": lambda r: ((r.get("continuity") or 0) * (r.get("custom_done") or 0), r.get("custom_done") or 0),
    "meetings_with_minutes": lambda r: (r.get("meetings_held") or 0, r.get("meetings") or 0),
}


def department_counts(records: Iterable[ReplicationRecord], key: Callable[[str], str] = lambda name: name
                      ) -> dict[str, dict[str, tuple[list[float], list[float]]]]:
    """Per department (or ``key(department)``), per share KPI: each replication's events and totals."""
    out: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    for k, rec in enumerate(records):
        for row in (rec.tables or {}).get("per_department", []):
            acc = out.setdefault(key(row["department"]), {kpi: ([], []) for kpi in _DEPT_FRACTIONS})
            for kpi, frac in _DEPT_FRACTIONS.items():
                y, x = frac(row)
                ys, xs = acc[kpi]
                if len(ys) <= k:  # a new replication (several departments may share a key)
                    ys.extend([0.0] * (k + 1 - len(ys)))
                    xs.extend([0.0] * (k + 1 - len(xs)))
                ys[k] += y
                xs[k] += x
    return out


def department_sums(records: Iterable[ReplicationRecord], key: Callable[[str], str] = lambda name: name
                    ) -> dict[str, dict[str, tuple[float, float]]]:
    """Per department (or ``key(department)``), per share KPI: (events, total) summed over the replications."""
    return {d: {kpi: (math.fsum(ys), math.fsum(xs)) for kpi, (ys, xs) in by.items()}
            for d, by in department_counts(records, key).items()}


def department_shares(records: Sequence[ReplicationRecord]) -> dict[str, dict[str, float | None]]:
    """Each department's pooled shares over the replications: reachability and abandoned calls (of its calls
    offered), its tasks within norm (of its tasks, callbacks left out), all its requests within norm, continuity
    (of its custom requests) and meetings with minutes."""
    return {d: {kpi: y / x if x else None for kpi, (y, x) in by.items()}
            for d, by in department_sums(records).items()}


def controlled_shares(records: Sequence[ReplicationRecord], expected: dict[str, float]
                      ) -> dict[str, dict[str, float | None]]:
    """Each department's reachability and abandoned share over the replications, corrected by its coverage
    as a control variate (:mod:`sim.decisions.staffing.control`; ``expected``: each department's expected coverage)."""
    rows: dict[str, list[tuple[float, float, float, float]]] = {}
    for rec in records:
        for row in (rec.tables or {}).get("per_department", []):
            offered, coverage = row.get("calls_offered") or 0, row.get("coverage_rostered")
            if row["department"] in expected and coverage is not None:
                rows.setdefault(row["department"], []).append(
                    (offered, (row.get("reachability") or 0) * offered, (row.get("calls_abandoned") or 0) * offered,
                     coverage))
    out: dict[str, dict[str, float | None]] = {}
    for d, rs in rows.items():
        offered = [r[0] for r in rs]
        cover = [r[3] for r in rs]
        out[d] = {kpi: controlled_share([r[k] for r in rs], offered, cover, expected[d])
                  for kpi, k in (("reachability", 1), ("calls_abandoned", 2))}
    return out


def judge(records: Sequence[ReplicationRecord], targets: Sequence[Target], alpha: float = ALPHA,
          rule: str = "mean", expected: dict[str, float] | None = None
          ) -> tuple[dict[str, Summary], dict[str, float | None]]:
    """Every KPI's summary over ``records`` and every norm's margin (see :meth:`Target.margin`): sector norms
    on shares of events on the pooled share, others on the mean; department norms on the department's pooled
    share (a point estimate, whatever the rule), those on calls corrected by the department's coverage as a
    control variate where ``expected`` gives its expected coverage (:func:`controlled_shares`)."""
    kpis = {k for r in records for k in r.kpis}
    sums = {k: summarize_kpi(k, [r.kpis.get(k) for r in records], alpha) for k in sorted(kpis)}
    sector = [t for t in targets if t.department is None]
    for t in sector:
        pooled = pooled_share(records, t.kpi, alpha)
        if pooled is not None:
            sums[t.kpi] = pooled
    margins = {t.key: t.margin(sums.get(t.kpi, _EMPTY), rule) for t in sector}
    shares = department_shares(records)
    controlled = controlled_shares(records, expected) if expected else {}
    for t in targets:
        if t.department is not None:
            est = shares.get(t.department, {}).get(t.kpi)
            if t.kpi in CONTROLLED and t.department in controlled:
                est = controlled[t.department][t.kpi]
            margins[t.key] = t.estimate_margin(est)
            sums[t.key] = Summary(est, None, None, None, 0 if est is None else len(records))
    return sums, margins
