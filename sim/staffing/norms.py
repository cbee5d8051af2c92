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
  as a control variate (``norms.control_variate``, :mod:`sim.staffing.control`).

**When a norm holds** (``norms.rule``). Norms on shares of events (reachability, abandoned calls, each type's
service level) are judged on the *pooled* share over all replications (all calls, all e-mails: as a
municipality reports its norm), with the ratio estimator's t-interval (:func:`sim.stats.ratio_estimate`), so
that a replication with two call-backs weighs less than one with two hundred; other KPIs on the mean over
replications. A KPI that no replication could measure (no requests of that type) sets no norm.

- ``mean`` (default): the estimate meets the target. The least staffing is then a property of the model, not
  of the run length: more replications make it more precise, they do not move it. How precise it is comes
  from independent blocks of replications (:mod:`sim.business`).
- ``confident``: the whole two-sided t-interval (95% by default) lies on the target's side. A safety margin
  that shrinks as replications grow, so the least staffing falls with the run length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.config import ConfigError, Scenario
from sim.staffing.control import CONTROLLED, controlled_share
from sim.stats import ALPHA, Summary, ratio_estimate, summarize_kpi
from sim.store import ReplicationRecord

_EMPTY = Summary(None, None, None, None, 0)


@dataclass(frozen=True)
class Target:
    """A service norm: ``kpi op value`` with op ``>=`` or ``<=``; with ``department``, the norm for that one
    department, on its column ``kpi`` of the per-department table (judged on the pooled point estimate)."""

    kpi: str
    op: str
    value: float
    department: str | None = None

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
        return {"kpi": self.kpi, "op": self.op, "value": self.value, "department": self.department}


#: Default targets: reachability (80% within the call norm), abandoned calls (Tilburg 2018: at most 5%),
#: and for each back-office type 85% within its norm (Tilburg 2020: 85% of e-mail within 2 working days).
DEFAULT_REACHABILITY = 0.80
DEFAULT_ABANDONED = 0.05
DEFAULT_SERVICE_LEVEL = 0.85

_TARGET = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|=)\s*(\S+)\s*$")


#: Per-department norms: the norm's field in the config, the per-department table's column, and direction.
DEPARTMENT_NORMS = (("reachability_min", "reachability", ">="), ("abandoned_max", "calls_abandoned", "<="),
                    ("service_level_min", "within_norm", ">="))


def default_targets(scenario: Scenario) -> list[Target]:
    """The norms of ``scenario`` (its ``norms`` section; the schema's defaults are the sourced ones above) for
    its request types, without the per-department ones (see :func:`department_targets`)."""
    from sim.demand import apply_hnw

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
    the service-level norm on its requests within norm (the strictest service-level target), if
    ``norms.per_department``."""
    if not scenario.norms.per_department:
        return []
    by_kpi = {t.kpi: t for t in sector if t.department is None}
    service = [t.value for t in sector if t.kpi.startswith("service_level.") and t.op == ">="]
    out = []
    for d in scenario.organisation.departments:
        for _, column, op in DEPARTMENT_NORMS:
            if column == "within_norm":
                if service:
                    out.append(Target(column, op, max(service), d.name))
            elif column in by_kpi:
                out.append(Target(column, by_kpi[column].op, by_kpi[column].value, d.name))
    return out


def parse_target(text: str) -> tuple[str, Target | None]:
    """``kpi=0.8`` or ``kpi>=0.8`` (at least), ``kpi<=0.05`` (at most), ``kpi=off`` (no norm)."""
    m = _TARGET.match(text)
    if not m:
        raise ConfigError("--target", f"{text!r}: expected KPI=VALUE, KPI>=VALUE, KPI<=VALUE or KPI=off")
    kpi, op, raw = m.groups()
    if raw.lower() in ("off", "none"):
        return kpi, None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("--target", f"{text!r}: {raw!r} is not a number") from None
    return kpi, Target(kpi, ">=" if op == "=" else op, value)


def targets_for(scenario: Scenario, specs: Sequence[str] = ()) -> list[Target]:
    """The default norms, with ``specs`` (``--target``) replacing, adding or switching off norms."""
    targets = {t.kpi: t for t in default_targets(scenario)}
    for spec in specs:
        kpi, target = parse_target(spec)
        if target is None:
            targets.pop(kpi, None)
        else:
            targets[kpi] = target
    if not targets:
        raise ConfigError("--target", "every norm is switched off; there is nothing to staff for")
    sector = list(targets.values())
    return sector + department_targets(scenario, sector)



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


def pooled_share(records: Sequence[ReplicationRecord], kpi: str, alpha: float = ALPHA) -> Summary | None:
    """The pooled share of ``kpi`` over the replications with its ratio-estimator interval, or None if
    ``kpi`` is not a share of events."""
    counts = [event_counts(r.tables or {}, kpi) for r in records]
    if not counts or any(c is None for c in counts):
        return None
    ys = [c[0] for c in counts if c is not None]
    xs = [c[1] for c in counts if c is not None]
    return ratio_estimate(ys, xs, alpha)



def department_sums(records: Iterable[ReplicationRecord], key: Callable[[str], str]) -> dict[str, list[float]]:
    """The per-department tables summed over the replications, by ``key(department)``: calls offered, within
    the norm and abandoned, requests, and requests within their norms."""
    sums: dict[str, list[float]] = {}
    for rec in records:
        for row in (rec.tables or {}).get("per_department", []):
            acc = sums.setdefault(key(row["department"]), [0.0] * 5)
            offered, requests = row.get("calls_offered") or 0, row.get("requests") or 0
            acc[0] += offered
            acc[1] += (row.get("reachability") or 0) * offered
            acc[2] += (row.get("calls_abandoned") or 0) * offered
            acc[3] += requests
            acc[4] += (row.get("within_norm") or 0) * requests
    return sums


def department_shares(records: Sequence[ReplicationRecord]) -> dict[str, dict[str, float | None]]:
    """Each department's pooled shares over the replications: reachability and abandoned calls (of its calls
    offered) and requests within norm (of its requests)."""
    sums = department_sums(records, lambda name: name)
    return {d: {"reachability": a[1] / a[0] if a[0] else None, "calls_abandoned": a[2] / a[0] if a[0] else None,
                "within_norm": a[4] / a[3] if a[3] else None} for d, a in sums.items()}


def controlled_shares(records: Sequence[ReplicationRecord], expected: dict[str, float]
                      ) -> dict[str, dict[str, float | None]]:
    """Each department's reachability and abandoned share over the replications, corrected by its coverage
    as a control variate (:mod:`sim.staffing.control`; ``expected``: each department's expected coverage)."""
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
