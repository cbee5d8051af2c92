"""Calibration, estimating: the demand section (volumes, profiles, talk and work times, patience, shares,
meetings, the weekday profile) estimated from the calls and tasks read, with standard errors, in named
steps that :func:`calibrate` runs in order."""


from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy import stats

from sim.config import MINUTES_PER_DAY, WEEKDAYS, ConfigError, Scenario, one_line, option, resolve_profile
from sim.core.closures import closed_days, holiday_name
from sim.data.calibration.fit import Fit, fit_durations, fit_patience, patience_warnings, plausibility, rounded
from sim.data.calibration.read import Calls, Meetings, Tasks, check_type_labels, subset_calls, subset_tasks
from sim.data.measured import ABANDONED, AFTER_HOURS, ANSWERED, OPEN, line_open, measure


# ------------------------------------------------------------------------------------------------ estimates
@dataclass
class Estimate:
    """One estimated figure: where it goes in the config, the value, its standard error, the old value."""

    path: str
    value: Any
    se: float | None
    old: Any
    n: int
    note: str = ""


@dataclass
class Calibration:
    """Everything estimated from the logs, and what could not be."""

    days: int
    first: date
    last: date
    estimates: list[Estimate]
    fits: dict[str, list[Fit]]
    profiles: dict[str, dict[str, Any]]
    weekday: dict[str, dict[str, Any]]
    not_estimated: list[str]
    notes: list[str]
    demand: dict[str, Any]  # the new demand section (plain data)
    departments: list[dict[str, Any]]  # the organisation's departments with the new demand factors
    naive_patience_seconds: float | None = None
    samples: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # for the figures
    warnings: list[str] = field(default_factory=list)  # implausible data: printed loudly and in the report
    units: dict[str, str] = field(default_factory=dict)  # how each time and duration column was read
    left_out: dict[date, str] = field(default_factory=dict)  # working days left out of the rates, and why
    measured: list[dict[str, Any]] = field(default_factory=list)  # today's KPIs in the logs (sim.data.measured)
    calendar: dict[str, Any] = field(default_factory=dict)  # holidays, closed and open days for calibrated.yaml

    def estimate(self, path: str) -> Estimate:
        for e in self.estimates:
            if e.path == path:
                return e
        raise KeyError(path)


def working_days(first: date, last: date, weekdays: Iterable[str]) -> list[date]:
    wanted = {WEEKDAYS.index(w) for w in weekdays}
    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() in wanted]


def profile_counts(clock: np.ndarray, slot: float, start: float | None = None,
                   end: float | None = None) -> tuple[float, np.ndarray]:
    """Arrivals per slot of the day: (start minute, counts)."""
    if start is None:
        start = math.floor(float(clock.min()) / slot) * slot if len(clock) else 0.0
    if end is None:
        end = min(MINUTES_PER_DAY, math.floor(float(clock.max()) / slot) * slot + slot) if len(clock) else start + slot
    n = max(1, int(round((end - start) / slot)))
    idx = np.floor((clock - start) / slot).astype(np.int64)
    idx = idx[(idx >= 0) & (idx < n)]
    return start, np.bincount(idx, minlength=n).astype(float)


def _clock_text(minute: float) -> str:
    return f"{int(minute // 60):02d}:{int(minute % 60):02d}"


def _profile_of(clock: np.ndarray, slot: float) -> tuple[dict[str, Any], np.ndarray]:
    start, counts = profile_counts(clock, slot)
    mean = counts.mean()
    weights = [rounded(float(c / mean), 3) for c in counts]
    return {"start": _clock_text(start), "slot_minutes": slot, "weights": weights}, counts


def _weekday_test(day: np.ndarray, days: list[date]) -> dict[str, Any]:
    """Arrivals per weekday per day, and a chi-square test of equal daily rates over the weekdays."""
    exposure: dict[int, int] = {}
    for d in days:
        exposure[d.weekday()] = exposure.get(d.weekday(), 0) + 1
    weekday = (day - 1) % 7  # date ordinal 1 (0001-01-01) was a Monday
    observed = {w: int((weekday == w).sum()) for w in exposure}
    total, total_days = sum(observed.values()), sum(exposure.values())
    expected = {w: total * exposure[w] / total_days for w in exposure}
    chi2 = sum((observed[w] - expected[w]) ** 2 / expected[w] for w in exposure if expected[w] > 0)
    dof = max(1, len(exposure) - 1)
    per_weekday = {
        WEEKDAYS[w]: {"per_day": observed[w] / exposure[w], "days": exposure[w],
                      "factor": (observed[w] / exposure[w]) / (total / total_days) if total else None}
        for w in sorted(exposure)
    }
    return {"per_weekday": per_weekday, "chi2": chi2, "dof": dof, "p_value": float(stats.chi2.sf(chi2, dof))}


def select_days(scenario: Scenario, calls: Calls | None, tasks: Tasks | None, first: date,
                last: date) -> tuple[list[date], dict[date, str], list[str], list[str], list[date]]:
    """The working days whose demand counts, the days left out (with why), notes, warnings, and the public
    holidays the logs show open.

    A public holiday (``calendar.holidays``) or closing day (``calendar.closed``) is left out unless the logs
    show the secretariat open on it (at least a fifth of a typical day's requests); a working day without a
    single call (or, with no telephony export, a single task) is left out with a warning, naming it as a public
    holiday where it is one."""
    cal = scenario.calendar
    candidates = working_days(first, last, cal.working_days)
    closed = closed_days(cal.holidays, list(cal.closed), first, last, list(cal.open_on))
    source = calls if calls is not None else tasks
    assert source is not None
    per_day: dict[int, int] = {}
    for d in source.day.tolist():
        per_day[d] = per_day.get(d, 0) + 1
    busy = [per_day.get(d.toordinal(), 0) for d in candidates if d not in closed]
    typical = float(np.median([b for b in busy if b > 0])) if any(b > 0 for b in busy) else 0.0
    what = "calls" if calls is not None else "tasks"
    kept: list[date] = []
    opened: list[date] = []
    left: dict[date, str] = {}
    notes: list[str] = []
    warnings: list[str] = []
    for d in candidates:
        n = per_day.get(d.toordinal(), 0)
        if d in closed:
            if n >= 0.2 * typical and n > 0:
                kept.append(d)
                opened.append(d)
                notes.append(f"{d} is {closed[d]} but has {n} {what} (a typical day {typical:.0f}): counted as open "
                             "(calibrated.yaml: calendar.open_on)")
            else:
                left[d] = closed[d] + (f", {n} {what}" if n else f", no {what}")
        elif n == 0:
            name = holiday_name(d) if cal.holidays is None else None
            left[d] = f"no {what}" + (f" ({name}, a public holiday)" if name else "")
            hint = ("set calendar.holidays: NL" if name else "list it in calendar.closed") + " if the secretariat " \
                "was closed, or check that the export covers it"
            warnings.append(f"{d} ({WEEKDAYS[d.weekday()]}) is a working day with no {what}"
                            + (f": {name}, a public holiday" if name else "") + f"; left out of the rates ({hint})")
        else:
            kept.append(d)
    return kept, left, notes, warnings, opened


@dataclass
class _Logs:
    """The logs on the working days whose demand counts, and what choosing those days found."""

    calls: Calls | None
    tasks: Tasks | None
    first: date
    last: date
    work_days: list[date]
    n_days: int  # the working days the rates are per (``days`` if given, else those of ``work_days``)
    left_out: dict[date, str]
    notes: list[str]
    warnings: list[str]
    opened: list[date]  # public holidays the logs show open


@dataclass
class _Draft:
    """A calibration being built: each step adds its estimates, fits and notes, in the order the report
    shows them."""

    demand: dict[str, Any]  # the new demand section, begun as the config's
    notes: list[str]
    warnings: list[str]
    estimates: list[Estimate] = field(default_factory=list)
    fits: dict[str, list[Fit]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    weekday: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_estimated: list[str] = field(default_factory=list)
    samples: dict[str, np.ndarray] = field(default_factory=dict)
    naive_patience: float | None = None


def calibrate(scenario: Scenario, calls: Calls | None, tasks: Tasks | None, slot_minutes: float = 30,
              days: int | None = None, meetings: Meetings | None = None) -> Calibration:
    """Estimate the demand section from the calls and tasks (either may be None), and the meetings of a
    request log if given."""
    logs = _on_working_days(scenario, calls, tasks, days)
    calls, tasks = logs.calls, logs.tasks
    units = {f"{kind}: {col}": how for kind, x in (("calls", calls), ("tasks", tasks)) if x is not None
             for col, how in x.units.items()}
    draft = _Draft(scenario.demand.model_dump(mode="json"), _first_notes(scenario, logs), list(logs.warnings))
    task_types, departments = _volumes(draft, scenario, calls, tasks, logs.n_days)
    if calls is not None and len(calls.day):
        _call_profile_and_talk(draft, scenario, calls, slot_minutes, logs)
        _patience(draft, scenario, calls)
        _call_shares(draft, scenario, calls)
    else:
        draft.not_estimated.append("demand.calls (no telephony export)")
    draft.not_estimated += ["demand.calls.norm_seconds (a norm, not in the data)",
                            "demand.calls.callback_minutes and callback_norm_working_hours"]
    if tasks is not None:
        _task_estimates(draft, scenario, tasks, task_types, slot_minutes, logs.n_days)
    _meeting_estimates(draft, scenario, meetings, logs.n_days)
    draft.not_estimated.append("demand.flexible_share")
    draft.notes.append("talk and work times in a log are the times taken, at the pace of whoever answered or did "
                       "the work; the model's talk_minutes and work_minutes are at the client's own secretary's "
                       "pace, and custom work by someone else takes custom_penalty times longer, so times fitted "
                       "from a log where much custom work went to others are on the high side (a simulated central "
                       "log: talk 3.36 for 3)")
    if scenario.hnw is not None:
        draft.notes.append("the config has an hnw section: it is applied on top of the calibrated demand when run")
    _weekday_profile(draft, scenario, tasks, logs.work_days)
    draft.warnings += plausibility(draft.fits)
    measured = measure(scenario, *_after_warmup(calls, tasks), logs.left_out, logs.work_days)
    return Calibration(logs.n_days, logs.first, logs.last, draft.estimates, draft.fits, draft.profiles,
                       draft.weekday, draft.not_estimated, draft.notes, draft.demand, departments,
                       draft.naive_patience, draft.samples, draft.warnings, units, logs.left_out, measured,
                       _calendar_of(scenario, logs.opened))


def _on_working_days(scenario: Scenario, calls: Calls | None, tasks: Tasks | None, days: int | None) -> _Logs:
    """The logs checked (something to estimate from, task labels the config's) and cut to the working days
    whose demand counts (:func:`select_days`)."""
    if calls is None and tasks is None:
        raise ConfigError("sim calibrate",
                          f"give a telephony export ({option('calls')}) or a task log ({option('tasks')})")
    filled = [x.day for x in (calls, tasks) if x is not None and len(x.day)]
    if not filled:
        raise ConfigError("sim calibrate", "the logs hold no calls and no tasks")
    all_days = np.concatenate(filled)
    first, last = date.fromordinal(int(all_days.min())), date.fromordinal(int(all_days.max()))
    if tasks is not None:
        check_type_labels(tasks.type, list(scenario.demand.tasks), tasks.mapped)
    work_days, left_out, day_notes, warnings, opened = select_days(scenario, calls, tasks, first, last)
    if left_out:
        gone = np.array(sorted(d.toordinal() for d in left_out))
        if calls is not None:
            calls = subset_calls(calls, ~np.isin(calls.day, gone))
        if tasks is not None:
            tasks = subset_tasks(tasks, ~np.isin(tasks.day, gone))
    n_days = days if days is not None else len(work_days)
    if n_days == 0 or (calls is not None and not len(calls.day) and (tasks is None or not len(tasks.day))):
        raise ConfigError("sim calibrate", f"the logs ({first} to {last}) hold no request on a working day of the "
                          f"calendar ({', '.join(scenario.calendar.working_days)}); nothing to estimate a rate from "
                          "(check calendar.working_days, or the dates of the export)")
    return _Logs(calls, tasks, first, last, work_days, n_days, left_out, day_notes, warnings, opened)


def _first_notes(scenario: Scenario, logs: _Logs) -> list[str]:
    """The report's first notes: the days the rates are per, those left out, and the choices about days."""
    left_out = logs.left_out
    return [f"{logs.n_days} working days from {logs.first} to {logs.last} "
            f"({', '.join(scenario.calendar.working_days)})"
            + (f"; left out of the rates: {', '.join(f'{d} ({why})' for d, why in left_out.items())}"
               if left_out else "")
            + ("" if scenario.calendar.holidays else
               "; calendar.holidays is not set: public holidays with calls count as working days"),
            *logs.notes]


def _volumes(draft: _Draft, scenario: Scenario, calls: Calls | None, tasks: Tasks | None,
             n_days: int) -> tuple[list[str], list[dict[str, Any]]]:
    """Calls and tasks per department per working day: a rank-one Poisson table (type x department) whose
    maximum likelihood estimate is the independence fit; the task types in the logs (the config's first) and
    the departments with their new demand factors."""
    counts, flexible, task_types, has_dept = _counts(draft, scenario, calls, tasks)
    org, old = scenario.organisation, scenario.demand
    staff = np.array([d.staff for d in org.departments], dtype=float)
    factor = _demand_factors(draft, scenario, counts, has_dept)
    volume = float((staff * factor).sum())
    departments = [{**d.model_dump(mode="json", exclude_none=True), "demand_factor": rounded(float(factor[i]), 3)}
                   for i, d in enumerate(org.departments)]
    demand = draft.demand
    for key, row in counts.items():
        n = float(row.sum())
        per_staff = n / n_days / volume / flexible.get(key, 1.0)
        se = math.sqrt(n) / n_days / volume / flexible.get(key, 1.0) if n else None
        if key == "calls":
            draft.estimates.append(Estimate("demand.calls.per_staff_per_day", rounded(per_staff), se,
                                            old.calls.per_staff_per_day, int(n)))
            demand["calls"]["per_staff_per_day"] = rounded(per_staff)
        else:
            path = f"demand.tasks.{key}.per_staff_per_day"
            oldv = old.tasks[key].per_staff_per_day if key in old.tasks else None
            draft.estimates.append(Estimate(path, rounded(per_staff), se, oldv, int(n),
                                            "per flexible staff member" if key in flexible else ""))
            demand["tasks"].setdefault(key, {
                "per_staff_per_day": 0, "work_minutes": old.tasks[next(iter(old.tasks))].work_minutes.model_dump()
                if old.tasks else {"dist": "exponential", "mean": 10, "cv": 1}, "norm_working_hours": 17.0})
            if key not in old.tasks:
                draft.notes.append(f"task type {key!r} is new: its norm is 17 working hours (2 working days, as "
                                   "e-mail; Tilburg 2020), an ASSUMPTION to check")
            demand["tasks"][key]["per_staff_per_day"] = rounded(per_staff)
    for t in old.tasks:
        if tasks is not None and t not in counts:
            draft.not_estimated.append(f"demand.tasks.{t} (no rows of this type in the task log)")
    if tasks is None:
        draft.not_estimated.append("demand.tasks (no task log)")
    return task_types, departments


def _counts(draft: _Draft, scenario: Scenario, calls: Calls | None, tasks: Tasks | None,
            ) -> tuple[dict[str, np.ndarray], dict[str, float], list[str], bool]:
    """Requests per kind (calls, each task type) per department; the flexible share of the flexible-only
    task types; the task types (the config's first, in its order); whether every log names departments."""
    org, old = scenario.organisation, scenario.demand
    dept_names = [d.name for d in org.departments]
    staff = np.array([d.staff for d in org.departments], dtype=float)
    counts: dict[str, np.ndarray] = {}
    flexible: dict[str, float] = {}
    unknown: dict[str, int] = {}

    def per_dept(names: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        out = np.zeros(len(dept_names))
        index = {n: i for i, n in enumerate(dept_names)}
        for j, name in enumerate(names):
            if mask is not None and not mask[j]:
                continue
            i = index.get(name)
            if i is None:
                unknown[name] = unknown.get(name, 0) + 1
            else:
                out[i] += 1
        return out

    has_dept = (calls is None or "department" in calls.columns) and (tasks is None or "department" in tasks.columns)
    if calls is not None:
        # without a department column the calls are spread by staff: the total is still estimated
        counts["calls"] = per_dept(calls.dept) if "department" in calls.columns else \
            staff / staff.sum() * len(calls.dept)
    task_types: list[str] = []
    if tasks is not None:
        task_types = sorted(set(tasks.type), key=lambda t: (t not in old.tasks, list(old.tasks).index(t)
                                                             if t in old.tasks else 0, t))
        types_arr = np.array(tasks.type, dtype=object)
        for t in task_types:
            mask = types_arr == t
            counts[t] = per_dept(tasks.dept, mask) if "department" in tasks.columns else \
                staff / staff.sum() * int(mask.sum())
            task = old.tasks.get(t)
            if task is not None and task.flexible_only:
                flexible[t] = old.flexible_share
    if unknown:  # the readers refuse them with the row; a caller that did not give them the departments:
        raise ConfigError("sim calibrate", "the logs name departments that are not in the config (their demand "
                          "would be lost): " + ", ".join(f"{one_line(k)!r} ({v} rows)" for k, v in
                                                         sorted(unknown.items())[:5]))
    renamed = {**(calls.renamed if calls is not None else {}), **(tasks.renamed if tasks is not None else {})}
    if renamed:
        draft.notes.append("departments read as the config names them: "
                           + ", ".join(f"{one_line(k)!r} as {v!r}" for k, v in sorted(renamed.items())))
    return counts, flexible, task_types, has_dept


def _demand_factors(draft: _Draft, scenario: Scenario, counts: dict[str, np.ndarray], has_dept: bool) -> np.ndarray:
    """Each department's demand factor: its requests per staff member against the organisation's (the
    config's factors where the logs name no departments)."""
    org = scenario.organisation
    staff = np.array([d.staff for d in org.departments], dtype=float)
    n_dt = np.array([counts[k] for k in counts])  # types x departments
    if not (has_dept and n_dt.sum() > 0):
        draft.not_estimated.append("organisation.departments.*.demand_factor (no department column)")
        return np.array([d.demand_factor for d in org.departments])
    dept_total = n_dt.sum(axis=0)
    rate = dept_total / staff  # requests per staff member per day (up to a constant)
    factor = rate / (float((rate * staff).sum()) / float(staff.sum()))
    factor = np.where(dept_total > 0, factor, 0.0)
    for i, d in enumerate(org.departments):
        se = factor[i] / math.sqrt(dept_total[i]) if dept_total[i] > 0 else None
        draft.estimates.append(Estimate(f"organisation.departments.{d.name}.demand_factor",
                                        rounded(float(factor[i]), 3), se, d.demand_factor, int(dept_total[i])))
    return factor


def _call_profile_and_talk(draft: _Draft, scenario: Scenario, calls: Calls, slot_minutes: float,
                           logs: _Logs) -> None:
    """The calls' intraday profile and weekday test, and the talk time of the answered calls."""
    old, demand = scenario.demand, draft.demand
    prof, obs = _profile_of(calls.clock, slot_minutes)
    demand["calls"]["profile"] = prof
    draft.profiles["calls"] = {"new": prof, "old": resolve_profile(old.calls.profile).model_dump(mode="json"),
                               "observed": obs, "days": logs.n_days}
    draft.weekday["calls"] = _weekday_test(calls.day, logs.work_days)
    talk = calls.talk[calls.outcome == ANSWERED]
    if np.isfinite(talk).any():
        draft.fits["talk_minutes"] = fit_durations(talk)
        draft.samples["talk_minutes"] = talk[np.isfinite(talk) & (talk > 0)]
    if draft.fits.get("talk_minutes"):
        best = draft.fits["talk_minutes"][0]
        demand["calls"]["talk_minutes"] = best.dist().model_dump(mode="json")
        draft.estimates.append(Estimate("demand.calls.talk_minutes", demand["calls"]["talk_minutes"], best.se_mean,
                                        old.calls.talk_minutes.model_dump(mode="json"), best.n,
                                        f"{best.family}; se of the mean"))
    else:
        draft.not_estimated.append("demand.calls.talk_minutes (no talk times of answered calls)")


def _patience(draft: _Draft, scenario: Scenario, calls: Calls) -> None:
    """Caller patience from the waits of the calls that could wait (the line open; after-hours calls never
    queued): abandoned calls are events, answered (and still open) calls right-censored."""
    old, demand = scenario.demand, draft.demand
    open_line = line_open(scenario, calls.day, calls.clock) & (calls.outcome != AFTER_HOURS)
    wait = calls.wait
    events = wait[open_line & (calls.outcome == ABANDONED)]
    censored = wait[open_line & ((calls.outcome == ANSWERED) | (calls.outcome == OPEN))]
    if "wait" in calls.columns and np.isfinite(events).sum() >= 2:
        draft.fits["patience_seconds"] = fit_patience(events, censored)
        draft.samples["patience_events"] = events[np.isfinite(events)]
        draft.samples["patience_censored"] = censored[np.isfinite(censored)]
    if not draft.fits.get("patience_seconds"):
        draft.not_estimated.append("demand.calls.patience_seconds (needs waits and at least 2 abandoned calls)")
        return
    best = draft.fits["patience_seconds"][0]
    demand["calls"]["patience_seconds"] = best.dist().model_dump(mode="json")
    naive = float(np.nanmean(events))
    draft.estimates.append(Estimate("demand.calls.patience_seconds", demand["calls"]["patience_seconds"],
                                    best.se_mean, old.calls.patience_seconds.model_dump(mode="json")
                                    if old.calls.patience_seconds else None, best.n,
                                    f"{best.family}, censored by {int(np.isfinite(censored).sum())} answered "
                                    f"calls; the naive mean of abandoned waits alone is {naive:.1f} s (biased)"))
    draft.naive_patience = naive
    waits = np.concatenate([events[np.isfinite(events)], censored[np.isfinite(censored)]])
    draft.warnings += patience_warnings(draft.fits["patience_seconds"], float(waits.max()) if len(waits) else 0.0)


def _call_shares(draft: _Draft, scenario: Scenario, calls: Calls) -> None:
    """The call-back share of unanswered callers, and the external and custom shares, where the columns are
    there."""
    old, demand = scenario.demand, draft.demand
    unanswered = (calls.outcome == ABANDONED) | (calls.outcome == AFTER_HOURS)
    known = unanswered & (calls.callback >= 0)
    if known.sum() > 0:
        p = float((calls.callback[known] == 1).mean())
        demand["calls"]["callback_share"] = rounded(p, 3)
        draft.estimates.append(Estimate("demand.calls.callback_share", rounded(p, 3),
                                        math.sqrt(p * (1 - p) / known.sum()), old.calls.callback_share,
                                        int(known.sum())))
    else:
        draft.not_estimated.append("demand.calls.callback_share (no voicemail column or outcome)")
    for key, arr, path in (("caller", calls.external, "external_share"), ("custom", calls.custom, "custom_share")):
        ok = arr >= 0
        if ok.sum() > 0:
            p = float((arr[ok] == 1).mean())
            demand["calls"][path] = rounded(p, 3)
            draft.estimates.append(Estimate(f"demand.calls.{path}", rounded(p, 3), math.sqrt(p * (1 - p) / ok.sum()),
                                            getattr(old.calls, path), int(ok.sum())))
        else:
            draft.not_estimated.append(f"demand.calls.{path} (no {key} column)")


def _task_estimates(draft: _Draft, scenario: Scenario, tasks: Tasks, task_types: list[str], slot_minutes: float,
                    n_days: int) -> None:
    """Per task type: batches or spread over the day, its work time, its custom share."""
    old = scenario.demand
    types_arr = np.array(tasks.type, dtype=object)
    for t in task_types:
        mask = types_arr == t
        clock = tasks.clock[mask]
        spec = draft.demand["tasks"][t]
        batch = _batch_times(clock)
        if batch:
            spec.update({"arrivals": "batches", "batch_times": batch})
            spec.pop("profile", None)
            draft.estimates.append(Estimate(f"demand.tasks.{t}.batch_times", batch, None,
                                            old.tasks[t].batch_times if t in old.tasks else None, int(mask.sum())))
        else:
            prof, obs = _profile_of(clock, slot_minutes)
            spec.update({"arrivals": "spread", "profile": prof})
            spec.pop("batch_times", None)
            draft.profiles[t] = {"new": prof, "old": resolve_profile(old.tasks[t].profile).model_dump(mode="json")
                                 if t in old.tasks and old.tasks[t].arrivals == "spread" else None,
                                 "observed": obs, "days": n_days}
        work = tasks.work[mask]
        if "work" in tasks.columns and np.isfinite(work).sum() >= 2:
            draft.fits[f"{t}.work_minutes"] = fit_durations(work)
            draft.samples[f"{t}.work_minutes"] = work[np.isfinite(work) & (work > 0)]
        if draft.fits.get(f"{t}.work_minutes"):
            best = draft.fits[f"{t}.work_minutes"][0]
            spec["work_minutes"] = best.dist().model_dump(mode="json")
            draft.estimates.append(Estimate(f"demand.tasks.{t}.work_minutes", spec["work_minutes"], best.se_mean,
                                            old.tasks[t].work_minutes.model_dump(mode="json") if t in old.tasks
                                            else None, best.n, best.family))
        else:
            draft.not_estimated.append(f"demand.tasks.{t}.work_minutes (no work times)")
        cu = tasks.custom[mask]
        if (cu >= 0).sum() > 0:
            p = float((cu[cu >= 0] == 1).mean())
            spec["custom_share"] = rounded(p, 3)
            draft.estimates.append(Estimate(f"demand.tasks.{t}.custom_share", rounded(p, 3),
                                            math.sqrt(p * (1 - p) / (cu >= 0).sum()),
                                            old.tasks[t].custom_share if t in old.tasks else None,
                                            int((cu >= 0).sum())))
    draft.not_estimated.append("demand.tasks.*.norm_working_hours (norms, not in the data)")


def _meeting_estimates(draft: _Draft, scenario: Scenario, meetings: Meetings | None, n_days: int) -> None:
    """Meetings per department per week, their length (fixed or fitted) and start times, from a request
    log's meeting rows."""
    if meetings is None or not len(meetings.clock):
        draft.not_estimated.append("demand.meetings (no meeting rows: only a request log has them)")
        return
    old, demand = scenario.demand, draft.demand
    n_depts = len(scenario.organisation.departments)
    weeks = n_days / len(scenario.calendar.working_days)
    n = len(meetings.clock)
    rate = n / weeks / n_depts
    old_m = old.meetings.model_dump(mode="json") if old.meetings is not None else {}
    spec = demand.get("meetings") or {}
    spec["per_department_per_week"] = rounded(rate, 3)
    draft.estimates.append(Estimate("demand.meetings.per_department_per_week", rounded(rate, 3),
                                    math.sqrt(n) / weeks / n_depts, old_m.get("per_department_per_week"), n))
    held = meetings.duration[np.isfinite(meetings.duration) & (meetings.duration > 0)]
    lengths, times = np.unique(np.round(held, 2), return_counts=True)
    mode = int(np.argmax(times)) if len(held) else 0
    if len(held) >= 2 and times[mode] >= 0.5 * len(held) and mode == len(lengths) - 1:
        # at least half of the meetings last exactly as long, and none longer: meetings of a fixed length (a
        # minute-taker who joins after a call only sees the rest of one)
        fixed = float(lengths[mode])
        spec["duration_minutes"] = {"dist": "deterministic", "mean": rounded(fixed), "cv": 0.0}
    elif len(held) >= 2:
        draft.fits["meeting.duration_minutes"] = fit_durations(held)
        draft.samples["meeting.duration_minutes"] = held
        spec["duration_minutes"] = draft.fits["meeting.duration_minutes"][0].dist().model_dump(mode="json")
    if "duration_minutes" in spec and len(held) >= 2:
        draft.estimates.append(Estimate("demand.meetings.duration_minutes", spec["duration_minutes"],
                                        float(held.std()) / math.sqrt(len(held)), old_m.get("duration_minutes"),
                                        len(held)))
    half = np.floor(meetings.clock / 30) * 30
    spec["earliest_start"], spec["latest_start"] = _clock_text(float(half.min())), _clock_text(float(half.max()))
    demand["meetings"] = spec
    draft.not_estimated.append("demand.meetings.writing_minutes_per_meeting_hour and norm_working_hours")


def _weekday_profile(draft: _Draft, scenario: Scenario, tasks: Tasks | None, work_days: list[date]) -> None:
    """The weekday profile, from the calls (else the tasks): written when the chi-square test rejects equal
    rates on every working day, flat otherwise."""
    if tasks is not None and len(tasks.day) and "calls" not in draft.weekday:
        draft.weekday["tasks"] = _weekday_test(tasks.day, work_days)
    wk = draft.weekday.get("calls") or draft.weekday.get("tasks")
    old_profile = dict(scenario.demand.weekday_profile) if scenario.demand.weekday_profile else None
    if not (wk and len(wk["per_weekday"]) > 1):
        draft.not_estimated.append("demand.weekday_profile (too few weekdays in the logs)")
        return
    per = wk["per_weekday"]
    if wk["p_value"] < 0.05:
        profile = {w: rounded(float(row["factor"]), 3) for w, row in per.items()}
        draft.demand["weekday_profile"] = profile
        n_total = sum(row["per_day"] * row["days"] for row in per.values())
        se = max(float(row["factor"]) / math.sqrt(max(row["per_day"] * row["days"], 1)) for row in per.values())
        draft.estimates.append(Estimate("demand.weekday_profile", profile, se, old_profile, int(n_total),
                                        f"chi-square p = {wk['p_value']:.3g}; se: the largest of the weekdays'"))
    else:
        draft.demand["weekday_profile"] = None
        draft.notes.append(f"weekday profile: equal rates on every working day are not rejected (chi-square p = "
                           f"{wk['p_value']:.3g}); demand.weekday_profile left flat")


def _after_warmup(calls: Calls | None, tasks: Tasks | None) -> tuple[Calls | None, Tasks | None]:
    """The calls and tasks without a request log's warm-up rows: the model started empty then, so they are
    demand (the rates count them) but not today's service (the model's KPIs leave them out too)."""
    if calls is not None and calls.warmup is not None and calls.warmup.any():
        calls = subset_calls(calls, ~calls.warmup)
    if tasks is not None and tasks.warmup is not None and tasks.warmup.any():
        tasks = subset_tasks(tasks, ~tasks.warmup)
    return calls, tasks


def _calendar_of(scenario: Scenario, opened: list[date]) -> dict[str, Any]:
    """The calendar keys calibrated.yaml carries: the holidays and closing days the calibration used, and the
    public holidays the logs show open."""
    cal = scenario.calendar
    out: dict[str, Any] = {}
    if cal.holidays:
        out["holidays"] = cal.holidays
    if cal.closed:
        out["closed"] = [str(d) for d in cal.closed]
    open_on = sorted({*cal.open_on, *opened})
    if open_on:
        out["open_on"] = [str(d) for d in open_on]
    return out


def _batch_times(clock: np.ndarray, most: int = 4, share: float = 0.9) -> list[str] | None:
    """Clock times (HH:MM) that hold at least ``share`` of the arrivals, if there are at most ``most`` of them
    (post delivered in batches)."""
    if len(clock) < 10:
        return None
    minutes = np.round(clock, 6)
    values, counts = np.unique(minutes, return_counts=True)
    order = np.argsort(-counts)[:most]
    if counts[order].sum() < share * len(clock):
        return None
    top = sorted(float(values[i]) for i in order if counts[i] >= 0.05 * len(clock))
    return [_clock_text(m) for m in top]


__all__ = ["Calibration", "Estimate", "calibrate", "profile_counts", "select_days", "working_days"]
