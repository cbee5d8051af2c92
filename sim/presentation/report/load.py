"""What a results folder says, read for the report: the KPIs summarised per unit and their paired differences,
the norms the result was judged on, and the results of other commands run into it or one folder below
(``sim sensitivity``, ``sim uncertainty``, ``sim roster``).

The folder itself is read by :mod:`sim.experiments.results`, the module that writes it: one reader, one cell
rule for report, plot and export.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.experiments.results import Results
from sim.kpis import TABLE_KPIS, kpi_info
from sim.presentation import figures as F


def table_kpis(present: Sequence[str]) -> list[str]:
    """The KPIs to tabulate: the headline ones, then each request type's service level and mean lead time."""
    head = [k for k in TABLE_KPIS if k in present]
    types = [k for k in present if k.startswith("service_level.") and k != "service_level.phone"]
    leads = [k for k in present if k.startswith(("lead_time_mean_working_hours.", "lead_time_mean_hours."))]
    return head[:-2] + types + leads + head[-2:] if len(head) >= 2 else head + types + leads


def significant(s: Mapping[str, Any]) -> bool:
    """A difference whose interval excludes zero."""
    low, high = F.num(s.get("ci_low")), F.num(s.get("ci_high"))
    return math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)


def unit_label(settings: Sequence[str], unit: Sequence[Any], many_setups: bool) -> str:
    setup, *values = unit
    if list(settings) == ["staffing", "fte"]:  # a staffing search: the config's and the least staffing
        role = {"config": "as staffed in its config", "least": "recommended"}.get(str(values[0]), str(values[0]))
        return f"{setup}, {role} ({F.num(values[1]):.1f} FTE)"
    parts = [f"{short_setting(c)}={v}" for c, v in zip(settings, values, strict=True)]
    if many_setups or not parts:
        parts.insert(0, str(setup))
    return ", ".join(parts)


def short_setting(column: str) -> str:
    return column.rsplit(".", 1)[-1] if "." in column else column


def kpi_summary(res: Results) -> tuple[list[str], list[dict[str, Any]]]:
    """The units' labels and, per KPI, each unit's mean and 95% CI (from the tidy KPI rows)."""
    units = res.units()
    by = ["setup", *res.settings]
    summary = F.summarise(res.kpis, [*by, "kpi"], "value")
    index = {(tuple(s[c] for c in by), s["kpi"]): s for s in summary}
    many = len({u[0] for u in units}) > 1
    labels = [unit_label(res.settings, u, many) for u in units]
    present = list(dict.fromkeys(str(r["kpi"]) for r in res.kpis))
    rows = [{"kpi": k, "cells": [index.get((u, k), {}) for u in units]} for k in table_kpis(present)]
    return labels, rows


def difference_summary(res: Results, baseline: str | None = None,
                       ) -> tuple[str, list[str], list[dict[str, Any]]]:
    """Paired differences (each setup minus ``baseline``, default the first) per KPI, for a comparison."""
    setups = res.setups
    baseline = baseline or setups[0]
    present = list(dict.fromkeys(str(r["kpi"]) for r in res.kpis))
    kpis = table_kpis(present)
    diffs = F.paired_differences([r for r in res.kpis if r["kpi"] in kpis], ["kpi"], "value", baseline)
    index = {(d["setup"], d["kpi"]): d for d in diffs}
    others = [s for s in setups if s != baseline]
    rows = [{"kpi": k, "cells": [index.get((s, k), {}) for s in others]} for k in kpis]
    return baseline, others, rows


def staff_targets(res: Results) -> dict[str, float]:
    """The norms of a staffing search ({kpi: target}, of its first setup)."""
    targets = res.summary.get("targets") or {}
    first: list[Any] = next(iter(targets.values()), []) if isinstance(targets, dict) else []
    return {str(t["kpi"]): float(t["value"]) for t in first
            if "kpi" in t and "value" in t and not t.get("department")}


def norm_of(res: Results, kpi: str) -> float | None:
    """The sector norm of ``kpi`` this result was judged on: a staffing search's own target
    (``summary.json``'s ``targets``) where it has one, else the registry's default norm."""
    return staff_targets(res).get(kpi, kpi_info(kpi).norm)


#: The config's norm field behind a KPI's sector norm, and its direction.
_NORM_FIELDS = {"reachability": ("reachability_min", ">="), "calls_abandoned": ("abandoned_max", "<="),
                "utilisation": ("occupancy_max", "<=")}


def result_norm(res: Results | None, kpi: str) -> tuple[str, float] | None:
    """The sector norm ``kpi`` was judged on here: a staffing search's own target, else the first config's
    ``norms`` section (``service_level_min`` for every back-office type), else the registry's default."""
    if res is not None:
        targets = res.summary.get("targets") or {}
        first: list[Any] = next(iter(targets.values()), []) if isinstance(targets, dict) else []
        for t in first:
            if isinstance(t, dict) and t.get("kpi") == kpi and not t.get("department") and "value" in t:
                return str(t.get("op") or (">=" if kpi_info(kpi).better == "higher" else "<=")), float(t["value"])
        sc = res.first_scenario()
        if sc is not None and res.kind != "staff":
            name, op = _NORM_FIELDS.get(kpi, ("service_level_min", ">=") if kpi.startswith("service_level.")
                                        and kpi != "service_level.phone" else (None, ""))
            if name is not None:
                value = getattr(sc.norms, name, None)
                return None if value is None else (op, float(value))
    info = kpi_info(kpi)
    if info.norm is None:
        return None
    return (">=" if info.better == "higher" else "<="), float(info.norm)


def sub_results(folder: Path, kind: str, field: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The results of ``kind`` (their summary.json, with ``field`` set) in ``folder`` and the folders one below
    it, in name order, with the folder each is in."""
    for path in [folder / "summary.json", *sorted(folder.glob("*/summary.json"))]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("kind") == kind and data.get(field):
            yield data, str(path.parent)


def sub_result(folder: Path, kind: str, field: str) -> tuple[dict[str, Any], str] | None:
    """The first result of ``kind`` (its summary.json, with ``field`` set) in ``folder`` or one folder below."""
    return next(sub_results(folder, kind, field), None)


def sensitivity_result(folder: Path) -> tuple[dict[str, Any], str] | None:
    """A ``sim sensitivity`` result in ``folder`` or one folder below it (its summary.json), if any."""
    return sub_result(folder, "sensitivity", "parameters")


def uncertainty_result(folder: Path) -> tuple[dict[str, Any], str] | None:
    """A ``sim uncertainty`` result in ``folder`` or one folder below it (its summary.json), if any."""
    return sub_result(folder, "uncertainty", "uncertainty")


def roster_results(folder: Path) -> list[tuple[dict[str, Any], str]]:
    """The ``sim roster`` results in ``folder``'s subfolders (their summary.json), one per setup, sorted."""
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for data, where in sub_results(folder, "roster", "setup"):
        found.setdefault(str(data["setup"]), (data, where))
    return [found[k] for k in sorted(found)]
