"""Today's service measured in the logs, and the model set beside it.

``sim calibrate`` writes ``measured.csv``: the KPIs the logs show, defined as the model defines them (docs/METHODS.md,
"What is measured"), over the working days whose demand counts (holidays and closing days left out) and
without a request log's warm-up rows (the model started empty then; its KPIs leave them out too):

- ``reachability``: calls answered within ``norm_seconds`` / calls offered while the line is open;
  ``calls_answered`` (not per department: the model's table has 1 - abandoned) and ``calls_abandoned``: shares
  of the same calls; overall, per department and per hour;
- ``service_level.<type>``: tasks done within their norm (working hours: opening hours on working days, closed
  days not counted) / (tasks done + tasks still open past their norm when the log ends, at the close of its
  last day), where the task log has a done column; overall, and ``tasks_within_norm`` per department.

Each row has its count, the log's window (``first``, ``last``, ``days``), a standard error and a 95% interval
of the log's own figure: the wider of the Wilson interval and the one from the variation between days.

``sim run CONFIG --measured measured.csv`` runs the config over the log's own days (its dates, its number of
working days, after a warm-up) ``R`` times and sets every measured figure among the model's ``R`` figures: its
rank gives an exact p-value, and ``flag`` marks a figure outside the range of 95% of the runs. Whether there
are more such figures than chance gives is judged once for the whole comparison, against the same count in
each of the model's own runs (:func:`flag_counts`). Neither a binomial interval from one run nor the log's
between-day interval would do: a short log's days are not independent (absence spans days, a backlog carries
over), and a department with one secretary has a good or a very bad fortnight (measured on the decentral
sector: the spread of 14-day figures over runs is 1.7 times the between-day standard error, median over the
figures, and up to 10 times for a department's tasks). docs/METHODS.md has the numbers.
"""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import MINUTES_PER_DAY, WEEKDAYS, ConfigError, Scenario, clock_minutes
from sim.config.tabular import read_table

#: outcome codes of the calibration's call records (sim.data.calibration.Calls.outcome)
ANSWERED, ABANDONED, AFTER_HOURS, OPEN = 0, 1, 2, 3
COLUMNS = ("scope", "group", "kpi", "measured", "n", "ci_low", "ci_high", "se", "first", "last", "days")
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
    day = int(start // MINUTES_PER_DAY)
    last = int(end // MINUTES_PER_DAY)
    while day <= last:
        if (day - 1) % 7 in workdays and day not in closed:
            lo = max(start, day * MINUTES_PER_DAY + open_m)
            hi = min(end, day * MINUTES_PER_DAY + close_m)
            if hi > lo:
                total += hi - lo
        day += 1
    return total


def measure(scenario: Scenario, calls: Any, tasks: Any, left_out: dict[date, str],
            work_days: list[date] | None = None) -> list[dict[str, Any]]:
    """The measured KPIs of the logs (the calls and tasks already without the days left out and without a
    request log's warm-up), each row with the window it covers (``first``, ``last``, ``days``: the working days
    counted, ``work_days`` being the working days whose demand counts)."""
    rows: list[dict[str, Any]] = []
    seen = [x.day for x in (calls, tasks) if x is not None and len(x.day)]
    if not seen:
        return rows
    first = date.fromordinal(int(min(int(d.min()) for d in seen)))
    last = date.fromordinal(int(max(int(d.max()) for d in seen)))
    days = len([d for d in work_days if first <= d <= last]) if work_days is not None else \
        len({int(v) for d in seen for v in np.unique(d)})
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
            days_of = calls.day[mask]
            if "wait" in calls.columns:
                rows.append(_row(scope, group, "reachability", within[mask], days_of))
            if scope != "department":  # the model's department table has no answered share (1 - abandoned)
                rows.append(_row(scope, group, "calls_answered", answered[mask], days_of))
            rows.append(_row(scope, group, "calls_abandoned", abandoned[mask], days_of))
    if tasks is not None and tasks.done is not None and np.isfinite(tasks.done).any():
        cal = scenario.calendar
        open_m, close_m = clock_minutes(cal.open), clock_minutes(cal.close)
        workdays = {WEEKDAYS.index(w) for w in cal.working_days}
        closed = {d.toordinal() for d in left_out}
        norms = {name: t.norm_working_hours * 60 for name, t in scenario.demand.tasks.items()}
        done = np.isfinite(tasks.done)
        created = tasks.day * MINUTES_PER_DAY + tasks.clock
        # as the model counts them: done within the norm / (done + still open past the norm when the log ends,
        # at the close of its last day); leaving the open ones out would flatter a log whose backlog is late
        log_end = last.toordinal() * MINUTES_PER_DAY + close_m
        counted = done.copy()
        ok = np.zeros(len(created), dtype=bool)
        for j in range(len(created)):
            norm = norms.get(tasks.type[j], 17 * 60.0)
            until = float(tasks.done[j]) if done[j] else log_end
            in_norm = working_minutes(float(created[j]), until, open_m, close_m, workdays, closed) <= norm
            if done[j]:
                ok[j] = in_norm
            else:
                counted[j] = not in_norm
        types = np.array(tasks.type, dtype=object)
        for t in sorted(set(tasks.type)):
            mask = counted & (types == t)
            if mask.sum():
                rows.append(_row("all", "", f"service_level.{t}", ok[mask], tasks.day[mask]))
        if "department" in tasks.columns:
            dept = np.array(tasks.dept, dtype=object)
            for d in sorted(set(tasks.dept)):
                mask = counted & (dept == d)
                if mask.sum():
                    rows.append(_row("department", d, "tasks_within_norm", ok[mask], tasks.day[mask]))
    for r in rows:
        r.update(first=str(first), last=str(last), days=days)
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
    from sim.core.kpi_tables import flatten_kpis

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


def log_window(measured: list[dict[str, Any]]) -> tuple[date, int] | None:
    """The first date and the number of working days of the log the measured rows come from (None for a
    measured.csv written before the window was recorded)."""
    for m in measured:
        if m.get("first") not in (None, "") and m.get("days") not in (None, ""):
            return date.fromisoformat(str(m["first"])), int(float(m["days"]))
    return None


def window_scenario(scenario: Scenario, first: date, days: int) -> Scenario:
    """The scenario over the log's own window: its measured days start on ``first`` (so that its holidays and
    weekdays fall where the log's did) and count ``days`` working days, after a warm-up of at least the config's
    (whole weeks back to a Monday, as ``calendar.start_date`` must be)."""
    from datetime import timedelta

    from sim.core.closures import closed_days

    cal = scenario.calendar
    weekdays = {WEEKDAYS.index(w) for w in cal.working_days}
    monday = first - timedelta(days=first.weekday())
    weeks = 0
    while True:
        start = monday - timedelta(weeks=weeks)
        closed = closed_days(cal.holidays, list(cal.closed), start, first, list(cal.open_on)) \
            if cal.holidays or cal.closed else {}
        warmup = sum(1 for i in range((first - start).days)
                     if (d := start + timedelta(days=i)).weekday() in weekdays and d not in closed)
        if warmup >= scenario.run.warmup_days:
            break
        weeks += 1
    return scenario.model_copy(update={
        "run": scenario.run.model_copy(update={"days": days, "warmup_days": warmup}),
        "calendar": cal.model_copy(update={"start_date": start}),
    })


def window_samples(scenario: Scenario, first: date, days: int, replications: int, seed: int) \
        -> dict[tuple[str, str, str], list[float]]:
    """Every KPI of :func:`simulated` in ``replications`` independent runs of the log's window (seeds from
    ``seed`` as an experiment's): the model's distribution of the figures a log of that length would show."""
    from sim.core.model import run_replication
    from sim.experiments.seeds import replication_seeds

    sc = window_scenario(scenario, first, days)
    out: dict[tuple[str, str, str], list[float]] = {}
    for s in replication_seeds(seed, replications):
        for key, (value, _) in simulated(run_replication(sc, seed=s)).items():
            if value is not None and math.isfinite(value):
                out.setdefault(key, []).append(float(value))
    return out


def rank_p(value: float, reference: np.ndarray) -> float:
    """The two-sided Monte Carlo p-value of ``value`` among ``reference`` draws of the same quantity: under the
    hypothesis that it is one more draw, it is exact whatever the distribution's shape (ties count against the
    hypothesis's rejection, so it is conservative)."""
    below = int((reference <= value).sum())
    above = int((reference >= value).sum())
    return min(1.0, 2 * (1 + min(below, above)) / (len(reference) + 1))


def compare(measured: list[dict[str, Any]], samples: dict[tuple[str, str, str], list[float]],
            level: float = 0.05) -> list[dict[str, Any]]:
    """Every measured row beside the model's distribution of that figure over a log of the same length.

    If the model is today's organisation, the measured figure is one more draw of what the ``R`` simulated
    windows show, so its rank among them gives an exact two-sided p-value (:func:`rank_p`). The windows carry
    everything that makes a short log noisy (absence spanning days, a backlog carried over, a department with
    one secretary whose leave takes its service to nothing), which neither a binomial interval nor the log's
    own between-day interval sees (a short log's days are not independent, and a department's figure over
    windows is far from normal). ``flag`` is ``outside 95%`` where p <= ``level``: about ``level`` x rows of
    those come by chance alone; :func:`flag_counts` says whether there are more than the model's own windows
    show."""
    out: list[dict[str, Any]] = []
    for m in measured:
        key = (m["scope"], m["group"], m["kpi"])
        p_m, n_m = float(m["measured"]), float(m["n"])
        row: dict[str, Any] = {"scope": key[0], "group": key[1], "kpi": key[2], "measured": p_m,
                               "measured_low": float(m.get("ci_low") or math.nan),
                               "measured_high": float(m.get("ci_high") or math.nan), "measured_n": int(n_m),
                               "simulated": None, "simulated_low": None, "simulated_high": None,
                               "replications": 0, "difference": None, "p_value": None, "flag": "not simulated"}
        values = np.array(samples.get(key, []), dtype=float)
        if len(values) >= MIN_WINDOWS:
            p = rank_p(p_m, values)
            row.update(simulated=float(values.mean()), simulated_low=float(np.quantile(values, level / 2)),
                       simulated_high=float(np.quantile(values, 1 - level / 2)), replications=len(values),
                       difference=p_m - float(values.mean()), p_value=p, flag="outside 95%" if p <= level else "")
        out.append(row)
    return out


#: the fewest windows a row is compared on: with fewer than 2 / level - 1 = 39 others no rank p-value can reach
#: the level, and :func:`flag_counts` judges each window against the other ones
MIN_WINDOWS = 40


def flag_counts(rows: list[dict[str, Any]], samples: dict[tuple[str, str, str], list[float]],
                level: float = 0.05) -> dict[str, float]:
    """How many rows fall outside the model's 95% range, against how many a log drawn from the model itself
    shows: each simulated window in turn is taken as the log and judged against the others (leave one out),
    which gives the null distribution of the count with every dependence between the rows in it (answered and
    abandoned shares are complements; the hours make up the day). ``p_global`` is the share of windows with
    at least as many (a Monte Carlo test of the whole comparison at once, the answer to "many comparisons");
    ``expected`` is the count's mean under the model, ``q95`` its 95th percentile."""
    compared = [r for r in rows if r["p_value"] is not None]
    outside = sum(1 for r in compared if r["p_value"] <= level)
    keys = [(r["scope"], r["group"], r["kpi"]) for r in compared]
    arrays = {k: np.array(samples[k], dtype=float) for k in keys}
    n = min((len(a) for a in arrays.values()), default=0)
    null: list[int] = []
    for i in range(n):
        count = 0
        for a in arrays.values():
            others = np.delete(a[:n], i)
            count += rank_p(float(a[i]), others) <= level
        null.append(count)
    counts = np.array(null, dtype=float)
    return {"compared": len(compared), "outside": outside, "nominal": level * len(compared),
            "expected": float(counts.mean()) if n else math.nan,
            "q95": float(np.quantile(counts, 0.95)) if n else math.nan,
            "p_global": (1 + int((counts >= outside).sum())) / (n + 1) if n else math.nan, "windows": n}


__all__ = ["ABANDONED", "AFTER_HOURS", "ANSWERED", "COLUMNS", "MIN_WINDOWS", "OPEN", "compare", "flag_counts",
           "line_open", "log_window", "measure", "rank_p", "read_measured", "simulated", "wilson", "window_samples",
           "window_scenario", "working_minutes"]
