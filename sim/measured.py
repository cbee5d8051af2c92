"""Today's service measured in the logs, and the model set beside it.

``sim calibrate`` writes ``measured.csv``: the KPIs the logs show, defined as the model defines them (README,
"What is measured"), over the working days whose demand counts (holidays and closing days left out):

- ``reachability``: calls answered within ``norm_seconds`` / calls offered while the line is open;
  ``calls_answered`` and ``calls_abandoned``: shares of the same calls; overall, per department and per hour;
- ``service_level.<type>``: tasks done within their norm (working hours: opening hours on working days, closed
  days not counted) / tasks done, where the task log has a done column; overall, and ``tasks_within_norm`` per
  department.

Each row has its count, a standard error and a 95% interval: the wider of the Wilson interval and the one
from the variation between days (days as clusters: absence and busy days make one day's requests alike).
``sim run CONFIG --measured measured.csv`` puts the simulated value of every row beside it
(``measured_vs_simulated.csv``) with the simulation's own binomial interval (from its counts in the one run:
requests are not independent, so that interval is on the narrow side and the flags on the eager side) and
flags a row whose difference exceeds 1.96 standard errors of the difference. A short log is one draw of
absence: a department whose secretary was away in those days looks worse than the model's average.
"""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import WEEKDAYS, ConfigError, Scenario, clock_minutes
from sim.tabular import read_table

#: outcome codes of the calibration's call records (sim.calibrate.Calls.outcome)
ANSWERED, ABANDONED, AFTER_HOURS, OPEN = 0, 1, 2, 3
COLUMNS = ("scope", "group", "kpi", "measured", "n", "ci_low", "ci_high", "se")
Z = 1.96


def wilson(k: float, n: float, z: float = Z) -> tuple[float, float]:
    """The 95% Wilson interval of a share k / n."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _row(scope: str, group: str, kpi: str, hits: np.ndarray, days: np.ndarray) -> dict[str, Any]:
    """A measured share with its 95% interval: the wider of the Wilson interval and the one from the variation
    between days (a ratio estimator with the days as clusters: absence and busy days make requests of one day
    alike, so the binomial interval alone would be too narrow)."""
    n, k = len(hits), float(hits.sum())
    low, high = wilson(k, n)
    p = k / n if n else math.nan
    se_days = math.nan
    uniq, idx = np.unique(days, return_inverse=True)
    if len(uniq) > 1 and n:
        k_d = np.bincount(idx, weights=hits.astype(float))
        n_d = np.bincount(idx).astype(float)
        se_days = math.sqrt(len(uniq) / (len(uniq) - 1) * float(((k_d - p * n_d) ** 2).sum())) / n
        low, high = min(low, max(0.0, p - Z * se_days)), max(high, min(1.0, p + Z * se_days))
    return {"scope": scope, "group": group, "kpi": kpi, "measured": p, "n": int(n), "ci_low": low, "ci_high": high,
            "se": max(se_days if math.isfinite(se_days) else 0.0, math.sqrt(p * (1 - p) / n) if n else 0.0)}


def line_open(scenario: Scenario, day: np.ndarray, clock: np.ndarray) -> np.ndarray:
    """Whether each call (date ordinal, minute of the day) came while the line was open."""
    cal = scenario.calendar
    wanted = np.array([w in cal.working_days for w in WEEKDAYS])
    weekday = (day - 1) % 7  # date ordinal 1 (0001-01-01) was a Monday
    return wanted[weekday] & (clock >= clock_minutes(cal.open)) & (clock < clock_minutes(cal.close))


def working_minutes(start: float, end: float, open_m: float, close_m: float, workdays: set[int],
                    closed: set[int]) -> float:
    """Opening minutes between two moments (minutes since 0001-01-01) on working days that are not closed."""
    if not end > start:
        return 0.0
    total = 0.0
    day = int(start // 1440)
    last = int(end // 1440)
    while day <= last:
        if (day - 1) % 7 in workdays and day not in closed:
            lo = max(start, day * 1440.0 + open_m)
            hi = min(end, day * 1440.0 + close_m)
            if hi > lo:
                total += hi - lo
        day += 1
    return total


def measure(scenario: Scenario, calls: Any, tasks: Any, left_out: dict[date, str]) -> list[dict[str, Any]]:
    """The measured KPIs of the logs (the calls and tasks already without the days left out)."""
    rows: list[dict[str, Any]] = []
    if calls is not None and len(calls.day):
        offered = line_open(scenario, calls.day, calls.clock) & (calls.outcome != AFTER_HOURS)
        norm = scenario.demand.calls.norm_seconds
        wait = np.nan_to_num(calls.wait, nan=0.0)
        answered = offered & (calls.outcome == ANSWERED)
        within = answered & (wait <= norm) if "wait" in calls.columns else answered
        abandoned = offered & (calls.outcome == ABANDONED)
        dept = np.array(calls.dept, dtype=object)
        hour = np.floor(calls.clock / 60).astype(int)
        groups: list[tuple[str, str, np.ndarray]] = [("all", "", offered)]
        if "department" in calls.columns:
            groups += [("department", d, offered & (dept == d)) for d in sorted(set(calls.dept))]
        groups += [("hour", f"{h:02d}", offered & (hour == h)) for h in sorted(set(hour[offered].tolist()))]
        for scope, group, mask in groups:
            n = int(mask.sum())
            if not n:
                continue
            days = calls.day[mask]
            if "wait" in calls.columns:
                rows.append(_row(scope, group, "reachability", within[mask], days))
            rows.append(_row(scope, group, "calls_answered", answered[mask], days))
            rows.append(_row(scope, group, "calls_abandoned", abandoned[mask], days))
    if tasks is not None and tasks.done is not None and np.isfinite(tasks.done).any():
        cal = scenario.calendar
        open_m, close_m = clock_minutes(cal.open), clock_minutes(cal.close)
        workdays = {WEEKDAYS.index(w) for w in cal.working_days}
        closed = {d.toordinal() for d in left_out}
        norms = {name: t.norm_working_hours * 60 for name, t in scenario.demand.tasks.items()}
        done = np.isfinite(tasks.done)
        created = tasks.day * 1440.0 + tasks.clock
        ok = np.zeros(len(created), dtype=bool)
        for j in np.flatnonzero(done).tolist():
            norm = norms.get(tasks.type[j], 17 * 60.0)
            ok[j] = working_minutes(float(created[j]), float(tasks.done[j]), open_m, close_m, workdays,
                                    closed) <= norm
        types = np.array(tasks.type, dtype=object)
        for t in sorted(set(tasks.type)):
            mask = done & (types == t)
            if mask.sum():
                rows.append(_row("all", "", f"service_level.{t}", ok[mask], tasks.day[mask]))
        if "department" in tasks.columns:
            dept = np.array(tasks.dept, dtype=object)
            for d in sorted(set(tasks.dept)):
                mask = done & (dept == d)
                if mask.sum():
                    rows.append(_row("department", d, "tasks_within_norm", ok[mask], tasks.day[mask]))
    return rows


def read_measured(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a measured.csv (as sim calibrate writes it), read by the guarded table reader and checked
    once, here: a share is a number from 0 to 1, a count a whole number of at least 0. The values are kept as
    text, as written."""
    path = Path(path)
    if not os.path.lexists(path):
        raise ConfigError(str(path), "no such file (sim calibrate writes measured.csv)")
    table = read_table(path)
    header = [h.strip().lower() for h in table.header]
    missing = [c for c in ("scope", "group", "kpi", "measured", "n") if c not in header]
    if missing:
        raise ConfigError(str(path), f"needs the columns {', '.join(COLUMNS)} (as sim calibrate writes them); "
                                     f"missing: {', '.join(missing)}")
    out = []
    for r, row in enumerate(table.rows):
        values = {h: ("" if i >= len(row) or row[i] is None else str(row[i]).strip()) for i, h in enumerate(header)}
        for key, low, high, whole in (("measured", 0.0, 1.0, False), ("n", 0.0, math.inf, True),
                                      ("ci_low", 0.0, 1.0, False), ("ci_high", 0.0, 1.0, False),
                                      ("se", 0.0, 1.0, False)):
            text = values.get(key, "")
            if text == "" and key not in ("measured", "n"):
                continue
            try:
                x = float(text)
            except ValueError:
                x = math.nan
            if not (math.isfinite(x) and low <= x <= high and (not whole or x.is_integer())):
                kind = "a whole number of at least 0" if whole else f"a number from {low:g} to {high:g}"
                raise table.error(f"{text!r} is not {kind}", r, table.header[header.index(key)])
        out.append(values)
    return out


def simulated(result: Any) -> dict[tuple[str, str, str], tuple[float, float]]:
    """The simulated share and its count for every (scope, group, kpi) the measured file can hold."""
    from sim.kpi_tables import flatten_kpis

    out: dict[tuple[str, str, str], tuple[float, float]] = {}
    kpi = flatten_kpis(result.kpi)
    per_day = float(kpi.get("calls_offered_per_day") or 0.0)
    days = float(getattr(result, "days", 0) or 0)
    offered = per_day * days if days else math.nan
    for name in ("reachability", "calls_answered", "calls_abandoned"):
        value = kpi.get(name)
        if value is not None:
            out[("all", "", name)] = (float(value), offered)
    for row in result.tables.get("per_type", []):
        n = float(row.get("done", 0) or 0) + float(row.get("open_overdue_at_end", 0) or 0)
        if row.get("service_level") is not None:
            out[("all", "", f"service_level.{row['type']}")] = (float(row["service_level"]), n)
    for row in result.tables.get("per_department", []):
        d, n = str(row["department"]), float(row.get("calls_offered") or 0)
        for name in ("reachability", "calls_abandoned"):
            if row.get(name) is not None:
                out[("department", d, name)] = (float(row[name]), n)
        if row.get("tasks_within_norm") is not None:
            out[("department", d, "tasks_within_norm")] = (float(row["tasks_within_norm"]), float(row["tasks"]))
    for row in result.tables.get("per_hour", []):
        h, n = f"{int(row['hour']):02d}", float(row.get("offered") or 0)
        if n:
            out[("hour", h, "reachability")] = (float(row["answered_within_norm"]) / n, n)
            out[("hour", h, "calls_answered")] = (float(row["answered"]) / n, n)
            out[("hour", h, "calls_abandoned")] = (float(row["abandoned"]) / n, n)
    return out


def compare(measured: list[dict[str, Any]], sim: dict[tuple[str, str, str], tuple[float, float]]) \
        -> list[dict[str, Any]]:
    """Every measured row with the simulated value beside it, both intervals, and a flag where they differ by
    more than 1.96 standard errors of the difference."""
    out = []
    for m in measured:
        key = (m["scope"], m["group"], m["kpi"])
        p_m, n_m = float(m["measured"]), float(m["n"])
        row: dict[str, Any] = {"scope": key[0], "group": key[1], "kpi": key[2], "measured": p_m,
                               "measured_low": float(m.get("ci_low") or math.nan),
                               "measured_high": float(m.get("ci_high") or math.nan), "measured_n": int(n_m)}
        if key not in sim or not math.isfinite(sim[key][0]):
            out.append({**row, "simulated": None, "simulated_low": None, "simulated_high": None, "simulated_n": None,
                        "difference": None, "flag": "not simulated"})
            continue
        p_s, n_s = sim[key]
        low, high = wilson(p_s * n_s, n_s) if math.isfinite(n_s) and n_s > 0 else (math.nan, math.nan)
        se_m = float(m["se"]) if m.get("se") not in (None, "") else math.sqrt(p_m * (1 - p_m) / n_m) if n_m else 0.0
        var = se_m**2 + (p_s * (1 - p_s) / n_s if n_s and math.isfinite(n_s) else 0.0)
        # a share of 0 or 1 on both sides has no variance: a half observation keeps the test honest
        var = max(var, 0.25 / max(n_m, 1) ** 2)
        diff = p_s - p_m
        flag = "differs" if abs(diff) > Z * math.sqrt(var) else ""
        out.append({**row, "simulated": p_s, "simulated_low": low, "simulated_high": high,
                    "simulated_n": None if not math.isfinite(n_s) else int(n_s), "difference": diff, "flag": flag})
    return out


__all__ = ["ABANDONED", "AFTER_HOURS", "ANSWERED", "COLUMNS", "OPEN", "compare", "line_open", "measure",
           "read_measured", "simulated", "wilson", "working_minutes"]
