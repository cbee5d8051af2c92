"""The end-of-run builders: a replication's KPIs, tables and accounting, from the counts of its
:class:`~sim.core.metrics.Collector`.

The collector (compiled, in :mod:`sim.core.metrics`) only updates its counts as the events come; everything computed
once at the end of a run lives here, in plain Python, where it costs nothing per event and reads as the
definitions it implements (each KPI's definition, label, unit and norm are declared once in :mod:`sim.kpis`;
the docstring of :mod:`sim.core.metrics` explains how the main ones are counted). A separate module rather than
a part of :mod:`sim.kpis`, which holds the KPI vocabulary: the builders read the model's counters, the
vocabulary reads nothing. :func:`sim.core.model.run_replication` calls them.
"""

from __future__ import annotations

from typing import Any

from sim.core.entities import BUSY_STATES, CALL, MEETING, PHONE, TASK
from sim.core.metrics import SLOT_MINUTES, Collector, SecCounts


def _share(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def busy_minutes(counts: SecCounts) -> float:
    """A secretary's busy minutes: on calls, on tasks and in meetings (her idle and absent time are not)."""
    return sum((counts.busy[state] for state in BUSY_STATES), 0.0)


def build_kpis(m: Collector, fte: float, cost_per_fte: float, clusters: dict[str, list[int]]) -> dict[str, Any]:
    """The KPIs of one replication (their definitions are in :mod:`sim.kpis`); shares are fractions, ``None``
    where nothing was there to count."""
    offered = sum(h.offered for h in m.hours)
    answered = sum(h.answered for h in m.hours)
    within = sum(h.within for h in m.hours)
    abandoned = sum(h.abandoned for h in m.hours)
    busy = [busy_minutes(s) for s in m.secs]
    present_total = sum((s.present for s in m.secs), 0.0)
    service: dict[str, float | None] = {"phone": _share(within, offered)}
    lead_mean: dict[str, float | None] = {}
    lead_p90: dict[str, float | None] = {}
    work_mean: dict[str, float | None] = {}
    work_p90: dict[str, float | None] = {}
    backlog: dict[str, float | None] = {}
    for k, name in enumerate(m.type_names):
        if k == PHONE:
            continue
        tc = m.types[k]
        service[name] = _share(tc.within, tc.done + tc.overdue_open)
        mean = _share(tc.lead, tc.done)
        lead_mean[name] = None if mean is None else mean / 60
        p90 = tc.hist.quantile(0.9)
        lead_p90[name] = None if p90 is None else p90 / 60
        wmean = _share(tc.lead_work, tc.done)
        work_mean[name] = None if wmean is None else wmean / 60
        wp90 = tc.work_hist.quantile(0.9)
        work_p90[name] = None if wp90 is None else wp90 / 60
        backlog[name] = _share(tc.backlog_sum, m.backlog_days)
    coverage_dept = [d.covered / m.open_time if m.open_time > 0 else None for d in m.depts]
    known = [c for c in coverage_dept if c is not None]
    held = sum(d.meetings_held for d in m.depts)
    uncovered = sum(d.meetings_uncovered + d.meetings_missed for d in m.depts)
    custom_done = sum(d.custom_done for d in m.depts)
    return {
        "reachability": _share(within, offered),
        "calls_answered": _share(answered, offered),
        "calls_abandoned": _share(abandoned, offered),
        "asa_seconds": None if answered == 0 else 60 * sum((h.wait for h in m.hours), 0.0) / answered,
        "wait_all_seconds": None if answered + abandoned == 0 else 60 * sum(
            (h.wait + h.abandoned_wait for h in m.hours), 0.0) / (answered + abandoned),
        "calls_offered_per_day": offered / max(1, m.cal.days),
        "calls_after_hours_share": _share(m.after_hours, offered + m.after_hours),
        "reachability_all_callers": _share(within, offered + m.after_hours),
        "replaceability": _share(sum(d.rep_within for d in m.depts), sum(d.rep_n for d in m.depts)),
        "coverage": _share(m.all_covered, m.open_time),
        "coverage_min_department": min(known) if known else None,
        "service_level": service,
        "lead_time_mean_hours": lead_mean,
        "lead_time_p90_hours": lead_p90,
        "lead_time_mean_working_hours": work_mean,
        "lead_time_p90_working_hours": work_p90,
        "backlog_end_of_day": backlog,
        "utilisation": _share(sum(busy, 0.0), present_total),
        "utilisation_by_cluster": {
            c: _share(sum((busy[i] for i in idx), 0.0), sum((m.secs[i].present for i in idx), 0.0))
            for c, idx in clusters.items()
        },
        "interruptions_per_hour": _share(sum(s.interruptions for s in m.secs), present_total / 60),
        "meetings_uncovered": _share(uncovered, held + uncovered),
        "continuity": _share(sum(d.custom_own for d in m.depts), custom_done),
        "continuity_all": _share(sum(d.done_own for d in m.depts), sum(d.done for d in m.depts)),
        "custom_share_requests": _share(m.requests_custom, m.requests_all),
        "custom_share_work": _share(m.work_custom, m.work_all),
        "fte": fte,
        "cost_per_year": fte * cost_per_fte,
    }


def build_tables(m: Collector) -> dict[str, list[dict[str, Any]]]:
    """The tables of one replication, one list of rows per table (``per_hour``, ``per_department``, ...)."""
    org = m.org
    per_hour = [
        {"hour": h, "offered": c.offered, "answered": c.answered, "answered_within_norm": c.within,
         "abandoned": c.abandoned, "reachability": _share(c.within, c.offered),
         "asa_seconds": None if not c.answered else 60 * c.wait / c.answered,
         "abandoned_wait_seconds": None if not c.abandoned else 60 * c.abandoned_wait / c.abandoned,
         "wait_all_seconds": None if not c.answered + c.abandoned else
         60 * (c.wait + c.abandoned_wait) / (c.answered + c.abandoned), "after_hours": c.after_hours}
        for h, c in enumerate(m.hours) if c.offered or c.after_hours
    ]
    days = max(1, m.cal.days)
    per_half_hour = [
        {"slot": k, "start_minute": k * SLOT_MINUTES, "offered": c.offered, "answered": c.answered,
         "answered_within_norm": c.within, "abandoned": c.abandoned,
         "reachability": _share(c.within, c.offered),
         "present_mean": c.present / SLOT_MINUTES / days, "call_busy_mean": c.call_busy / SLOT_MINUTES / days}
        for k, c in enumerate(m.slots) if c.offered or c.present
    ]
    open_time = m.open_time
    per_department = [
        {"department": name, "calls_offered": d.calls.offered,
         "reachability": _share(d.calls.within, d.calls.offered),
         "calls_abandoned": _share(d.calls.abandoned, d.calls.offered),
         "requests": d.requests, "within_norm": _share(d.requests_within, d.requests),
         "replaceability_requests": d.rep_n,
         "replaceability": _share(d.rep_within, d.rep_n),
         "coverage": _share(d.covered, open_time),
         "coverage_rostered": _share(d.rostered_covered, open_time),
         "meetings": d.meetings, "meetings_held": d.meetings_held, "meetings_missed": d.meetings_missed,
         "meetings_uncovered": d.meetings_uncovered,
         "continuity": _share(d.custom_own, d.custom_done), "continuity_all": _share(d.done_own, d.done),
         "custom_done": d.custom_done, "tasks": d.tasks, "tasks_within_norm": _share(d.tasks_within, d.tasks)}
        for d, name in zip(m.depts, org.dept_names, strict=True)
    ]
    per_caller = [
        {"caller": kind, "offered": c.offered, "reachability": _share(c.within, c.offered),
         "abandoned": _share(c.abandoned, c.offered)}
        for c, kind in ((m.internal, "internal"), (m.external, "external"))
    ]
    per_secretary = []
    for sec in org.secretaries:
        s = m.secs[sec.index]
        b = s.busy
        per_secretary.append({
            "secretary": sec.name, "cluster": sec.cluster, "group": sec.group.name,
            "present_hours": s.present / 60, "call_hours": b[CALL] / 60, "task_hours": b[TASK] / 60,
            "meeting_hours": b[MEETING] / 60, "utilisation": _share(busy_minutes(s), s.present),
            "interruptions": s.interruptions,
        })
    utilisation_by_hour = []
    for sec in org.secretaries:
        s = m.secs[sec.index]
        utilisation_by_hour += [
            {"secretary": sec.name, "cluster": sec.cluster, "hour": h, "present_minutes": present,
             "busy_minutes": s.busy_by_hour[h], "utilisation": _share(s.busy_by_hour[h], present)}
            for h, present in enumerate(s.present_by_hour) if present > 0
        ]
    per_type = []
    for k, name in enumerate(m.type_names):
        if k == PHONE:
            continue
        tc = m.types[k]
        per_type.append({
            "type": name, "arrived": tc.arrived, "done": tc.done,
            "done_within_norm": tc.within, "open_at_end": tc.open_end,
            "open_overdue_at_end": tc.overdue_open,
            "service_level": _share(tc.within, tc.done + tc.overdue_open),
            "lead_time_mean_hours": None if not tc.done else tc.lead / tc.done / 60,
            "backlog_mean": _share(tc.backlog_sum, m.backlog_days),
            "backlog_max": tc.backlog_max,
        })
    span = m.t_end - m.t0
    little = []
    for g in org.groups:
        q = m.queues[g.index]
        lam = q.arrivals / span if span > 0 else 0.0
        w = _share(q.wait, q.arrivals) or 0.0
        little.append({"queue": f"calls/{g.name}", "L": q.area / span, "lambda_per_minute": lam,
                       "W_minutes": w, "lambda_W": lam * w, "arrivals": q.arrivals,
                       "delayed": q.delayed})
    for k, name in enumerate(m.type_names):
        tc = m.types[k]
        if k == PHONE or not tc.arrived:
            continue
        lam = tc.arrived / span
        w = (tc.lead + tc.open_age) / tc.arrived
        little.append({"queue": f"tasks/{name}", "L": tc.open_area / span, "lambda_per_minute": lam,
                       "W_minutes": w, "lambda_W": lam * w, "arrivals": tc.arrived})
    lead_hist = [
        {"type": name, "upper_minutes": x, "count": c}
        for k, name in enumerate(m.type_names) if k != PHONE for x, c in m.types[k].hist.nonzero()
    ] + [{"type": "phone_wait", "upper_minutes": x, "count": c} for x, c in m.wait_hist.nonzero()] + [
        {"type": "phone_abandoned_wait", "upper_minutes": x, "count": c} for x, c in m.abandon_hist.nonzero()
    ] + [
        {"type": f"{name}:working", "upper_minutes": x, "count": c}
        for k, name in enumerate(m.type_names) if k != PHONE for x, c in m.types[k].work_hist.nonzero()
    ]
    return {
        "per_hour": per_hour, "per_department": per_department, "per_caller": per_caller,
        "per_secretary": per_secretary, "utilisation_by_hour": utilisation_by_hour, "per_type": per_type,
        "little": little, "time_histograms": lead_hist, "per_half_hour": per_half_hour,
    }


def build_accounting(m: Collector, waiting_end: int) -> dict[str, Any]:
    """Counts that must add up: every measured request is answered, abandoned, done or open, once."""
    return {
        "calls_offered": sum(h.offered for h in m.hours),
        "calls_answered": sum(h.answered for h in m.hours),
        "calls_abandoned": sum(h.abandoned for h in m.hours),
        "calls_waiting_at_end": waiting_end,
        "calls_after_hours": m.after_hours,
        "meetings": {"started": sum(d.meetings for d in m.depts),
                     "with_minutes": sum(d.meetings_held for d in m.depts),
                     "missed": sum(d.meetings_missed for d in m.depts),
                     "uncovered": sum(d.meetings_uncovered for d in m.depts)},
        "tasks": {name: {"arrived": tc.arrived, "done": tc.done, "open": tc.open_end}
                  for k, (name, tc) in enumerate(zip(m.type_names, m.types, strict=True)) if k != PHONE},
    }




def flatten_kpis(kpi: dict[str, Any], prefix: str = "") -> dict[str, float | None]:
    """``{"service_level": {"email": 0.9}}`` -> ``{"service_level.email": 0.9}``."""
    out: dict[str, float | None] = {}
    for key, value in kpi.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_kpis(value, name + "."))
        else:
            out[name] = value
    return out


__all__ = ["build_accounting", "build_kpis", "build_tables", "busy_minutes", "flatten_kpis"]
