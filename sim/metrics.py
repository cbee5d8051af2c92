"""Metrics, computed while the model runs: counters, time integrals and histograms, each updated in O(1).

Nothing here keeps a record per request, so memory does not grow with the horizon. Only requests that arrive
in the measured window (after the warm-up) count; time integrals are clipped to that window.

KPI definitions (shares are fractions in [0, 1]; ``None`` where nothing was there to count):

- **reachability** (bereikbaarheid): calls answered within the phone norm / calls offered while the line is
  open (as a phone system and the municipal norms count them). ``calls_answered`` and ``calls_abandoned`` are
  shares of the same calls; ``asa_seconds`` is the mean wait of answered calls, ``wait_all_seconds`` the mean
  wait of every caller (answered or abandoned, an abandoned caller's wait being her time until she hung up),
  which does not hide abandonment. Calls while the line is closed are counted apart
  (``calls_after_hours_share``, and by hour), and ``reachability_all_callers`` counts them as not reached, so a
  setup cannot look better by moving callers out of the line's hours.
- **replaceability** (vervangbaarheid): of the requests arriving in opening hours while none of their
  department's own secretaries is present (ill, on leave, a day off, lunch), the share handled within norm.
- **coverage**: the share of opening time in which every department has at least one present secretary who
  may serve it; ``coverage_min_department`` is the worst department's own share.
- **service_level.<type>**: requests done within their norm / (done + still open past their norm); for
  ``phone`` it is the reachability. Lead times are wall-clock hours from arrival to done, and (``*_working_hours``)
  working hours, the unit of the norms.
- **utilisation**: busy time (calls, tasks, meetings) / present time, per secretary, cluster and overall.
- **interruptions_per_hour**: back-office tasks interrupted by a call, per present hour.
- **continuity**: custom requests handled (calls answered, tasks done) by the department's own secretary (for
  minutes: the one who took them) / custom requests handled; ``continuity_all`` the same over all requests:
  the cost side of pooling.
- **custom_share_requests**, **custom_share_work**: the realised custom (maatwerk) share of the measured
  requests by count, and of the busy time on calls and tasks (the article: 30-40% custom).
- **meetings_uncovered**: meetings without minutes (nobody could take them, or the one it waited for could
  not join before it ended) / meetings; every meeting is held with minutes, missed or uncovered, once.
- **fte**, **cost_per_year**: from the secretaries' hours and the cost of one FTE.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Final, Protocol

from sim.calendar import WorkCalendar, hour_of_day, split_by_hour
from sim.entities import PHONE, Call, Secretary, Task
from sim.organisation import Organisation

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

    @staticmethod
    def upper(i: int) -> float:
        return _LOW * _RATIO**i

    def quantile(self, q: float) -> float | None:
        if self.n == 0:
            return None
        target = q * self.n
        acc = 0
        for i, c in enumerate(self.counts):
            acc += c
            if acc >= target and c:
                return 0.0 if i == 0 else self.upper(i)
        return self.upper(_BINS - 1)

    def nonzero(self) -> list[tuple[float, int]]:
        return [(0.0 if i == 0 else self.upper(i), c) for i, c in enumerate(self.counts) if c]


def _share(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


# The counters below are small classes with one field per count rather than parallel lists: compiled, a field
# is updated in place (``n += 1`` on a list item makes and frees a Python number on every event).


class CallCounts:
    """Measured calls of one hour of the day, one department or one kind of caller."""

    __slots__ = ("offered", "answered", "within", "abandoned", "wait", "abandoned_wait", "after_hours")

    def __init__(self) -> None:
        self.offered = 0
        self.after_hours = 0  # calls while the line is closed (by hour only)
        self.answered = 0  # counted by hour only
        self.within = 0  # answered within the norm
        self.abandoned = 0
        self.wait = 0.0  # summed waits of answered calls (by hour only)
        self.abandoned_wait = 0.0  # summed waits of abandoned calls until they hung up (by hour only)


class DeptCounts:
    """One department: its calls, all its requests (the winners and losers of a reorganisation),
    replaceability, coverage and meetings."""

    __slots__ = ("calls", "requests", "requests_within", "rep_n", "rep_within", "serve_count", "own_count",
                 "covered", "meetings_uncovered", "meetings_held", "meetings_missed", "meetings",
                 "custom_done", "custom_own", "done", "done_own")

    def __init__(self) -> None:
        self.calls = CallCounts()
        self.requests = 0  # measured requests of all kinds, done (or answered, abandoned) or open past the norm
        self.requests_within = 0
        self.rep_n = 0  # requests arriving while none of the department's own secretaries is present
        self.rep_within = 0
        self.serve_count = 0  # present secretaries who may serve the department
        self.own_count = 0  # present secretaries of its own
        self.covered = 0.0  # opening minutes with someone present to serve it
        self.meetings = 0  # meetings that started
        self.meetings_uncovered = 0  # nobody could take the minutes
        self.meetings_held = 0  # with minutes
        self.meetings_missed = 0  # the minute-taker it waited for could not join before it ended
        # continuity: requests handled (calls answered, tasks done) and those handled by the department's own
        # secretary (for minutes: the one who took them)
        self.done = 0
        self.done_own = 0
        self.custom_done = 0
        self.custom_own = 0


class TypeCounts:
    """One request type: measured requests, lead times, and open requests (all, for the backlog and Little's
    law) as a time integral."""

    __slots__ = ("arrived", "done", "within", "lead", "hist", "overdue_open", "open_end", "open_age",
                 "open_now", "open_area", "open_last", "backlog_sum", "backlog_max", "lead_work", "work_hist")

    def __init__(self, start: float) -> None:
        self.arrived = 0
        self.done = 0
        self.within = 0
        self.lead = 0.0  # summed lead times of done requests
        self.hist = Histogram()  # their lead times
        self.overdue_open = 0  # still open at the end and past the norm
        self.open_end = 0  # still open at the end
        self.open_age = 0.0  # summed ages of those still open at the end
        self.open_now = 0
        self.open_area = 0.0
        self.open_last = start
        self.backlog_sum = 0  # open at closing time, summed over the measured days
        self.backlog_max = 0
        self.lead_work = 0.0  # summed lead times of done requests in working minutes (the norms' unit)
        self.work_hist = Histogram()  # their working-time lead times


class QueueCounts:
    """The call queue of one group, for Little's law."""

    __slots__ = ("now", "area", "last", "wait", "arrivals", "delayed")

    def __init__(self, start: float) -> None:
        self.now = 0  # calls waiting
        self.area = 0.0
        self.last = start
        self.wait = 0.0  # waits (answered or abandoned) of measured calls
        self.arrivals = 0  # measured calls that could queue (offered)
        self.delayed = 0  # measured calls that found no one free and entered the queue


#: Width of the intervals of the per-interval (SIPP) table, minutes: staffing practice's half hour.
SLOT_MINUTES: Final = 30
SLOTS: Final = 24 * 60 // SLOT_MINUTES


class SlotCounts:
    """One half hour of the day: its measured calls (by arrival) and the secretaries' present minutes, for the
    per-interval comparison with Erlang C/A (stationary independent period-by-period, SIPP)."""

    __slots__ = ("offered", "answered", "within", "abandoned", "present", "call_busy")

    def __init__(self) -> None:
        self.offered = 0
        self.answered = 0
        self.within = 0
        self.abandoned = 0
        self.present = 0.0  # present secretary-minutes in this half hour, summed over the measured days
        self.call_busy = 0.0  # secretary-minutes on calls in this half hour


def slot_of_day(t: float) -> int:
    return int(t) % 1440 // SLOT_MINUTES


def split_by_slot(start: float, end: float) -> Iterator[tuple[int, float]]:
    """(half hour of day, minutes) pieces of [start, end), one at a time (no list: a secretary on duty round
    the clock is present for the whole run, and memory must not grow with the horizon)."""
    t = start
    while t < end:
        nxt = min(end, (t // SLOT_MINUTES + 1) * SLOT_MINUTES)
        yield slot_of_day(t), nxt - t
        t = nxt


class SecCounts:
    """One secretary's time."""

    __slots__ = ("busy", "busy_by_hour", "present", "present_by_hour", "interruptions")

    def __init__(self) -> None:
        self.busy = [0.0] * 5  # minutes by state (call, task, meeting count as busy)
        self.busy_by_hour = [0.0] * HOURS
        self.present = 0.0
        self.present_by_hour = [0.0] * HOURS
        self.interruptions = 0


class RequestSink(Protocol):
    """Where finished requests go, one at a time, when a request log is asked for (:mod:`sim.request_log`).

    Every request of the run is delivered once, warm-up included: a call as it is answered (``t`` the moment
    of answering, ``sec`` who answered), abandoned or after hours (``t`` the moment it ended), a task as it is
    done (``t`` the moment), a meeting as it begins or is found uncovered (``sec`` -1), and whatever is still
    open at the end of the run (``t`` the end)."""

    def call(self, call: Call, outcome: str, t: float, sec: int) -> None: ...
    def task(self, task: Task, outcome: str, t: float) -> None: ...
    def meeting(self, dept: int, start: float, join: float, end: float, sec: int, outcome: str) -> None: ...


class Collector:
    """All statistics of one replication."""

    def __init__(self, org: Organisation, cal: WorkCalendar, type_names: list[str], phone_norm_minutes: float,
                 start: float, end: float, requests: RequestSink | None = None) -> None:
        self.org = org
        self.requests = requests  # the request log, if one is asked for (None: no cost beyond this test)
        self.cal = cal
        self.type_names = type_names
        self.norm = phone_norm_minutes
        self.t0 = start
        self.t_end = end
        self.hours = [CallCounts() for _ in range(HOURS)]  # calls by hour of arrival
        self.callers = [CallCounts(), CallCounts()]  # calls by caller: internal, external
        self.depts = [DeptCounts() for _ in org.dept_names]
        self.types = [TypeCounts(start) for _ in type_names]
        self.queues = [QueueCounts(start) for _ in org.groups]  # call queues by group
        self.secs = [SecCounts() for _ in org.secretaries]
        self.after_hours = 0
        # the realised standard/custom split: measured requests by count, and busy minutes on them
        self.requests_custom = 0
        self.requests_all = 0
        self.work_custom = 0.0
        self.work_all = 0.0
        self.wait_hist = Histogram()  # waits of answered calls
        self.abandon_hist = Histogram()  # waits of abandoned calls, until the caller hung up
        self.slots = [SlotCounts() for _ in range(SLOTS)]  # calls and presence by half hour (SIPP)
        self.backlog_days = 0
        # coverage
        self.all_covered = 0.0
        self.open_time = 0.0
        self.cov_last = 0.0

    # -------------------------------------------------------------------------------------------- calls
    def call_after_hours(self, call: Call) -> None:
        call.measured = call.arrival >= self.t0
        if self.requests is not None:
            self.requests.call(call, "after_hours", call.arrival, -1)
        if call.measured:
            self.after_hours += 1
            self.hours[hour_of_day(call.arrival)].after_hours += 1

    def call_offered(self, call: Call) -> None:
        measured = call.measured = call.arrival >= self.t0
        dept = self.depts[call.dept]
        call.own_absent = dept.own_count == 0
        if measured:
            self.requests_all += 1
            self.requests_custom += call.custom
            self.hours[hour_of_day(call.arrival)].offered += 1
            self.slots[slot_of_day(call.arrival)].offered += 1
            dept.calls.offered += 1
            self.callers[call.external].offered += 1
            self.queues[call.group.index].arrivals += 1

    def calls_waiting(self, g: int, delta: int, now: float) -> None:
        q = self.queues[g]
        last = q.last
        if now > self.t0:
            q.area += q.now * (now - (last if last > self.t0 else self.t0))
        q.now += delta
        q.last = now
        if delta > 0 and now >= self.t0:  # a call is queued at its arrival, so it is measured iff now >= t0
            q.delayed += 1

    def call_answered(self, call: Call, wait: float, sec: Secretary) -> None:
        if self.requests is not None:
            self.requests.call(call, "answered", call.arrival + wait, sec.index)
        if not call.measured:
            return
        hour = self.hours[hour_of_day(call.arrival)]
        hour.answered += 1
        hour.wait += wait
        self.queues[call.group.index].wait += wait
        self.wait_hist.add(wait)
        within = wait <= self.norm
        slot = self.slots[slot_of_day(call.arrival)]
        slot.answered += 1
        slot.within += within
        dept = self.depts[call.dept]
        dept.requests += 1
        own = call.dept in sec.primary
        dept.done += 1
        dept.done_own += own
        if call.custom:
            dept.custom_done += 1
            dept.custom_own += own
        if within:
            hour.within += 1
            dept.calls.within += 1
            self.callers[call.external].within += 1
            dept.requests_within += 1
        if call.own_absent:
            dept.rep_n += 1
            dept.rep_within += within

    def call_abandoned(self, call: Call, wait: float) -> None:
        if self.requests is not None:
            self.requests.call(call, "abandoned", call.arrival + wait, -1)
        if not call.measured:
            return
        hour = self.hours[hour_of_day(call.arrival)]
        hour.abandoned += 1
        hour.abandoned_wait += wait
        self.abandon_hist.add(wait)
        self.slots[slot_of_day(call.arrival)].abandoned += 1
        dept = self.depts[call.dept]
        dept.calls.abandoned += 1
        self.callers[call.external].abandoned += 1
        self.queues[call.group.index].wait += wait
        dept.requests += 1
        if call.own_absent:
            dept.rep_n += 1

    # -------------------------------------------------------------------------------------------- tasks
    def _open_change(self, k: int, delta: int, now: float) -> None:
        tc = self.types[k]
        last = tc.open_last
        if now > self.t0:
            tc.open_area += tc.open_now * (now - (last if last > self.t0 else self.t0))
        tc.open_now += delta
        tc.open_last = now

    def task_arrived(self, task: Task) -> None:
        now = task.arrival
        task.measured = now >= self.t0
        task.own_absent = self.depts[task.dept].own_count == 0 and self.cal.is_open(now)
        if task.measured:
            self.types[task.type].arrived += 1
            self.requests_all += 1
            self.requests_custom += task.custom
        self._open_change(task.type, 1, now)

    def task_done(self, task: Task, now: float, sec: Secretary) -> None:
        k = task.type
        self._open_change(k, -1, now)
        if self.requests is not None:
            self.requests.task(task, "done", now)
        if not task.measured:
            return
        tc = self.types[k]
        lead = now - task.arrival
        within = now <= task.due
        tc.done += 1
        tc.lead += lead
        tc.hist.add(lead)
        work = 0.0
        for a, b in self.cal.open_intervals(task.arrival, now):
            work += b - a
        tc.lead_work += work
        tc.work_hist.add(work)
        dept = self.depts[task.dept]
        dept.requests += 1
        own = sec.index == task.preferred if task.preferred >= 0 else task.dept in sec.primary
        dept.done += 1
        dept.done_own += own
        if task.custom:
            dept.custom_done += 1
            dept.custom_own += own
        if within:
            tc.within += 1
            dept.requests_within += 1
        if task.own_absent:
            dept.rep_n += 1
            dept.rep_within += within

    def day_end(self) -> None:
        """Snapshot of the backlog at closing time of a measured working day."""
        self.backlog_days += 1
        for tc in self.types:
            n = tc.open_now
            tc.backlog_sum += n
            if n > tc.backlog_max:
                tc.backlog_max = n

    # -------------------------------------------------------------------------------------------- people
    def busy(self, sec: Secretary, state: int, start: float, end: float, custom: bool) -> None:
        if end <= self.t0:
            return
        if start < self.t0:
            start = self.t0
        s = self.secs[sec.index]
        s.busy[state] += end - start
        if state == 1 or state == 2:  # calls and tasks (not meetings) make the realised split by work time
            self.work_all += end - start
            if custom:
                self.work_custom += end - start
        if state == 1:  # on a call: by half hour, for the per-interval table
            slots = self.slots
            for k, minutes in split_by_slot(start, end):
                slots[k].call_busy += minutes
        hours = s.busy_by_hour
        if end - start <= (int(start) // 60 + 1) * 60 - start:  # within one clock hour: the common case
            hours[hour_of_day(start)] += end - start
        else:
            for hour, minutes in split_by_hour(start, end):
                hours[hour] += minutes

    def present_time(self, sec: Secretary, start: float, end: float) -> None:
        if end <= self.t0:
            return
        start = max(start, self.t0)
        s = self.secs[sec.index]
        s.present += end - start
        hours = s.present_by_hour
        for hour, minutes in split_by_hour(start, end):
            hours[hour] += minutes
        slots = self.slots
        for k, minutes in split_by_slot(start, end):
            slots[k].present += minutes

    def interruption(self, sec: Secretary) -> None:
        if sec.since >= self.t0:
            self.secs[sec.index].interruptions += 1

    def presence(self, sec: Secretary, delta: int, now: float) -> None:
        """A secretary comes (+1) or goes (-1): update coverage first, then the counts."""
        self._coverage_until(now)
        depts = self.depts
        for d in sec.serves:
            depts[d].serve_count += delta
        for d in sec.primary:
            depts[d].own_count += delta

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
        for dept in self.depts:
            if dept.serve_count > 0:
                dept.covered += open_minutes
            else:
                everyone = False
        if everyone:
            self.all_covered += open_minutes

    # meetings count by the moment they start: each is held (with minutes), missed or uncovered, once
    def meeting_started(self, dept: int, start: float) -> None:
        if start >= self.t0:
            self.depts[dept].meetings += 1

    def meeting_uncovered(self, dept: int, start: float) -> None:
        if self.requests is not None:
            self.requests.meeting(dept, start, start, start, -1, "uncovered")
        if start >= self.t0:
            self.depts[dept].meetings_uncovered += 1

    def meeting_missed(self, dept: int, start: float, end: float) -> None:
        if self.requests is not None:
            self.requests.meeting(dept, start, end, end, -1, "missed")
        if start >= self.t0:
            self.depts[dept].meetings_missed += 1

    def meeting_held(self, dept: int, start: float, join: float, sec: int, end: float) -> None:
        if self.requests is not None:
            self.requests.meeting(dept, start, join, end, sec, "held")
        if start >= self.t0:
            self.depts[dept].meetings_held += 1

    # ---------------------------------------------------------------------------------------------- end
    def finish(self, now: float, open_requests: Any) -> None:
        """Close the time integrals and classify what is still open at the end."""
        self._coverage_until(now)
        for g in range(len(self.queues)):
            self.calls_waiting(g, 0, now)
        for k in range(len(self.types)):
            self._open_change(k, 0, now)
        for req in open_requests:
            if self.requests is not None:
                if isinstance(req, Call):
                    self.requests.call(req, "open_at_end", now, -1)
                else:
                    self.requests.task(req, "open_at_end", now)
            if not req.measured:
                continue
            dept = self.depts[req.dept]
            if isinstance(req, Call):
                wait = now - req.arrival
                self.queues[req.group.index].wait += wait
                if wait > self.norm:  # already too late: counts as not within norm
                    dept.requests += 1
                    if req.own_absent:
                        dept.rep_n += 1
            else:
                tc = self.types[req.type]
                tc.open_end += 1
                tc.open_age += now - req.arrival
                if now > req.due:
                    tc.overdue_open += 1
                    dept.requests += 1
                    if req.own_absent:
                        dept.rep_n += 1

    # --------------------------------------------------------------------------------------------- KPIs
    def kpis(self, fte: float, cost_per_fte: float, clusters: dict[str, list[int]]) -> dict[str, Any]:
        offered = sum(h.offered for h in self.hours)
        answered = sum(h.answered for h in self.hours)
        within = sum(h.within for h in self.hours)
        abandoned = sum(h.abandoned for h in self.hours)
        busy = [sum(s.busy[1:4], 0.0) for s in self.secs]
        present_total = sum((s.present for s in self.secs), 0.0)
        service: dict[str, float | None] = {"phone": _share(within, offered)}
        lead_mean: dict[str, float | None] = {}
        lead_p90: dict[str, float | None] = {}
        work_mean: dict[str, float | None] = {}
        work_p90: dict[str, float | None] = {}
        backlog: dict[str, float | None] = {}
        for k, name in enumerate(self.type_names):
            if k == PHONE:
                continue
            tc = self.types[k]
            service[name] = _share(tc.within, tc.done + tc.overdue_open)
            mean = _share(tc.lead, tc.done)
            lead_mean[name] = None if mean is None else mean / 60
            p90 = tc.hist.quantile(0.9)
            lead_p90[name] = None if p90 is None else p90 / 60
            wmean = _share(tc.lead_work, tc.done)
            work_mean[name] = None if wmean is None else wmean / 60
            wp90 = tc.work_hist.quantile(0.9)
            work_p90[name] = None if wp90 is None else wp90 / 60
            backlog[name] = _share(tc.backlog_sum, self.backlog_days)
        coverage_dept = [d.covered / self.open_time if self.open_time > 0 else None for d in self.depts]
        known = [c for c in coverage_dept if c is not None]
        held = sum(d.meetings_held for d in self.depts)
        uncovered = sum(d.meetings_uncovered + d.meetings_missed for d in self.depts)
        custom_done = sum(d.custom_done for d in self.depts)
        return {
            "reachability": _share(within, offered),
            "calls_answered": _share(answered, offered),
            "calls_abandoned": _share(abandoned, offered),
            "asa_seconds": None if answered == 0 else 60 * sum((h.wait for h in self.hours), 0.0) / answered,
            "wait_all_seconds": None if answered + abandoned == 0 else 60 * sum(
                (h.wait + h.abandoned_wait for h in self.hours), 0.0) / (answered + abandoned),
            "calls_offered_per_day": offered / max(1, self.cal.days),
            "calls_after_hours_share": _share(self.after_hours, offered + self.after_hours),
            "reachability_all_callers": _share(within, offered + self.after_hours),
            "replaceability": _share(sum(d.rep_within for d in self.depts), sum(d.rep_n for d in self.depts)),
            "coverage": _share(self.all_covered, self.open_time),
            "coverage_min_department": min(known) if known else None,
            "service_level": service,
            "lead_time_mean_hours": lead_mean,
            "lead_time_p90_hours": lead_p90,
            "lead_time_mean_working_hours": work_mean,
            "lead_time_p90_working_hours": work_p90,
            "backlog_end_of_day": backlog,
            "utilisation": _share(sum(busy, 0.0), present_total),
            "utilisation_by_cluster": {
                c: _share(sum((busy[i] for i in idx), 0.0), sum((self.secs[i].present for i in idx), 0.0))
                for c, idx in clusters.items()
            },
            "interruptions_per_hour": _share(sum(s.interruptions for s in self.secs), present_total / 60),
            "meetings_uncovered": _share(uncovered, held + uncovered),
            "continuity": _share(sum(d.custom_own for d in self.depts), custom_done),
            "continuity_all": _share(sum(d.done_own for d in self.depts), sum(d.done for d in self.depts)),
            "custom_share_requests": _share(self.requests_custom, self.requests_all),
            "custom_share_work": _share(self.work_custom, self.work_all),
            "fte": fte,
            "cost_per_year": fte * cost_per_fte,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        org = self.org
        per_hour = [
            {"hour": h, "offered": c.offered, "answered": c.answered, "answered_within_norm": c.within,
             "abandoned": c.abandoned, "reachability": _share(c.within, c.offered),
             "asa_seconds": None if not c.answered else 60 * c.wait / c.answered,
             "abandoned_wait_seconds": None if not c.abandoned else 60 * c.abandoned_wait / c.abandoned,
             "wait_all_seconds": None if not c.answered + c.abandoned else
             60 * (c.wait + c.abandoned_wait) / (c.answered + c.abandoned), "after_hours": c.after_hours}
            for h, c in enumerate(self.hours) if c.offered or c.after_hours
        ]
        days = max(1, self.cal.days)
        per_half_hour = [
            {"slot": k, "start_minute": k * SLOT_MINUTES, "offered": c.offered, "answered": c.answered,
             "answered_within_norm": c.within, "abandoned": c.abandoned,
             "reachability": _share(c.within, c.offered),
             "present_mean": c.present / SLOT_MINUTES / days, "call_busy_mean": c.call_busy / SLOT_MINUTES / days}
            for k, c in enumerate(self.slots) if c.offered or c.present
        ]
        open_time = self.open_time
        per_department = [
            {"department": name, "calls_offered": d.calls.offered,
             "reachability": _share(d.calls.within, d.calls.offered),
             "calls_abandoned": _share(d.calls.abandoned, d.calls.offered),
             "requests": d.requests, "within_norm": _share(d.requests_within, d.requests),
             "replaceability_requests": d.rep_n,
             "replaceability": _share(d.rep_within, d.rep_n),
             "coverage": _share(d.covered, open_time),
             "meetings": d.meetings, "meetings_held": d.meetings_held, "meetings_missed": d.meetings_missed,
             "meetings_uncovered": d.meetings_uncovered,
             "continuity": _share(d.custom_own, d.custom_done), "continuity_all": _share(d.done_own, d.done)}
            for d, name in zip(self.depts, org.dept_names, strict=True)
        ]
        per_caller = [
            {"caller": kind, "offered": c.offered, "reachability": _share(c.within, c.offered),
             "abandoned": _share(c.abandoned, c.offered)}
            for c, kind in zip(self.callers, ("internal", "external"), strict=True)
        ]
        per_secretary = []
        for sec in org.secretaries:
            s = self.secs[sec.index]
            b = s.busy
            per_secretary.append({
                "secretary": sec.name, "cluster": sec.cluster, "group": sec.group.name,
                "present_hours": s.present / 60, "call_hours": b[1] / 60, "task_hours": b[2] / 60,
                "meeting_hours": b[3] / 60, "utilisation": _share(sum(b[1:4], 0.0), s.present),
                "interruptions": s.interruptions,
            })
        utilisation_by_hour = []
        for sec in org.secretaries:
            s = self.secs[sec.index]
            utilisation_by_hour += [
                {"secretary": sec.name, "cluster": sec.cluster, "hour": h, "present_minutes": present,
                 "busy_minutes": s.busy_by_hour[h], "utilisation": _share(s.busy_by_hour[h], present)}
                for h, present in enumerate(s.present_by_hour) if present > 0
            ]
        per_type = []
        for k, name in enumerate(self.type_names):
            if k == PHONE:
                continue
            tc = self.types[k]
            per_type.append({
                "type": name, "arrived": tc.arrived, "done": tc.done,
                "done_within_norm": tc.within, "open_at_end": tc.open_end,
                "open_overdue_at_end": tc.overdue_open,
                "service_level": _share(tc.within, tc.done + tc.overdue_open),
                "lead_time_mean_hours": None if not tc.done else tc.lead / tc.done / 60,
                "backlog_mean": _share(tc.backlog_sum, self.backlog_days),
                "backlog_max": tc.backlog_max,
            })
        span = self.t_end - self.t0
        little = []
        for g in org.groups:
            q = self.queues[g.index]
            lam = q.arrivals / span if span > 0 else 0.0
            w = _share(q.wait, q.arrivals) or 0.0
            little.append({"queue": f"calls/{g.name}", "L": q.area / span, "lambda_per_minute": lam,
                           "W_minutes": w, "lambda_W": lam * w, "arrivals": q.arrivals,
                           "delayed": q.delayed})
        for k, name in enumerate(self.type_names):
            tc = self.types[k]
            if k == PHONE or not tc.arrived:
                continue
            lam = tc.arrived / span
            w = (tc.lead + tc.open_age) / tc.arrived
            little.append({"queue": f"tasks/{name}", "L": tc.open_area / span, "lambda_per_minute": lam,
                           "W_minutes": w, "lambda_W": lam * w, "arrivals": tc.arrived})
        lead_hist = [
            {"type": name, "upper_minutes": x, "count": c}
            for k, name in enumerate(self.type_names) if k != PHONE for x, c in self.types[k].hist.nonzero()
        ] + [{"type": "phone_wait", "upper_minutes": x, "count": c} for x, c in self.wait_hist.nonzero()] + [
            {"type": "phone_abandoned_wait", "upper_minutes": x, "count": c} for x, c in self.abandon_hist.nonzero()
        ] + [
            {"type": f"{name}:working", "upper_minutes": x, "count": c}
            for k, name in enumerate(self.type_names) if k != PHONE for x, c in self.types[k].work_hist.nonzero()
        ]
        return {
            "per_hour": per_hour, "per_department": per_department, "per_caller": per_caller,
            "per_secretary": per_secretary, "utilisation_by_hour": utilisation_by_hour, "per_type": per_type,
            "little": little, "time_histograms": lead_hist, "per_half_hour": per_half_hour,
        }

    def accounting(self, waiting_end: int) -> dict[str, Any]:
        """Counts that must add up: every measured request is answered, abandoned, done or open, once."""
        return {
            "calls_offered": sum(h.offered for h in self.hours),
            "calls_answered": sum(h.answered for h in self.hours),
            "calls_abandoned": sum(h.abandoned for h in self.hours),
            "calls_waiting_at_end": waiting_end,
            "calls_after_hours": self.after_hours,
            "meetings": {"started": sum(d.meetings for d in self.depts),
                         "with_minutes": sum(d.meetings_held for d in self.depts),
                         "missed": sum(d.meetings_missed for d in self.depts),
                         "uncovered": sum(d.meetings_uncovered for d in self.depts)},
            "tasks": {name: {"arrived": tc.arrived, "done": tc.done, "open": tc.open_end}
                      for k, (name, tc) in enumerate(zip(self.type_names, self.types, strict=True)) if k != PHONE},
        }


__all__ = ["Collector", "Histogram", "RequestSink"]
