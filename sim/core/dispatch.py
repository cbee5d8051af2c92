"""Dispatch: who takes which request, when, and how clusters exchange work.

The dispatcher is the one place that decides. It reacts to the moments when a call arrives, a task arrives,
a secretary becomes free (a job ends, she comes on duty), a secretary leaves, a waiting call or a long queue
passes an exchange threshold, and a held custom task reaches its release time.

**Ownership first.** Every department has its own secretaries (her ``departments`` in the config). A call
rings first at the department's own idle secretaries, then at the rest of the group (a cluster, or the
departments that share a secretary when decentralised), then as the exchange policy allows. Custom work
(maatwerk) waits for the client's own secretary: it is *held* for her while she is present (lunch and
shrinkage blocks are brief absences) or expected back by her weekly pattern before ``custom_hold_share`` of its
norm (working time) has passed; then, or as soon as none of its own secretaries is expected in time (ill, on
leave: no known end), anyone who may take it does, at ``custom_penalty`` times the work. Standard work
goes to whoever is free, own departments first.

**Buddy cover** (decentralised, ``organisation.cover``) forwards a department's phone to its buddies, the
secretaries of the department that covers it, by ``organisation.forwarding.on``: ``absent``, while none of its
own secretaries is present; ``busy``, also when a call arrives that nobody of its group (nor a helping cluster)
can take at once, i.e. it would queue; ``no_answer``, busy and also when a waiting call has rung
``ring_seconds`` unanswered: an idle buddy (or, with ``calls: preempt``, one at back-office work) takes it then,
and a buddy who becomes free later takes it after her own group's waiting calls. The buddies always come after
everyone who could take the call before. Back-office work goes to buddies only while none of the department's
own secretaries is back today, whatever the forwarding.

**A free secretary** chooses, in this order:

1. a waiting call she may answer: her own group's oldest, then (``idle`` exchange) any call of a group she
   helps, (``overflow``) a helped group's call that has rung longer than ``ring_seconds``, and (buddy cover)
   a call of a department she covers while none of its own secretaries is present or (``forwarding.on:
   no_answer``) that has rung longer than the forwarding's ``ring_seconds``. A ringing phone comes before any
   back-office work;
2. her personal work (a task a call interrupted, minutes she took), earliest due first;
3. a task of her group, earliest due first: her own departments' tasks (including those held for her)
   before the others' open tasks;
4. with ``idle`` exchange: open tasks of the groups she helps; with ``overflow``: those of a helped group
   whose queue is longer than ``queue_threshold``; as a buddy: open tasks of a department she covers while
   none of its own secretaries is back today.

**Calls preempt** back-office work (``calls: preempt``): an arriving call interrupts, in this order, an own
secretary of the department, anyone of the group, a helper of another cluster (under ``idle`` exchange) or
a buddy (while the department's own secretaries are all absent; forwarded on busy or no answer, when nobody
before her could take it); the interrupted task's remaining work is kept and she resumes it after the call.
With ``calls: reserve`` nothing is interrupted, but a secretary starts back-office work only while more than
``reserve_free`` colleagues of her group stay idle for calls (Bhulai & Koole 2003).

**Competences**: a secretary only takes the request types she may do (``competences``); minute-taking needs
``minutes``.

**Nothing stranded**: a secretary who falls ill or goes on leave hands all her personal work back to her
group; at the end of her working day she hands back what would miss its norm before her next working day
(days off of part-timers). A meeting is held with minutes (a secretary takes them, possibly joining after
her call), missed (the secretary it waited for could not join before it ended) or uncovered (nobody could).

Jobs are SimPy timeouts with a callback rather than processes: a preempted job's timeout is simply
disowned (its secretary's ``job_event`` no longer points at it), which keeps interruptions O(1).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from heapq import heapify, heappop, heappush
from typing import cast

import simpy
from simpy.events import Timeout

from sim.config import Dispatch, Forwarding
from sim.core.calendar import MINUTES_PER_DAY, WorkCalendar, day_of
from sim.core.entities import (
    ABANDONED,
    AFTER_HOURS,
    ANSWERED,
    CALL,
    CALLBACK,
    IDLE,
    MEETING,
    OFF,
    PHONE,
    STATE_NAMES,
    TASK,
    WAITING,
    Call,
    Group,
    Secretary,
    Task,
    is_own,
)
from sim.core.metrics import Collector
from sim.core.organisation import Organisation

EventLog = Callable[[float, float, str, str, str], None]

#: Days ahead the dispatcher looks for a secretary's next working day (two weeks cover any weekly pattern).
_LOOKAHEAD_DAYS = 14
#: Absences within her working day (lunch, shrinkage blocks): she is back within the hour, so work held for
#: her stays held and nothing of hers is handed back.
_BRIEF = ("lunch", "shrinkage")
#: The config's default forwarding, for a dispatcher made without one.
_FORWARDING = Forwarding()


def clock(env: simpy.Environment) -> float:
    """The simulation clock, ``env.now``.

    It reads SimPy's private ``_now``, what the public ``now`` property returns: compiled code calls a Python
    property through the interpreter, about 600 instructions, and the dispatcher reads the clock once for
    nearly every event (about 2% of a run). The one place the dispatcher touches SimPy's internals (see also
    :func:`sim.core.model.events_scheduled` and :func:`sim.core.organisation.roster_timeout`);
    ``tests/test_compiled.py`` checks that it agrees with ``env.now``.
    """
    return env._now


def _take(heap: list[Task], i: int) -> Task:
    """Remove and return item ``i`` of a heap."""
    if i == 0:
        return heappop(heap)
    task = heap[i]
    last = heap.pop()
    if i < len(heap):
        heap[i] = last
        heapify(heap)
    return task


class Dispatcher:
    """Assigns calls, tasks and meetings to secretaries under one dispatch policy."""

    def __init__(self, env: simpy.Environment, org: Organisation, conf: Dispatch, cal: WorkCalendar,
                 metrics: Collector, type_names: list[str], callback_norm_minutes: float,
                 writing_per_minute: float, minutes_norm_minutes: float, minutes_type: int,
                 log: EventLog | None = None, forwarding: Forwarding = _FORWARDING) -> None:
        self.env = env
        self.org = org
        self.cal = cal
        self.metrics = metrics
        self.type_names = type_names
        policy = conf.exchange.policy
        self.idle_help = policy == "idle"
        self.overflow = policy == "overflow"
        self.ring = conf.exchange.ring_seconds / 60.0
        self.queue_threshold = conf.exchange.queue_threshold
        self.preempt = conf.calls == "preempt"
        self.reserve = 0 if self.preempt else conf.reserve_free
        self.penalty = conf.custom_penalty
        self.hold = conf.custom_hold_share
        self.callback_norm = callback_norm_minutes
        self.writing_per_minute = writing_per_minute
        self.minutes_norm = minutes_norm_minutes
        self.minutes_type = minutes_type
        self.log = log
        self._seq = 0  # arrival order of tasks (ties of due dates go to the first come)
        self.own_present = [0] * len(org.dept_names)  # present own secretaries per department
        self.any_cover = any(org.buddies)
        # forwarding beyond absence: only where there are buddies, so that without them nothing changes
        self.forward_busy = self.any_cover and forwarding.on != "absent"
        self.forward_ring = self.any_cover and forwarding.on == "no_answer"
        self.cover_ring = forwarding.ring_seconds / 60.0
        # whether anyone but its own secretaries may take a department's work (else holding is pointless:
        # a decentralised department without a buddy)
        self.others_may: list[bool] = [
            bool(org.buddies[d]) or bool(org.group_of_dept[d].helpers)
            or any(d in s.may and d not in s.primary for s in org.group_of_dept[d].secretaries)
            for d in range(len(org.dept_names))]
        # each secretary's job callbacks, made once rather than a new bound method per job; they carry the
        # secretary, so a job's timeout needs no value
        self._on_call_done: list[Callable[[simpy.Event], None]] = [
            functools.partial(self._call_done, sec) for sec in org.secretaries]
        self._on_task_done: list[Callable[[simpy.Event], None]] = [
            functools.partial(self._task_done, sec) for sec in org.secretaries]

    # ------------------------------------------------------------------------------------------- arrivals
    def call_arrives(self, call: Call) -> None:
        d = call.dept
        g = self.org.group_of_dept[d]
        call.group = g
        now = clock(self.env)
        m = self.metrics
        if not self.cal.is_open(now):
            call.state = AFTER_HOURS
            m.call_after_hours(call)
            if call.callback:
                self._callback(call, now)
            return
        m.call_offered(call)
        sec = self._caller_in(g.idle, d)
        if self.preempt and call.custom and (sec is None or d not in sec.primary):
            # custom work is for the client's own secretary: her back-office work waits for her department's call
            own = self._caller_in(g.on_task, d, own_only=True)
            if own is not None:
                sec = own
        if sec is None and self.idle_help and g.helpers:
            sec = self._helper_for_call(g.helpers, IDLE)
        covered = self.any_cover and self.own_present[d] == 0
        if sec is None and covered:
            sec = self._buddy_for_call(d, IDLE)
        if sec is None and self.preempt:
            sec = self._caller_in(g.on_task, d)
            if sec is None and self.idle_help and g.helpers:
                sec = self._helper_for_call(g.helpers, TASK)
            if sec is None and covered:
                sec = self._buddy_for_call(d, TASK)
        if sec is None and self.forward_busy and not covered and self.org.buddies[d]:
            # forwarded on busy: nobody who may serve the department can take it now
            sec = self._buddy_for_call(d, IDLE)
            if sec is None and self.preempt:
                sec = self._buddy_for_call(d, TASK)
        if sec is not None:
            self._answer(sec, call, now, queued=False)
            return
        g.calls.append(call)
        g.n_calls += 1
        m.calls_waiting(g.index, 1, now)
        if call.patience < math.inf:
            ev = Timeout(self.env, call.patience, call)
            ev.callbacks.append(self._abandon)
        if self.overflow and g.helpers:
            ev = Timeout(self.env, self.ring, call)
            ev.callbacks.append(self._overflow_call)
        if self.forward_ring and self.org.buddies[d]:
            ev = Timeout(self.env, self.cover_ring, call)
            ev.callbacks.append(self._forward_call)

    def task_arrives(self, task: Task) -> None:
        self._task_arrives(task, clock(self.env))

    def _task_arrives(self, task: Task, now: float) -> None:
        g = self.org.group_of_dept[task.dept]
        task.group = g
        self._seq += 1
        task.seq = self._seq
        self.metrics.task_arrived(task)
        self._place(task, now)

    def _place(self, task: Task, now: float) -> None:
        """Give a task to its own secretary if she is idle, hold custom work for her, or give it to an idle
        secretary who may take it, or queue it in its group."""
        if task.custom:
            sec = self._idle_owner(task)
            if sec is not None:
                self._start_task(sec, task, now)
                return
            if self._hold_for_owner(task, now):
                return
        self._place_open(task, now)

    def _place_open(self, task: Task, now: float) -> None:
        g = task.group
        sec = self._idle_for_task(g, task)
        if sec is None and g.helpers and (
                self.idle_help or (self.overflow and g.n_tasks + 1 > self.queue_threshold)):
            for h in g.helpers:
                sec = self._idle_helper_for_task(h, task)
                if sec is not None:
                    break
        if sec is None and self.any_cover and self.org.buddies[task.dept] \
                and not self._owner_back_today(task.dept, now, task.type):
            for b in self.org.buddies[task.dept]:
                if b.state == IDLE and b.can[task.type] and len(b.group.idle) > self.reserve:
                    sec = b
                    break
        if sec is not None:
            self._start_task(sec, task, now)
        else:
            heappush(g.tasks[task.dept], task)
            g.n_tasks += 1

    def meeting_starts(self, dept: int, duration: float) -> None:
        """A department meeting begins: one secretary takes the minutes, preferably its own."""
        g = self.org.group_of_dept[dept]
        now = clock(self.env)
        self.metrics.meeting_started(dept, now)
        mt = self.minutes_type
        able = [s for s in g.secretaries if dept in s.may and (mt < 0 or s.can[mt])]
        candidates = [s for s in able if dept in s.primary] + [s for s in able if dept not in s.primary]
        on_call = None
        for sec in candidates:
            if sec.meeting_end >= 0 or sec.state == OFF:
                continue
            if sec.state in (IDLE, TASK):
                self._start_meeting(sec, dept, now + duration, now, now)
                return
            if sec.state == CALL and on_call is None:
                on_call = sec
        if on_call is not None:  # she joins when her call ends
            on_call.meeting_end = now + duration
            on_call.meeting_dept = dept
            on_call.meeting_start = now
            return
        self.metrics.meeting_uncovered(dept, now)

    # ---------------------------------------------------------------------------------------- presence
    def come_on(self, sec: Secretary) -> None:
        if not sec.rostered:
            sec.rostered = True
            self.metrics.rostered(sec, +1, clock(self.env))
        if sec.state != OFF:
            # her break came and went while she finished a call or meeting: she never left
            sec.leaving = ""
            return
        now = clock(self.env)
        sec.present_since = now
        self.metrics.presence(sec, +1, now)
        for d in sec.primary:
            self.own_present[d] += 1
        self._next_work(sec, now)  # every path leaves OFF through _set_state, which closes the absence

    def go_off(self, sec: Secretary, reason: str, hand_over: bool) -> None:
        now = clock(self.env)
        if sec.rostered:
            sec.rostered = False
            self.metrics.rostered(sec, -1, now)
        if sec.state == OFF:
            if reason != sec.off_reason:
                self._set_state(sec, OFF, now)  # a new kind of absence begins (for the event log)
                sec.off_reason = reason
                self._owner_gone(sec, now)
        elif sec.state in (CALL, MEETING):
            sec.leaving = reason  # she finishes the call or meeting first
        else:
            self._leave(sec, reason, now)
        if hand_over:
            self._hand_over(sec, now)

    def _leave(self, sec: Secretary, reason: str, now: float) -> None:
        if sec.meeting_end >= 0:  # she was to join a meeting after her call, but her day ends first
            self.metrics.meeting_missed(sec.meeting_dept, sec.meeting_start, sec.meeting_end)
            sec.meeting_end = -1.0
        self._pause(sec, now)
        self._set_state(sec, OFF, now)
        sec.off_reason = reason
        sec.leaving = ""
        self.metrics.presence(sec, -1, now)
        self.metrics.present_time(sec, sec.present_since, now)
        for d in sec.primary:
            self.own_present[d] -= 1
        if reason == "off duty" and sec.personal:
            self._hand_back(sec, now, self._next_return(sec, now))
        self._owner_gone(sec, now)

    def _owner_gone(self, sec: Secretary, now: float) -> None:
        """One of a department's own secretaries left: release custom work held for her department if none of
        them is back today, and let buddies take over the phone (and the work) of a department left alone."""
        for d in sec.primary:
            g = self.org.group_of_dept[d]
            if g.n_held and sec.off_reason not in _BRIEF:
                self._release_held(g, d, now)
            if self.own_present[d] == 0 and self.org.buddies[d]:
                for b in self.org.buddies[d]:
                    if b.state == IDLE:
                        self._next_work(b, now)

    def _hand_over(self, sec: Secretary, now: float) -> None:
        """An absent secretary's personal work goes back to her group (replaceability)."""
        while sec.personal:
            self._place(heappop(sec.personal), now)

    def _hand_back(self, sec: Secretary, now: float, back: float) -> None:
        """At the end of her day: hand back the personal work that would miss its norm before she is back."""
        keep = [t for t in sec.personal if t.due >= back + t.work]
        if len(keep) == len(sec.personal):
            return
        leave = [t for t in sec.personal if t.due < back + t.work]
        heapify(keep)
        sec.personal = keep
        for task in sorted(leave):
            self._place(task, now)

    def _next_return(self, sec: Secretary, now: float) -> float:
        """The start of her next working day after today, by her weekly pattern (absences cannot be known)."""
        day = day_of(now)
        for k in range(1, _LOOKAHEAD_DAYS + 1):
            d = day + k
            if d % 7 in sec.weekdays and self.cal.is_working_day(d):
                return d * MINUTES_PER_DAY + sec.shift_start
        return math.inf

    def _back_at(self, s: Secretary, now: float) -> float:
        """When she is at work again: -inf if present or briefly away (lunch, shrinkage), her shift start later
        today, the start of her next working day by her weekly pattern, or inf when ill or on leave (no known
        end)."""
        if s.state != OFF or s.off_reason in _BRIEF:
            return -math.inf
        reason = s.off_reason
        if reason == "off duty" or reason == "start":
            day = day_of(now)
            if now - day * MINUTES_PER_DAY < s.shift_start and day % 7 in s.weekdays and self.cal.is_working_day(day):
                return day * MINUTES_PER_DAY + s.shift_start
            return self._next_return(s, now)
        if reason == "day off":
            return self._next_return(s, now)
        return math.inf

    def _owner_expected(self, dept: int, now: float, type_: int, until: float) -> bool:
        """Whether one of ``dept``'s own secretaries (able to do ``type_``, if it is >= 0) is at work, or back
        before ``until``."""
        return any((type_ < 0 or s.can[type_]) and self._back_at(s, now) < until for s in self.org.owners[dept])

    def _owner_back_today(self, dept: int, now: float, type_: int = -1) -> bool:
        return self._owner_expected(dept, now, type_, (day_of(now) + 1) * MINUTES_PER_DAY)

    # ------------------------------------------------------------------------------------ custom work held
    def _idle_owner(self, task: Task) -> Secretary | None:
        """The client's own secretary, if she is idle and may start back-office work."""
        g = task.group
        if task.preferred >= 0:
            sec = self.org.secretaries[task.preferred]
            if sec.state == IDLE and len(sec.group.idle) > self.reserve:
                return sec
            return None
        if len(g.idle) <= self.reserve:
            return None
        for sec in g.idle:
            if task.dept in sec.primary and sec.can[task.type]:
                return sec
        return None

    def _release_time(self, task: Task) -> float:
        """When held custom work goes to anyone: ``custom_hold_share`` of its norm after its arrival."""
        norm = self.cal.open_minutes(task.arrival, task.due)
        return self.cal.add_working_time(task.arrival, self.hold * norm)

    def _hold_for_owner(self, task: Task, now: float) -> bool:
        """Hold custom work for the department's own secretaries if one of them is present or expected back
        before its release time (``custom_hold_share`` of its norm after its arrival, in working time)."""
        if self.hold <= 0 or task.preferred >= 0 or not self.others_may[task.dept]:
            return False
        release = self._release_time(task)
        if release <= now or not self._owner_expected(task.dept, now, task.type, release):
            return False
        g = task.group
        task.held = True
        heappush(g.held[task.dept], task)
        g.n_held += 1
        ev = Timeout(self.env, release - now, task)
        ev.callbacks.append(self._release_due)
        return True

    def _release_due(self, ev: simpy.Event) -> None:
        task = cast(Task, ev.value)
        if task.held:
            self._unhold(task)
            self._place_open(task, clock(self.env))

    def _unhold(self, task: Task) -> None:
        task.held = False  # its entry in the held heap is now stale and skipped
        task.group.n_held -= 1

    def _release_held(self, g: Group, dept: int, now: float) -> None:
        """Release the work held for ``dept``'s own secretaries that none of them will be back for in time."""
        heap = g.held[dept]
        live = [t for t in heap if t.held]
        gone = [t for t in live if not self._owner_expected(dept, now, t.type, self._release_time(t))]
        if not gone:
            return
        g.held[dept] = [t for t in live if t.held and t not in gone]
        heapify(g.held[dept])
        for task in sorted(gone):
            self._unhold(task)
            self._place_open(task, now)

    # ------------------------------------------------------------------------------------------ choosing
    @staticmethod
    def _caller_in(secs: dict[Secretary, None], d: int, own_only: bool = False) -> Secretary | None:
        """A secretary of ``secs`` (a group's idle or on-task set) who may answer ``d``'s calls: one of the
        department's own first; with ``own_only``, only one of its own."""
        first = None
        for sec in secs:
            if sec.restricted and (not sec.phone or d not in sec.may):
                continue
            if d in sec.primary:
                return sec
            if first is None:
                first = sec
        return None if own_only else first

    @staticmethod
    def _helper_for_call(groups: list[Group], state: int) -> Secretary | None:
        """An idle (or, with ``state`` TASK, a back-office) secretary of the helping groups."""
        for h in groups:
            for sec in (h.idle if state == IDLE else h.on_task):
                if sec.phone:
                    return sec
        return None

    def _buddy_for_call(self, d: int, state: int) -> Secretary | None:
        for sec in self.org.buddies[d]:
            if sec.state == state and sec.phone:
                return sec
        return None

    def _idle_for_task(self, g: Group, task: Task) -> Secretary | None:
        """An idle secretary of ``g`` allowed to start back-office work, the client's own one if possible."""
        if len(g.idle) <= self.reserve:
            return None
        first = None
        for sec in g.idle:
            if sec.restricted and not sec.may_do(task):
                continue
            if not task.custom or task.dept in sec.primary:
                return sec
            if first is None:
                first = sec
        return first

    def _idle_helper_for_task(self, h: Group, task: Task) -> Secretary | None:
        if len(h.idle) <= self.reserve:
            return None
        for sec in h.idle:
            if sec.can[task.type]:
                return sec
        return None

    def _next_work(self, sec: Secretary, now: float) -> None:
        """``sec`` is free at ``now``: go off if due, join a pending meeting, or take the next job, or wait
        idle."""
        if sec.leaving:
            self._leave(sec, sec.leaving, now)
            return
        if sec.meeting_end >= 0:
            end = sec.meeting_end
            sec.meeting_end = -1.0
            if end > now:
                self._start_meeting(sec, sec.meeting_dept, end, now, sec.meeting_start)
                return
            self.metrics.meeting_missed(sec.meeting_dept, sec.meeting_start, end)  # her call outlasted it
        job = self._choose(sec, now)
        if job is None:
            if sec.state != IDLE:
                self._set_state(sec, IDLE, now)
        elif isinstance(job, Call):
            self._answer(sec, job, now, queued=True)
        else:
            self._start_task(sec, job, now)

    def _choose(self, sec: Secretary, now: float) -> Call | Task | None:
        """The next job of a free secretary, in the order of the module docstring."""
        g = sec.group
        if sec.phone:
            if g.n_calls:
                call = self._pop_call(g, sec)
                if call is not None:
                    return call
            if self.idle_help:
                for h in g.helps:
                    if h.n_calls:
                        return self._pop_call(h, None)
            elif self.overflow:
                for h in g.helps:
                    head = self._head(h)
                    if head is not None and head.overflowed:
                        return self._pop_call(h, None)
            for d in sec.covers:
                if self.own_present[d] == 0:
                    cg = self.org.group_of_dept[d]
                    if cg.n_calls:
                        call = self._waiting_call_of(cg, d)
                        if call is not None:
                            return call
                elif self.forward_ring:
                    cg = self.org.group_of_dept[d]
                    if cg.n_calls:
                        # the department's oldest waiting call: if it has not rung long enough, no later one has
                        call = self._waiting_call_of(cg, d)
                        if call is not None and call.forwarded:
                            return call
        if sec.personal:
            return heappop(sec.personal)
        # reserve policy: back-office work only while enough colleagues stay idle for calls
        if self.reserve and len(g.idle) - (1 if sec in g.idle else 0) < self.reserve:
            return None
        if g.n_tasks or g.n_held:
            task = self._pop_task(g, sec)
            if task is not None:
                return task
        if self.idle_help:  # nothing left in her own group: help others
            task = self._help_task(g.helps, 0, sec)
            if task is not None:
                return task
        elif self.overflow:
            task = self._help_task(g.helps, self.queue_threshold, sec)
            if task is not None:
                return task
        for d in sec.covers:
            cg = self.org.group_of_dept[d]
            heap = cg.tasks[d]
            if heap and not self._owner_back_today(d, now):
                i = self._first_able(heap, sec)
                if i >= 0:
                    cg.n_tasks -= 1
                    return _take(heap, i)
        return None

    @staticmethod
    def _first_able(heap: list[Task], sec: Secretary) -> int:
        """Index of the earliest-due task of ``heap`` of a type she may do, or -1."""
        if not heap:
            return -1
        if sec.can[heap[0].type]:
            return 0
        best = -1
        for i, t in enumerate(heap):
            if sec.can[t.type] and (best < 0 or t < heap[best]):
                best = i
        return best

    def _pop_task(self, g: Group, sec: Secretary) -> Task | None:
        """Earliest-due task of ``g`` she may take: her own departments' (open or held for them) first."""
        best: list[Task] | None = None
        bi = -1
        for d in sec.primary:
            heap = g.tasks.get(d)
            if heap is None:
                continue  # a department of hers outside her group (a home cluster named apart)
            i = self._first_able(heap, sec) if sec.restricted else (0 if heap else -1)
            if i >= 0 and (best is None or heap[i] < best[bi]):
                best, bi = heap, i
            held = g.held[d]
            while held and not held[0].held:  # released entries
                heappop(held)
            i = self._first_held(held, sec) if sec.restricted else (0 if held else -1)
            if i >= 0 and (best is None or held[i] < best[bi]):
                best, bi = held, i
        if best is None and g.n_tasks:
            for d, heap in g.tasks.items():
                if not heap or (sec.restricted and d not in sec.may):
                    continue
                i = self._first_able(heap, sec) if sec.restricted else 0
                if i >= 0 and (best is None or heap[i] < best[bi]):
                    best, bi = heap, i
        if best is None:
            return None
        task = _take(best, bi)
        if task.held:
            self._unhold(task)
        else:
            g.n_tasks -= 1
        return task

    @staticmethod
    def _first_held(heap: list[Task], sec: Secretary) -> int:
        best = -1
        for i, t in enumerate(heap):
            if t.held and sec.can[t.type] and (best < 0 or t < heap[best]):
                best = i
        return best

    def _help_task(self, groups: list[Group], threshold: int, sec: Secretary) -> Task | None:
        """The earliest-due open task she may do among the groups she helps whose queue exceeds
        ``threshold``."""
        best: list[Task] | None = None
        bi = -1
        best_g: Group | None = None
        for h in groups:
            if h.n_tasks > threshold:
                for heap in h.tasks.values():
                    i = self._first_able(heap, sec) if sec.restricted else (0 if heap else -1)
                    if i >= 0 and (best is None or heap[i] < best[bi]):
                        best, bi, best_g = heap, i, h
        if best is None or best_g is None:
            return None
        best_g.n_tasks -= 1
        return _take(best, bi)

    # ---------------------------------------------------------------------------------------------- calls
    def _head(self, g: Group) -> Call | None:
        calls = g.calls
        while calls and calls[0].state != WAITING:
            calls.popleft()
        return calls[0] if calls else None

    def _pop_call(self, g: Group, sec: Secretary | None) -> Call | None:
        """The oldest waiting call of ``g`` that ``sec`` may answer (any, for ``None``)."""
        if not g.n_calls:
            return None
        if sec is not None and sec.restricted and len(g.departments) > 1:
            for waiting in g.calls:
                if waiting.state == WAITING and waiting.dept in sec.may:
                    return waiting  # left in the queue, skipped lazily once answered
            return None
        call = self._head(g)
        if call is not None:
            g.calls.popleft()
        return call

    @staticmethod
    def _waiting_call_of(g: Group, d: int) -> Call | None:
        for call in g.calls:
            if call.state == WAITING and call.dept == d:
                return call
        return None

    def _answer(self, sec: Secretary, call: Call, now: float, queued: bool) -> None:
        if queued:
            g = call.group
            g.n_calls -= 1
            self.metrics.calls_waiting(g.index, -1, now)
        call.state = ANSWERED
        if sec.state == TASK and self._pause(sec, now):  # most calls find her idle: skip the call to _pause
            self.metrics.interruption(sec)
        factor = self._work_factor(sec, PHONE, call.custom, call.dept, -1)
        call.end = now + call.talk * factor  # request log
        # at least 0: a call's arrival time and the clock it arrives at may differ in the last bit
        self.metrics.call_answered(call, max(0.0, now - call.arrival), sec)
        self._set_state(sec, CALL, now)
        sec.job = call
        sec.job_custom = call.custom
        sec.detail = "phone"
        ev = Timeout(self.env, call.talk * factor)
        ev.callbacks.append(self._on_call_done[sec.index])
        sec.job_event = ev

    def _work_factor(self, sec: Secretary, type_: int, custom: bool, dept: int, preferred: int) -> float:
        """Her work time per minute of a request's work: her pace for its type, times ``custom_penalty`` for
        custom work (maatwerk) of a client who is not her own (:func:`sim.core.entities.is_own`). The one rule for
        calls and tasks."""
        factor = sec.pace[type_]
        if custom and not is_own(sec, dept, preferred):
            factor *= self.penalty
        return factor

    def _call_done(self, sec: Secretary, ev: simpy.Event) -> None:
        sec.job = None
        sec.job_event = None
        self._next_work(sec, clock(self.env))

    def _abandon(self, ev: simpy.Event) -> None:
        call = cast(Call, ev.value)
        if call.state != WAITING:
            return
        call.state = ABANDONED
        g = call.group
        g.n_calls -= 1
        now = clock(self.env)
        self.metrics.calls_waiting(g.index, -1, now)
        self.metrics.call_abandoned(call, now - call.arrival)
        if call.callback:
            self._callback(call, now)

    def _overflow_call(self, ev: simpy.Event) -> None:
        call = cast(Call, ev.value)
        if call.state != WAITING:
            return
        call.overflowed = True
        g: Group = call.group
        sec = self._helper_for_call(g.helpers, IDLE)
        if sec is None and self.preempt:
            sec = self._helper_for_call(g.helpers, TASK)
        if sec is not None:
            self._answer(sec, call, clock(self.env), queued=True)

    def _forward_call(self, ev: simpy.Event) -> None:
        """A waiting call has rung the forwarding's ``ring_seconds`` unanswered: its buddies may answer it."""
        call = cast(Call, ev.value)
        if call.state != WAITING:
            return
        call.forwarded = True
        sec = self._buddy_for_call(call.dept, IDLE)
        if sec is None and self.preempt:
            sec = self._buddy_for_call(call.dept, TASK)
        if sec is not None:
            self._answer(sec, call, clock(self.env), queued=True)

    def _callback(self, call: Call, now: float) -> None:
        task = Task(CALLBACK, call.dept, now, call.callback_work, call.custom,
                    self.cal.add_working_time(now, self.callback_norm))
        self._task_arrives(task, now)

    # ---------------------------------------------------------------------------------------------- tasks
    def _start_task(self, sec: Secretary, task: Task, now: float) -> None:
        factor = self._work_factor(sec, task.type, task.custom, task.dept, task.preferred)
        self._set_state(sec, TASK, now)
        task.start = min(task.start, now)  # request log: the first start
        sec.job = task
        sec.job_factor = factor
        sec.job_custom = task.custom
        sec.detail = self.type_names[task.type]
        ev = Timeout(self.env, task.work * factor)
        ev.callbacks.append(self._on_task_done[sec.index])
        sec.job_event = ev

    def _task_done(self, sec: Secretary, ev: simpy.Event) -> None:
        if sec.job_event is not ev:
            return  # the task was interrupted; this timeout is stale
        task = sec.job
        assert isinstance(task, Task)
        task.work = 0.0
        sec.job = None
        sec.job_event = None
        now = clock(self.env)
        task.busy += now - sec.since  # request log
        task.by = sec.index  # request log
        self.metrics.task_done(task, now, sec)
        self._next_work(sec, now)

    def _pause(self, sec: Secretary, now: float) -> bool:
        """Interrupt her task, if she is in the middle of one: the remaining work goes to her personal queue,
        to be resumed first. Returns whether there was a task to interrupt."""
        task = sec.job
        if sec.state != TASK or not isinstance(task, Task):
            return False
        done = (now - sec.since) / sec.job_factor
        task.busy += now - sec.since  # request log
        task.work = max(0.0, task.work - done)
        heappush(sec.personal, task)
        sec.job = None
        sec.job_event = None
        return True

    # -------------------------------------------------------------------------------------------- meetings
    def _start_meeting(self, sec: Secretary, dept: int, end: float, now: float, start: float) -> None:
        self._pause(sec, now)
        self._set_state(sec, MEETING, now)
        self.metrics.meeting_held(dept, start, now, sec.index, end)
        sec.detail = f"minutes {self.org.dept_names[dept]}"
        ev = Timeout(self.env, end - now, (sec, dept))
        ev.callbacks.append(self._meeting_done)
        sec.job_event = ev

    def _meeting_done(self, ev: simpy.Event) -> None:
        sec, dept = cast(tuple[Secretary, int], ev.value)
        now = clock(self.env)
        length = now - sec.since
        sec.job_event = None
        if self.writing_per_minute > 0:
            task = Task(self.minutes_type, dept, now, length * self.writing_per_minute, True,
                        self.cal.add_working_time(now, self.minutes_norm), preferred=sec.index)
            task.group = self.org.group_of_dept[dept]
            self._seq += 1
            task.seq = self._seq
            self.metrics.task_arrived(task)
            heappush(sec.personal, task)
        self._next_work(sec, now)

    # --------------------------------------------------------------------------------------------- states
    def _set_state(self, sec: Secretary, new: int, now: float) -> None:
        """Move ``sec`` to state ``new`` at ``now``, closing the interval of her old state for the statistics."""
        old = sec.state
        g = sec.group
        if old == IDLE:
            del g.idle[sec]
        elif old == TASK:
            del g.on_task[sec]
        if old != OFF and old != IDLE:
            self.metrics.busy(sec, old, sec.since, now, sec.job_custom)
        if self.log is not None and now > sec.since:
            self.log(sec.since, now, sec.name, STATE_NAMES[old],
                     sec.detail if old in (CALL, TASK, MEETING) else (sec.off_reason if old == OFF else ""))
        if new == IDLE:
            g.idle[sec] = None
        elif new == TASK:
            g.on_task[sec] = None
        sec.state = new
        sec.since = now

    # ---------------------------------------------------------------------------------------------- end
    def open_requests(self) -> Iterator[Call | Task]:
        """Every request still open at the end: waiting calls, queued, held, personal and interrupted tasks,
        and tasks in progress."""
        for g in self.org.groups:
            for call in g.calls:
                if call.state == WAITING:
                    yield call
            for heap in g.tasks.values():
                yield from heap
            for heap in g.held.values():
                yield from (t for t in heap if t.held)
        for sec in self.org.secretaries:
            yield from sec.personal
            if sec.state == TASK and isinstance(sec.job, Task):
                yield sec.job

    def close(self) -> None:
        """Close every secretary's open intervals at the end of the run."""
        now = clock(self.env)
        for sec in self.org.secretaries:
            if self.log is not None and now > sec.since:  # the event log covers every secretary to the end
                self.log(sec.since, now, sec.name, STATE_NAMES[sec.state],
                         sec.detail if sec.state in (CALL, TASK, MEETING) else
                         (sec.off_reason if sec.state == OFF else ""))
            if sec.state != OFF:
                if sec.state != IDLE:
                    self.metrics.busy(sec, sec.state, sec.since, now, sec.job_custom)
                self.metrics.present_time(sec, sec.present_since, now)
