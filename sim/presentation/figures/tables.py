"""The plain data figures read: rows from a list of dicts or a DataFrame, numbers from table cells, KPI
labels, and each setup's mean over the replications with its interval (:func:`sim.experiments.stats.summarize_kpi`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sim.experiments.stats import summarize_kpi
from sim.kpis import kpi_info
from sim.presentation.figures.style import NoData


# --------------------------------------------------------------------------------------------- plain data
def records(data: Any) -> list[dict[str, Any]]:
    """Rows as a list of dicts, from a DataFrame (anything with ``to_dict``) or an iterable of mappings."""
    if data is None:
        return []
    if hasattr(data, "to_dict"):
        return [dict(r) for r in data.to_dict("records")]
    return [dict(r) for r in data]


def num(value: Any) -> float:
    """A number from a table cell; empty, None and non-numbers are NaN."""
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def is_share_kpi(kpi: str) -> bool:
    """KPIs that are fractions in [0, 1] (drawn in percent), as :mod:`sim.kpis` declares them."""
    return kpi_info(kpi).scale == "share"


def kpi_label(kpi: str) -> str:
    """A KPI's readable name, from :mod:`sim.kpis`."""
    return kpi_info(kpi).label


def mean_ci(values: Iterable[Any], level: float = 0.95, kpi: str = "") -> dict[str, float]:
    """Mean, confidence interval, sd and n of the finite values (NaN where undefined), computed by
    :func:`sim.experiments.stats.summarize_kpi` for ``kpi`` (logit scale for shares, log scale for durations and rates,
    Student-t for the rest), so figures and reports give the intervals the experiments report."""
    s = summarize_kpi(kpi, [v for v in (num(x) for x in values) if math.isfinite(v)], alpha=1 - level)
    fields = {"mean": s.mean, "ci_low": s.ci_low, "ci_high": s.ci_high, "sd": s.sd}
    return {**{k: math.nan if v is None else float(v) for k, v in fields.items()}, "n": s.n}


def summarise(rows: Iterable[Mapping[str, Any]], by: Sequence[str], value: str) -> list[dict[str, Any]]:
    """Group ``rows`` by the ``by`` columns and give each group's :func:`mean_ci` of ``value``, in the order
    groups first appear. The interval follows the KPI's range: the ``kpi`` column's name where it is a
    grouping column (tidy ``kpis.csv``), else the ``value`` column's (a result table's column)."""
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in by)].append(num(row.get(value)))
    out = []
    for key, vals in groups.items():
        labels = dict(zip(by, key, strict=True))
        out.append({**labels, **mean_ci(vals, kpi=str(labels.get("kpi", value)))})
    return out


def setups_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Setup names in order of appearance (one unnamed setup if there is no ``setup`` column)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen[str(row.get("setup", ""))] = None
    return list(seen)


def setups_and_baseline(figure: str, rows_in: Any,
                         baseline: str | None) -> tuple[list[dict[str, Any]], list[str], str]:
    """The rows (with a setup column), the setups in order and the baseline (default: the first), for a
    figure that compares setups; a clear error for no rows or an unknown baseline."""
    rows = with_setup(records(rows_in))
    if not rows:
        raise NoData(f"{figure}: no rows")
    setups = setups_of(rows)
    baseline = baseline or setups[0]
    if baseline not in setups:
        raise ValueError(f"{figure}: no setup {baseline!r}; setups: {', '.join(setups)}")
    return rows, setups, baseline


def with_setup(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["setup"] = str(row.get("setup", "") or "")
        row.setdefault("replication", 0)
    return rows


def sortable(values: Iterable[Any]) -> list[Any]:
    vals = list(dict.fromkeys(values))
    if all(math.isfinite(num(v)) for v in vals):
        return sorted(vals, key=num)
    return vals


__all__ = ["records", "num", "is_share_kpi", "kpi_label", "mean_ci", "summarise", "setups_of",
           "setups_and_baseline", "with_setup", "sortable"]
