"""Metrics, computed while the model runs: counters, time integrals and histograms, each updated in O(1).

Nothing here keeps a record per request, so memory does not grow with the horizon. Only requests that arrive
in the measured window (after the warm-up) count; time integrals are clipped to that window. This module only
counts, event by event (it is compiled); the KPIs and tables are built from the counts once, at the end of a
run, by :mod:`sim.core.kpi_tables`.

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
  may serve it; ``coverage_min_department`` is the worst department's own share. The per-department table also
  has ``coverage_rostered``: the same by the roster alone (absence, lunch, shrinkage, hours), leaving out a
  secretary kept past the start of her break by a call, so that its expectation follows from the roster
  without simulating (the control variate of :mod:`sim.decisions.staffing.control`).
- **service_level.<type>**: requests done within their norm / (done + still open past their norm); for
  ``phone`` it is the reachability. Lead times are wall-clock hours from arrival to done, and (``*_working_hours``)
  working hours, the unit of the norms.
- **utilisation**: busy time (calls, tasks, meetings) / present time, per secretary, cluster and overall.
- **interruptions_per_hour**: back-office tasks interrupted by a call, per present hour.
- **continuity**: custom requests handled (calls answered, tasks done) by the department's own secretary (for
  minutes: the one who took them) / custom requests handled; ``continuity_all`` the same over all requests:
  the cost side of pooling.
- per department, **tasks_within_norm**: its back-office tasks (callbacks left out: an abandoned call is judged
  once, as a call) done within their norm / (done + open past their norm); calls are judged apart
  (``reachability``, ``calls_abandoned``), whereas ``within_norm`` pools calls and all tasks.
- **custom_share_requests**, **custom_share_work**: the realised custom (maatwerk) share of the measured
  requests by count, and of the busy time on calls and tasks (the article: 30-40% custom).
- **meetings_uncovered**: meetings without minutes (nobody could take them, or the one it waited for could
  not join before it ended) / meetings; every meeting is held with minutes, missed or uncovered, once.
- **fte**, **cost_per_year**: from the secretaries' hours and the cost of one FTE.
"""

from __future__ import annotations

import math
from typing import Any, Final, Protocol

from sim.core.calendar import WHOLE_DAY, WorkCalendar, add_by_hour, hour_of_day
from sim.core.entities import CALL, CALLBACK, STATE_NAMES, TASK, Call, Group, Secretary, Task, is_own

HOURS: Final = 24

#: Histogram bins (see :class:`Histogram`), as module constants so that compiled code reads them directly.
_LOW: Final = 0.01
_RATIO: Final = 1.02
_BINS: Final = 1300
_LOG_RATIO: Final = math.log(_RATIO)


class Histogram:
    """A fixed log-binned histogram of positive values (minutes) for quantiles and ECDFs.

    Bins grow by 2% from 0.01 minutes, so a quantile is exact to within 2%: bin i >= 1 holds
    (0.01 x 1.02^(i-1), 0.01 x 1.02^i] minutes, and zero (anything up to 0.01) goes into bin 0. Ten years is
    passed at bin 1015; the top bin (1299) ends at 0.01 x 1.02^1299 = 1.5e9 minutes, about 2,800 years, and
    holds anything longer too.
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
        self.counts[i] = self.counts[i] + 1  # not +=: compiled, += on a list item is a generic call
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
                 "covered", "rostered_count", "rostered_covered", "meetings_uncovered", "meetings_held",
                 "meetings_missed", "meetings",
                 "custom_done", "custom_own", "done", "done_own", "tasks", "tasks_within")

    def __init__(self) -> None:
        self.calls = CallCounts()
        self.requests = 0  # measured requests of all kinds, done (or answered, abandoned) or open past the norm
        self.requests_within = 0
        self.rep_n = 0  # requests arriving while none of the department's own secretaries is present
        self.rep_within = 0
        self.serve_count = 0  # present secretaries who may serve the department
        self.own_count = 0  # present secretaries of its own
        self.covered = 0.0  # opening minutes with someone present to serve it
        self.rostered_count = 0  # secretaries who may serve it and are at work by their roster
        self.rostered_covered = 0.0  # opening minutes with one of them (a call run over a break not counted)
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
        # back-office tasks of the department, callbacks left out (an abandoned call is judged once, as a
        # call): done or open past the norm, and those done within it
        self.tasks = 0
        self.tasks_within = 0


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
SLOTS: Final = WHOLE_DAY // SLOT_MINUTES


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
    return int(t) % WHOLE_DAY // SLOT_MINUTES


class SecCounts:
    """One secretary's time."""

    __slots__ = ("busy", "busy_by_hour", "present", "present_by_hour", "interruptions")

    def __init__(self) -> None:
        self.busy = [0.0] * len(STATE_NAMES)  # minutes by state (sim.core.entities); only the BUSY_STATES are filled
        self.busy_by_hour = [0.0] * HOURS
        self.present = 0.0
        self.present_by_hour = [0.0] * HOURS
        self.interruptions = 0


class RequestSink(Protocol):
    """Where finished requests go, one at a time, when a request log is asked for (:mod:`sim.data.request_log`).

    Every request of the run is delivered once, warm-up included: a call as it is answered (``t`` the moment
    of answering, ``sec`` who answered), abandoned or after hours (``t`` the moment it ended), a task as it is
    done (``t`` the moment), a meeting as it begins or is found uncovered (``sec`` -1), and whatever is still
    open at the end of the run (``t`` the end)."""

    def call(self, call: Call, outcome: str, t: float, sec: int) -> None: ...
    def task(self, task: Task, outcome: str, t: float) -> None: ...
    def meeting(self, dept: int, start: float, join: float, end: float, sec: int, outcome: str) -> None: ...


class OrganisationView(Protocol):
    """What the statistics read of the organisation (a :class:`sim.core.organisation.Organisation`): who and what
    there is to count. Only its shape, so that the statistics depend on the entities, not on the module that
    builds the organisation."""

    dept_names: list[str]
    groups: list[Group]
    secretaries: list[Secretary]


class Collector:
    """All statistics of one replication."""

    def __init__(self, org: OrganisationView, cal: WorkCalendar, type_names: list[str], phone_norm_minutes: float,
                 start: float, end: float, requests: RequestSink | None = None) -> None:
        self.org = org
        self.requests = requests  # the request log, if one is asked for (None: no cost beyond this test)
        self.cal = cal
        self.type_names = type_names
        self.norm = phone_norm_minutes
        self.t0 = start
        self.t_end = end
        self.hours = [CallCounts() for _ in range(HOURS)]  # calls by hour of arrival
        self.internal = CallCounts()  # calls by caller: from inside the municipality
        self.external = CallCounts()  # and from outside
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
            caller = self.external if call.external else self.internal
            caller.offered += 1
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
        own = is_own(sec, call.dept)
        dept.done += 1
        dept.done_own += own
        if call.custom:
            dept.custom_done += 1
            dept.custom_own += own
        if within:
            hour.within += 1
            dept.calls.within += 1
            caller = self.external if call.external else self.internal
            caller.within += 1
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
        caller = self.external if call.external else self.internal
        caller.abandoned += 1
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
        work = self.cal.open_minutes(task.arrival, now)
        tc.lead_work += work
        tc.work_hist.add(work)
        dept = self.depts[task.dept]
        dept.requests += 1
        own = is_own(sec, task.dept, task.preferred)
        dept.done += 1
        dept.done_own += own
        if task.custom:
            dept.custom_done += 1
            dept.custom_own += own
        if within:
            tc.within += 1
            dept.requests_within += 1
        if k != CALLBACK:
            dept.tasks += 1
            dept.tasks_within += within
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
        s.busy[state] = s.busy[state] + (end - start)  # not += (see Histogram.add)
        if state in (CALL, TASK):  # calls and tasks (not meetings) make the realised split by work time
            self.work_all += end - start
            if custom:
                self.work_custom += end - start
        if state == CALL:  # on a call: by half hour, for the per-interval table
            slots = self.slots
            t = start
            while t < end:  # the half hours it spans (a loop, not a generator: see sim.core.calendar.add_by_hour)
                nxt = min(end, (t // SLOT_MINUTES + 1) * SLOT_MINUTES)
                slots[slot_of_day(t)].call_busy += nxt - t
                t = nxt
        hours = s.busy_by_hour
        if end - start <= (int(start) // 60 + 1) * 60 - start:  # within one clock hour: the common case
            h = hour_of_day(start)
            hours[h] = hours[h] + (end - start)
        else:
            add_by_hour(hours, start, end)

    def present_time(self, sec: Secretary, start: float, end: float) -> None:
        if end <= self.t0:
            return
        start = max(start, self.t0)
        s = self.secs[sec.index]
        s.present += end - start
        add_by_hour(s.present_by_hour, start, end)
        slots = self.slots
        t = start
        while t < end:  # the half hours it spans (a loop, not a generator: see sim.core.calendar.add_by_hour)
            nxt = min(end, (t // SLOT_MINUTES + 1) * SLOT_MINUTES)
            slots[slot_of_day(t)].present += nxt - t
            t = nxt

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

    def rostered(self, sec: Secretary, delta: int, now: float) -> None:
        """A secretary's roster brings her (+1) or takes her away (-1), whether or not she is still on a
        call: update coverage first, then the counts (the control variate of sim.decisions.staffing.control)."""
        self._coverage_until(now)
        depts = self.depts
        for d in sec.serves:
            depts[d].rostered_count += delta

    def _coverage_until(self, now: float) -> None:
        start = max(self.cov_last, self.t0)
        self.cov_last = now
        if now <= start:
            return
        open_minutes = self.cal.open_minutes(start, now)
        if open_minutes <= 0:
            return
        self.open_time += open_minutes
        everyone = True
        for dept in self.depts:
            if dept.serve_count > 0:
                dept.covered += open_minutes
            else:
                everyone = False
            if dept.rostered_count > 0:
                dept.rostered_covered += open_minutes
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
                    if req.type != CALLBACK:
                        dept.tasks += 1
                    if req.own_absent:
                        dept.rep_n += 1


__all__ = ["Collector", "Histogram", "RequestSink"]
