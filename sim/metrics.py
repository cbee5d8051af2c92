"""Metrics, computed while the model runs: counters, time integrals and histograms, each updated in O(1).

Nothing here keeps a record per request, so memory does not grow with the horizon. Only requests that arrive
in the measured window (after the warm-up) count; time integrals are clipped to that window.

KPI definitions (shares are fractions in [0, 1]; ``None`` where nothing was there to count):

- **reachability** (bereikbaarheid): calls answered within the phone norm / calls offered while the line is
  open. ``calls_answered`` and ``calls_abandoned`` are shares of the same calls; ``asa_seconds`` is the mean
  wait of answered calls. Calls outside opening hours are counted apart (``calls_after_hours``).
- **replaceability** (vervangbaarheid): of the requests arriving in opening hours while none of their
  department's own secretaries is present (ill, on leave, a day off, lunch), the share handled within norm.
- **coverage**: the share of opening time in which every department has at least one present secretary who
  may serve it; ``coverage_min_department`` is the worst department's own share.
- **service_level.<type>**: requests done within their norm / (done + still open past their norm); for
  ``phone`` it is the reachability. Lead times are wall-clock hours from arrival to done.
- **utilisation**: busy time (calls, tasks, meetings) / present time, per secretary, cluster and overall.
- **interruptions_per_hour**: back-office tasks interrupted by a call, per present hour.
- **fte**, **cost_per_year**: from the secretaries' hours and the cost of one FTE.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar, Final

from sim.calendar import MINUTES_PER_DAY, WorkCalendar, split_by_hour
from sim.demand import PHONE, Call, Task

if TYPE_CHECKING:
    from sim.organisation import Organisation, Secretary

HOURS: Final = 24

#: Histogram bins (see :class:`Histogram`), as module constants so that compiled code reads them directly.
_LOW: Final = 0.01
_RATIO: Final = 1.02
_BINS: Final = 1300
_LOG_RATIO: Final = math.log(_RATIO)


class Histogram:
    """A fixed log-binned histogram of positive values (minutes) for quantiles and ECDFs.

    Bins grow by 2% from 0.01 minutes to about 10 years, so a quantile is exact to within 2%; zero goes into
    bin 0.
    """

    LOW: ClassVar[float] = _LOW
    RATIO: ClassVar[float] = _RATIO
    BINS: ClassVar[int] = _BINS

    __slots__ = ("counts", "n")

    def __init__(self) -> None:
        self.counts = [0] * _BINS
        self.n = 0

    def add(self, x: float) -> None:
        if x <= _LOW:
            i = 0
        else:
            i = 1 + int(math.log(x / _LOW) / _LOG_RATIO)
            if i >= _BINS:
                i = _BINS - 1
        self.counts[i] += 1
        self.n += 1

    @classmethod
    def upper(cls, i: int) -> float:
        return cls.LOW * cls.RATIO**i

    def quantile(self, q: float) -> float | None:
        if self.n == 0:
            return None
        target = q * self.n
        acc = 0
        for i, c in enumerate(self.counts):
            acc += c
            if acc >= target and c:
                return 0.0 if i == 0 else self.upper(i)
        return self.upper(self.BINS - 1)

    def nonzero(self) -> list[tuple[float, int]]:
        return [(0.0 if i == 0 else self.upper(i), c) for i, c in enumerate(self.counts) if c]


def _share(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


class Collector:
    """All statistics of one replication."""

    def __init__(self, org: Organisation, cal: WorkCalendar, type_names: list[str], phone_norm_minutes: float,
                 start: float, end: float) -> None:
        self.org = org
        self.cal = cal
        self.type_names = type_names
        self.norm = phone_norm_minutes
        self.t0 = start
        self.t_end = end
        n_dept = len(org.dept_names)
        n_sec = len(org.secretaries)
        n_types = len(type_names)
        n_groups = len(org.groups)
        # calls: [total], by hour of arrival, by department, by caller (0 internal, 1 external)
        self.c_offered = [0] * HOURS
        self.c_answered = [0] * HOURS
        self.c_within = [0] * HOURS
        self.c_abandoned = [0] * HOURS
        self.c_wait = [0.0] * HOURS  # summed waits of answered calls
        self.d_offered = [0] * n_dept
        self.d_within = [0] * n_dept
        self.d_abandoned = [0] * n_dept
        self.k_offered = [0, 0]
        self.k_within = [0, 0]
        self.k_abandoned = [0, 0]
        self.after_hours = 0
        self.wait_hist = Histogram()  # waits of answered calls
        # replaceability: requests arriving while their department's own secretaries are all absent
        self.rep_n = [0] * n_dept
        self.rep_within = [0] * n_dept
        # tasks by type
        self.t_arrived = [0] * n_types
        self.t_done = [0] * n_types
        self.t_within = [0] * n_types
        self.t_lead = [0.0] * n_types
        self.t_hist = [Histogram() for _ in range(n_types)]
        self.t_overdue_open = [0] * n_types
        self.t_open_end = [0] * n_types
        self.t_open_age = [0.0] * n_types  # summed ages of measured tasks still open at the end
        # requests of all kinds by department (winners and losers of a reorganisation)
        self.dr_n = [0] * n_dept
        self.dr_within = [0] * n_dept
        # open tasks by type (all, for the backlog and Little's law) as a time integral
        self.open_now = [0] * n_types
        self.open_area = [0.0] * n_types
        self.open_last = [start] * n_types
        self.backlog_sum = [0] * n_types
        self.backlog_max = [0] * n_types
        self.backlog_days = 0
        # call queues by group, for Little's law
        self.q_now = [0] * n_groups
        self.q_area = [0.0] * n_groups
        self.q_last = [start] * n_groups
        self.q_wait = [0.0] * n_groups  # waits (answered or abandoned) of measured calls
        self.q_arrivals = [0] * n_groups  # measured calls that could queue (offered)
        self.q_delayed = [0] * n_groups  # measured calls that found no one free and entered the queue
        # secretaries
        self.busy_by_state = [[0.0] * 5 for _ in range(n_sec)]
        self.busy_by_hour = [[0.0] * HOURS for _ in range(n_sec)]
        self.present = [0.0] * n_sec
        self.present_by_hour = [[0.0] * HOURS for _ in range(n_sec)]
        self.interruptions = [0] * n_sec
        # coverage
        self.serve_count = [0] * n_dept
        self.own_count = [0] * n_dept
        self.covered = [0.0] * n_dept
        self.all_covered = 0.0
        self.open_time = 0.0
        self.cov_last = 0.0
        # meetings
        self.meetings_uncovered = [0] * n_dept
        self.meetings_held = [0] * n_dept

    # -------------------------------------------------------------------------------------------- calls
    def call_after_hours(self, call: Call) -> None:
        call.measured = call.arrival >= self.t0
        if call.measured:
            self.after_hours += 1

    def call_offered(self, call: Call) -> None:
        measured = call.measured = call.arrival >= self.t0
        call.own_absent = self.own_count[call.dept] == 0
        if measured:
            h = int((call.arrival % MINUTES_PER_DAY) // 60)
            self.c_offered[h] += 1
            self.d_offered[call.dept] += 1
            self.k_offered[call.external] += 1
            self.q_arrivals[call.group.index] += 1

    def calls_waiting(self, g: int, delta: int, now: float) -> None:
        last = self.q_last[g]
        if now > self.t0:
            self.q_area[g] += self.q_now[g] * (now - (last if last > self.t0 else self.t0))
        self.q_now[g] += delta
        self.q_last[g] = now
        if delta > 0 and now >= self.t0:  # a call is queued at its arrival, so it is measured iff now >= t0
            self.q_delayed[g] += 1

    def call_answered(self, call: Call, wait: float, sec: Secretary) -> None:
        if not call.measured:
            return
        h = int((call.arrival % MINUTES_PER_DAY) // 60)
        self.c_answered[h] += 1
        self.c_wait[h] += wait
        self.q_wait[call.group.index] += wait
        self.wait_hist.add(wait)
        within = wait <= self.norm
        d = call.dept
        self.dr_n[d] += 1
        if within:
            self.c_within[h] += 1
            self.d_within[d] += 1
            self.k_within[call.external] += 1
            self.dr_within[d] += 1
        if call.own_absent:
            self.rep_n[d] += 1
            self.rep_within[d] += within

    def call_abandoned(self, call: Call, wait: float) -> None:
        if not call.measured:
            return
        h = int((call.arrival % MINUTES_PER_DAY) // 60)
        self.c_abandoned[h] += 1
        self.d_abandoned[call.dept] += 1
        self.k_abandoned[call.external] += 1
        self.q_wait[call.group.index] += wait
        self.dr_n[call.dept] += 1
        if call.own_absent:
            self.rep_n[call.dept] += 1

    # -------------------------------------------------------------------------------------------- tasks
    def _open_change(self, k: int, delta: int, now: float) -> None:
        last = self.open_last[k]
        if now > self.t0:
            self.open_area[k] += self.open_now[k] * (now - (last if last > self.t0 else self.t0))
        self.open_now[k] += delta
        self.open_last[k] = now

    def task_arrived(self, task: Task) -> None:
        now = task.arrival
        task.measured = now >= self.t0
        task.own_absent = self.own_count[task.dept] == 0 and self.cal.is_open(now)
        if task.measured:
            self.t_arrived[task.type] += 1
        self._open_change(task.type, 1, now)

    def task_done(self, task: Task, now: float) -> None:
        k = task.type
        self._open_change(k, -1, now)
        if not task.measured:
            return
        lead = now - task.arrival
        within = now <= task.due
        self.t_done[k] += 1
        self.t_lead[k] += lead
        self.t_hist[k].add(lead)
        self.dr_n[task.dept] += 1
        if within:
            self.t_within[k] += 1
            self.dr_within[task.dept] += 1
        if task.own_absent:
            self.rep_n[task.dept] += 1
            self.rep_within[task.dept] += within

    def day_end(self) -> None:
        """Snapshot of the backlog at closing time of a measured working day."""
        self.backlog_days += 1
        for k, n in enumerate(self.open_now):
            self.backlog_sum[k] += n
            if n > self.backlog_max[k]:
                self.backlog_max[k] = n

    # -------------------------------------------------------------------------------------------- people
    def busy(self, sec: Secretary, state: int, start: float, end: float) -> None:
        if end <= self.t0:
            return
        if start < self.t0:
            start = self.t0
        self.busy_by_state[sec.index][state] += end - start
        hours = self.busy_by_hour[sec.index]
        h = int((start % MINUTES_PER_DAY) // 60)
        if end - start <= 60 - (start % 60):  # within one clock hour: the common case
            hours[h] += end - start
        else:
            for hour, minutes in split_by_hour(start, end):
                hours[hour] += minutes

    def present_time(self, sec: Secretary, start: float, end: float) -> None:
        if end <= self.t0:
            return
        start = max(start, self.t0)
        self.present[sec.index] += end - start
        hours = self.present_by_hour[sec.index]
        for hour, minutes in split_by_hour(start, end):
            hours[hour] += minutes

    def interruption(self, sec: Secretary) -> None:
        if sec.since >= self.t0:
            self.interruptions[sec.index] += 1

    def presence(self, sec: Secretary, delta: int, now: float) -> None:
        """A secretary comes (+1) or goes (-1): update coverage first, then the counts."""
        self._coverage_until(now)
        for d in sec.serves:
            self.serve_count[d] += delta
        for d in sec.primary:
            self.own_count[d] += delta

    def _coverage_until(self, now: float) -> None:
        start = max(self.cov_last, self.t0)
        self.cov_last = now
        if now <= start:
            return
        open_minutes = sum((b - a for a, b in self.cal.open_intervals(start, now)), 0.0)
        if open_minutes <= 0:
            return
        self.open_time += open_minutes
        everyone = True
        for d, n in enumerate(self.serve_count):
            if n > 0:
                self.covered[d] += open_minutes
            else:
                everyone = False
        if everyone:
            self.all_covered += open_minutes

    def meeting_uncovered(self, dept: int, now: float) -> None:
        if now >= self.t0:
            self.meetings_uncovered[dept] += 1

    def meeting_held(self, dept: int, now: float) -> None:
        if now >= self.t0:
            self.meetings_held[dept] += 1

    # ---------------------------------------------------------------------------------------------- end
    def finish(self, now: float, open_requests: Any) -> None:
        """Close the time integrals and classify what is still open at the end."""
        self._coverage_until(now)
        for g in range(len(self.q_now)):
            self.calls_waiting(g, 0, now)
        for k in range(len(self.open_now)):
            self._open_change(k, 0, now)
        for req in open_requests:
            if not req.measured:
                continue
            if isinstance(req, Call):
                wait = now - req.arrival
                self.q_wait[req.group.index] += wait
                if wait > self.norm:  # already too late: counts as not within norm
                    self.dr_n[req.dept] += 1
                    if req.own_absent:
                        self.rep_n[req.dept] += 1
            else:
                self.t_open_end[req.type] += 1
                self.t_open_age[req.type] += now - req.arrival
                if now > req.due:
                    self.t_overdue_open[req.type] += 1
                    self.dr_n[req.dept] += 1
                    if req.own_absent:
                        self.rep_n[req.dept] += 1

    # --------------------------------------------------------------------------------------------- KPIs
    def kpis(self, fte: float, cost_per_fte: float, clusters: dict[str, list[int]]) -> dict[str, Any]:
        offered = sum(self.c_offered)
        answered = sum(self.c_answered)
        within = sum(self.c_within)
        abandoned = sum(self.c_abandoned)
        busy = [sum(row[1:4], 0.0) for row in self.busy_by_state]
        present_total = sum(self.present, 0.0)
        service: dict[str, float | None] = {"phone": _share(within, offered)}
        lead_mean: dict[str, float | None] = {}
        lead_p90: dict[str, float | None] = {}
        backlog: dict[str, float | None] = {}
        for k, name in enumerate(self.type_names):
            if k == PHONE:
                continue
            service[name] = _share(self.t_within[k], self.t_done[k] + self.t_overdue_open[k])
            mean = _share(self.t_lead[k], self.t_done[k])
            lead_mean[name] = None if mean is None else mean / 60
            p90 = self.t_hist[k].quantile(0.9)
            lead_p90[name] = None if p90 is None else p90 / 60
            backlog[name] = _share(self.backlog_sum[k], self.backlog_days)
        coverage_dept = [c / self.open_time if self.open_time > 0 else None for c in self.covered]
        known = [c for c in coverage_dept if c is not None]
        held = sum(self.meetings_held)
        return {
            "reachability": _share(within, offered),
            "calls_answered": _share(answered, offered),
            "calls_abandoned": _share(abandoned, offered),
            "asa_seconds": None if answered == 0 else 60 * sum(self.c_wait, 0.0) / answered,
            "calls_offered_per_day": offered / max(1, self.cal.days),
            "calls_after_hours_share": _share(self.after_hours, offered + self.after_hours),
            "replaceability": _share(sum(self.rep_within), sum(self.rep_n)),
            "coverage": _share(self.all_covered, self.open_time),
            "coverage_min_department": min(known) if known else None,
            "service_level": service,
            "lead_time_mean_hours": lead_mean,
            "lead_time_p90_hours": lead_p90,
            "backlog_end_of_day": backlog,
            "utilisation": _share(sum(busy, 0.0), present_total),
            "utilisation_by_cluster": {
                c: _share(sum((busy[i] for i in idx), 0.0), sum((self.present[i] for i in idx), 0.0))
                for c, idx in clusters.items()
            },
            "interruptions_per_hour": _share(sum(self.interruptions), present_total / 60),
            "meetings_uncovered": _share(sum(self.meetings_uncovered), held + sum(self.meetings_uncovered)),
            "fte": fte,
            "cost_per_year": fte * cost_per_fte,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        org = self.org
        per_hour = [
            {"hour": h, "offered": self.c_offered[h], "answered": self.c_answered[h],
             "answered_within_norm": self.c_within[h], "abandoned": self.c_abandoned[h],
             "reachability": _share(self.c_within[h], self.c_offered[h]),
             "asa_seconds": None if not self.c_answered[h] else 60 * self.c_wait[h] / self.c_answered[h]}
            for h in range(HOURS) if self.c_offered[h]
        ]
        open_time = self.open_time
        per_department = [
            {"department": name, "calls_offered": self.d_offered[d],
             "reachability": _share(self.d_within[d], self.d_offered[d]),
             "calls_abandoned": _share(self.d_abandoned[d], self.d_offered[d]),
             "requests": self.dr_n[d], "within_norm": _share(self.dr_within[d], self.dr_n[d]),
             "replaceability_requests": self.rep_n[d],
             "replaceability": _share(self.rep_within[d], self.rep_n[d]),
             "coverage": _share(self.covered[d], open_time),
             "meetings_uncovered": self.meetings_uncovered[d]}
            for d, name in enumerate(org.dept_names)
        ]
        per_caller = [
            {"caller": kind, "offered": self.k_offered[k], "reachability": _share(self.k_within[k], self.k_offered[k]),
             "abandoned": _share(self.k_abandoned[k], self.k_offered[k])}
            for k, kind in enumerate(("internal", "external"))
        ]
        per_secretary = []
        for sec in org.secretaries:
            i = sec.index
            b = self.busy_by_state[i]
            per_secretary.append({
                "secretary": sec.name, "cluster": sec.cluster, "group": sec.group.name,
                "present_hours": self.present[i] / 60, "call_hours": b[1] / 60, "task_hours": b[2] / 60,
                "meeting_hours": b[3] / 60, "utilisation": _share(sum(b[1:4], 0.0), self.present[i]),
                "interruptions": self.interruptions[i],
            })
        utilisation_by_hour = [
            {"secretary": sec.name, "cluster": sec.cluster, "hour": h,
             "present_minutes": self.present_by_hour[sec.index][h],
             "busy_minutes": self.busy_by_hour[sec.index][h],
             "utilisation": _share(self.busy_by_hour[sec.index][h], self.present_by_hour[sec.index][h])}
            for sec in org.secretaries for h in range(HOURS) if self.present_by_hour[sec.index][h] > 0
        ]
        per_type = []
        for k, name in enumerate(self.type_names):
            if k == PHONE:
                continue
            per_type.append({
                "type": name, "arrived": self.t_arrived[k], "done": self.t_done[k],
                "done_within_norm": self.t_within[k], "open_at_end": self.t_open_end[k],
                "open_overdue_at_end": self.t_overdue_open[k],
                "service_level": _share(self.t_within[k], self.t_done[k] + self.t_overdue_open[k]),
                "lead_time_mean_hours": None if not self.t_done[k] else self.t_lead[k] / self.t_done[k] / 60,
                "backlog_mean": _share(self.backlog_sum[k], self.backlog_days),
                "backlog_max": self.backlog_max[k],
            })
        span = self.t_end - self.t0
        little = []
        for g in org.groups:
            i = g.index
            lam = self.q_arrivals[i] / span if span > 0 else 0.0
            w = _share(self.q_wait[i], self.q_arrivals[i]) or 0.0
            little.append({"queue": f"calls/{g.name}", "L": self.q_area[i] / span, "lambda_per_minute": lam,
                           "W_minutes": w, "lambda_W": lam * w, "arrivals": self.q_arrivals[i],
                           "delayed": self.q_delayed[i]})
        for k, name in enumerate(self.type_names):
            if k == PHONE or not self.t_arrived[k]:
                continue
            lam = self.t_arrived[k] / span
            w = (self.t_lead[k] + self.t_open_age[k]) / self.t_arrived[k]
            little.append({"queue": f"tasks/{name}", "L": self.open_area[k] / span, "lambda_per_minute": lam,
                           "W_minutes": w, "lambda_W": lam * w, "arrivals": self.t_arrived[k]})
        lead_hist = [
            {"type": name, "upper_minutes": x, "count": c}
            for k, name in enumerate(self.type_names) if k != PHONE for x, c in self.t_hist[k].nonzero()
        ] + [{"type": "phone_wait", "upper_minutes": x, "count": c} for x, c in self.wait_hist.nonzero()]
        return {
            "per_hour": per_hour, "per_department": per_department, "per_caller": per_caller,
            "per_secretary": per_secretary, "utilisation_by_hour": utilisation_by_hour, "per_type": per_type,
            "little": little, "time_histograms": lead_hist,
        }

    def accounting(self, waiting_end: int) -> dict[str, Any]:
        """Counts that must add up: every measured request is answered, abandoned, done or open, once."""
        return {
            "calls_offered": sum(self.c_offered),
            "calls_answered": sum(self.c_answered),
            "calls_abandoned": sum(self.c_abandoned),
            "calls_waiting_at_end": waiting_end,
            "calls_after_hours": self.after_hours,
            "tasks": {name: {"arrived": self.t_arrived[k], "done": self.t_done[k], "open": self.t_open_end[k]}
                      for k, name in enumerate(self.type_names) if k != PHONE},
        }


__all__ = ["Collector", "Histogram"]
