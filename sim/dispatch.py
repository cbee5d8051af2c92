"""Dispatch: who takes which request, when, and how clusters exchange work.

The dispatcher is the one place that decides. It reacts to four kinds of moments: a call arrives, a task
arrives, a secretary becomes free (a job ends, she comes on duty), and a waiting call or a long queue passes
an exchange threshold. A free secretary chooses, in this order:

1. the oldest waiting call of her own group;
2. with ``overflow`` exchange, the oldest call of a group she helps that has rung longer than the threshold;
3. her personal work (a task a call interrupted, minutes she took), earliest due first;
4. a task of her group, earliest due first, her own departments' tasks before the others';
5. with ``idle`` exchange and nothing left in her own group: calls, then tasks, of the groups she helps;
   with ``overflow`` exchange: tasks of a helped group whose queue is longer than the threshold.

Calls preempt back-office work (``calls: preempt``): the interrupted task's remaining work is kept and she
resumes it after the call. With ``calls: reserve`` nothing is interrupted, but a secretary starts back-office
work only while more than ``reserve_free`` colleagues of her group stay idle for calls (Bhulai & Koole 2003).

Custom work (maatwerk) takes ``custom_penalty`` times longer when someone other than the department's own
secretary (or, for minutes, the one who took them) does it.

Jobs are SimPy timeouts with a callback rather than processes: a preempted job's timeout is simply
disowned (its secretary's ``job_event`` no longer points at it), which keeps interruptions O(1).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from typing import cast

import simpy
from simpy.events import Timeout

from sim.calendar import WorkCalendar
from sim.config import Dispatch
from sim.demand import ABANDONED, AFTER_HOURS, ANSWERED, CALLBACK, PHONE, WAITING, Call, Task
from sim.metrics import Collector
from sim.organisation import CALL, IDLE, MEETING, OFF, STATE_NAMES, TASK, Group, Organisation, Secretary

EventLog = Callable[[float, float, str, str, str], None]


class Dispatcher:
    """Assigns calls, tasks and meetings to secretaries under one dispatch policy."""

    def __init__(self, env: simpy.Environment, org: Organisation, conf: Dispatch, cal: WorkCalendar,
                 metrics: Collector, type_names: list[str], callback_norm_minutes: float,
                 writing_per_minute: float, minutes_norm_minutes: float, minutes_type: int,
                 log: EventLog | None = None) -> None:
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
        self.callback_norm = callback_norm_minutes
        self.writing_per_minute = writing_per_minute
        self.minutes_norm = minutes_norm_minutes
        self.minutes_type = minutes_type
        self.log = log
        self._seq = 0  # arrival order of tasks (ties of due dates go to the first come)
        # each secretary's job callbacks, made once rather than a new bound method per job; they carry the
        # secretary, so a job's timeout needs no value
        self._on_call_done: list[Callable[[simpy.Event], None]] = [
            functools.partial(self._call_done, sec) for sec in org.secretaries]
        self._on_task_done: list[Callable[[simpy.Event], None]] = [
            functools.partial(self._task_done, sec) for sec in org.secretaries]

    # ------------------------------------------------------------------------------------------- arrivals
    def call_arrives(self, call: Call) -> None:
        g = self.org.group_of_dept[call.dept]
        call.group = g
        now = self.env.now
        m = self.metrics
        if not self.cal.is_open(now):
            call.state = AFTER_HOURS
            m.call_after_hours(call)
            if call.callback:
                self._callback(call, now)
            return
        m.call_offered(call)
        sec = self._first_idle(g)
        if sec is None and self.idle_help:
            sec = self._idle_in(g.helpers)
        if sec is None and self.preempt and g.on_task:
            sec = self._first_on_task(g)
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

    def task_arrives(self, task: Task) -> None:
        self._task_arrives(task, self.env.now)

    def _task_arrives(self, task: Task, now: float) -> None:
        g = self.org.group_of_dept[task.dept]
        task.group = g
        self._seq += 1
        task.seq = self._seq
        self.metrics.task_arrived(task)
        self._place(task, now)

    def _place(self, task: Task, now: float) -> None:
        """Give a task to an idle secretary who may take it, or queue it in its group."""
        g = task.group
        sec = self._idle_for_task(g, task)
        if sec is None and g.helpers and (
                self.idle_help or (self.overflow and g.n_tasks + 1 > self.queue_threshold)):
            for h in g.helpers:
                sec = self._idle_for_task(h, task)
                if sec is not None:
                    break
        if sec is not None:
            self._start_task(sec, task, now)
        else:
            self._enqueue(g, task)

    def meeting_starts(self, dept: int, duration: float) -> None:
        """A department meeting begins: one secretary takes the minutes, preferably its own."""
        g = self.org.group_of_dept[dept]
        now = self.env.now
        candidates = [s for s in g.secretaries if dept in s.primary]
        candidates += [s for s in g.secretaries if dept not in s.primary]
        on_call = None
        for sec in candidates:
            if sec.meeting_end >= 0 or sec.state == OFF:
                continue
            if sec.state in (IDLE, TASK):
                self._start_meeting(sec, dept, now + duration, now)
                return
            if sec.state == CALL and on_call is None:
                on_call = sec
        if on_call is not None:  # she joins when her call ends
            on_call.meeting_end = now + duration
            on_call.meeting_dept = dept
            return
        self.metrics.meeting_uncovered(dept, now)

    # ---------------------------------------------------------------------------------------- presence
    def come_on(self, sec: Secretary) -> None:
        if sec.state != OFF:
            # her break came and went while she finished a call or meeting: she never left
            sec.leaving = ""
            return
        now = self.env.now
        sec.present_since = now
        self.metrics.presence(sec, +1, now)
        self._next_work(sec, now)  # every path leaves OFF through _set_state, which closes the absence

    def go_off(self, sec: Secretary, reason: str, hand_over: bool) -> None:
        now = self.env.now
        if sec.state == OFF:
            if reason != sec.off_reason:
                self._set_state(sec, OFF, now)  # a new kind of absence begins (for the event log)
                sec.off_reason = reason
        elif sec.state in (CALL, MEETING):
            sec.leaving = reason  # she finishes the call or meeting first
        else:
            self._leave(sec, reason, now)
        if hand_over:
            self._hand_over(sec, now)

    def _leave(self, sec: Secretary, reason: str, now: float) -> None:
        if sec.meeting_end >= 0:  # she was to join a meeting after her call, but her day ends first
            sec.meeting_end = -1.0
            self.metrics.meeting_uncovered(sec.meeting_dept, now)
        self._pause(sec, now)
        self._set_state(sec, OFF, now)
        sec.off_reason = reason
        sec.leaving = ""
        self.metrics.presence(sec, -1, now)
        self.metrics.present_time(sec, sec.present_since, now)

    def _hand_over(self, sec: Secretary, now: float) -> None:
        """An absent secretary's personal work goes back to her group (replaceability)."""
        while sec.personal:
            self._place(heappop(sec.personal), now)

    # ------------------------------------------------------------------------------------------ choosing
    def _first_idle(self, g: Group) -> Secretary | None:
        for sec in g.idle:
            return sec
        return None

    def _idle_in(self, groups: list[Group]) -> Secretary | None:
        for h in groups:
            for sec in h.idle:
                return sec
        return None

    def _first_on_task(self, g: Group) -> Secretary | None:
        for sec in g.on_task:
            return sec
        return None

    def _idle_for_task(self, g: Group, task: Task) -> Secretary | None:
        """An idle secretary of ``g`` allowed to start back-office work, the client's own one if possible."""
        if len(g.idle) <= self.reserve:
            return None
        if task.custom:
            for sec in g.idle:
                if task.dept in sec.primary:
                    return sec
        for sec in g.idle:
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
                self._start_meeting(sec, sec.meeting_dept, end, now)
                return
        job = self._choose(sec)
        if job is None:
            if sec.state != IDLE:
                self._set_state(sec, IDLE, now)
        elif isinstance(job, Call):
            self._answer(sec, job, now, queued=True)
        else:
            self._start_task(sec, job, now)

    def _choose(self, sec: Secretary) -> Call | Task | None:
        """The next job of a free secretary, in the order of the module docstring."""
        g = sec.group
        if g.n_calls:
            return self._pop_call(g)
        if self.overflow:
            for h in g.helps:
                head = self._head(h)
                if head is not None and head.overflowed:
                    return self._pop_call(h)
        if sec.personal:
            return heappop(sec.personal)
        # reserve policy: back-office work only while enough colleagues stay idle for calls
        if self.reserve and len(g.idle) - (1 if sec in g.idle else 0) < self.reserve:
            return None
        if g.n_tasks:
            return self._pop_task(g, sec)
        best = None
        if self.idle_help:  # nothing left in her own group: help others, calls first
            for h in g.helps:
                if h.n_calls:
                    return self._pop_call(h)
            best = self._best_task_group(g.helps, 0)
        elif self.overflow:
            best = self._best_task_group(g.helps, self.queue_threshold)
        return self._pop_task(best, sec) if best is not None else None

    def _best_task_group(self, groups: list[Group], threshold: int) -> Group | None:
        best, best_due = None, math.inf
        for h in groups:
            if h.n_tasks > threshold:
                for heap in h.tasks.values():
                    if heap and heap[0].due < best_due:
                        best, best_due = h, heap[0].due
        return best

    def _pop_task(self, g: Group, sec: Secretary) -> Task:
        """Earliest-due task of ``g``, from her own departments first."""
        best: list[Task] | None = None
        for d in sec.primary:
            heap = g.tasks.get(d)
            if heap and (best is None or heap[0] < best[0]):
                best = heap
        if best is None:
            for heap in g.tasks.values():
                if heap and (best is None or heap[0] < best[0]):
                    best = heap
        assert best is not None
        task = heappop(best)
        g.n_tasks -= 1
        return task

    # ---------------------------------------------------------------------------------------------- calls
    def _head(self, g: Group) -> Call | None:
        calls = g.calls
        while calls and calls[0].state != WAITING:
            calls.popleft()
        return calls[0] if calls else None

    def _pop_call(self, g: Group) -> Call | None:
        if not g.n_calls:
            return None
        call = self._head(g)
        if call is not None:
            g.calls.popleft()
        return call

    def _answer(self, sec: Secretary, call: Call, now: float, queued: bool) -> None:
        if queued:
            g = call.group
            g.n_calls -= 1
            self.metrics.calls_waiting(g.index, -1, now)
        call.state = ANSWERED
        if sec.state == TASK and self._pause(sec, now):  # most calls find her idle: skip the call to _pause
            self.metrics.interruption(sec)
        factor = sec.pace[PHONE] * (self.penalty if call.custom and call.dept not in sec.primary else 1.0)
        call.end = now + call.talk * factor  # request log
        # at least 0: a call's arrival time and the clock it arrives at may differ in the last bit
        self.metrics.call_answered(call, max(0.0, now - call.arrival), sec)
        self._set_state(sec, CALL, now)
        sec.job = call
        sec.detail = "phone"
        ev = Timeout(self.env, call.talk * factor)
        ev.callbacks.append(self._on_call_done[sec.index])
        sec.job_event = ev

    def _call_done(self, sec: Secretary, ev: simpy.Event) -> None:
        sec.job = None
        sec.job_event = None
        self._next_work(sec, self.env.now)

    def _abandon(self, ev: simpy.Event) -> None:
        call = cast(Call, ev.value)
        if call.state != WAITING:
            return
        call.state = ABANDONED
        g = call.group
        g.n_calls -= 1
        now = self.env.now
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
        sec = self._idle_in(g.helpers)
        if sec is None and self.preempt:
            for h in g.helpers:
                sec = self._first_on_task(h)
                if sec is not None:
                    break
        if sec is not None:
            self._answer(sec, call, self.env.now, queued=True)

    def _callback(self, call: Call, now: float) -> None:
        task = Task(CALLBACK, call.dept, now, call.callback_work, call.custom,
                    self.cal.add_working_time(now, self.callback_norm))
        self._task_arrives(task, now)

    # ---------------------------------------------------------------------------------------------- tasks
    def _enqueue(self, g: Group, task: Task) -> None:
        heappush(g.tasks[task.dept], task)
        g.n_tasks += 1

    def _start_task(self, sec: Secretary, task: Task, now: float) -> None:
        factor = sec.pace[task.type]
        if task.custom and (sec.index != task.preferred if task.preferred >= 0 else task.dept not in sec.primary):
            factor *= self.penalty
        self._set_state(sec, TASK, now)
        task.start = min(task.start, now)  # request log: the first start
        sec.job = task
        sec.job_factor = factor
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
        now = self.env.now
        task.busy += now - sec.since  # request log
        task.by = sec.index  # request log
        self.metrics.task_done(task, now)
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
    def _start_meeting(self, sec: Secretary, dept: int, end: float, now: float) -> None:
        self._pause(sec, now)
        self._set_state(sec, MEETING, now)
        self.metrics.meeting_held(dept, now, sec.index, end)
        sec.detail = f"minutes {self.org.dept_names[dept]}"
        ev = Timeout(self.env, end - now, (sec, dept))
        ev.callbacks.append(self._meeting_done)
        sec.job_event = ev

    def _meeting_done(self, ev: simpy.Event) -> None:
        sec, dept = cast(tuple[Secretary, int], ev.value)
        now = self.env.now
        length = now - sec.since
        sec.job_event = None
        if self.writing_per_minute > 0:
            task = Task(self.minutes_type, dept, now, length * self.writing_per_minute, True,
                        self.cal.add_working_time(now, self.minutes_norm), preferred=sec.index)
            task.group = sec.group
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
            self.metrics.busy(sec, old, sec.since, now)
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
        """Every request still open at the end: waiting calls, queued, personal and interrupted tasks,
        and tasks in progress."""
        for g in self.org.groups:
            for call in g.calls:
                if call.state == WAITING:
                    yield call
            for heap in g.tasks.values():
                yield from heap
        for sec in self.org.secretaries:
            yield from sec.personal
            if sec.state == TASK and isinstance(sec.job, Task):
                yield sec.job

    def close(self) -> None:
        """Close every secretary's open intervals at the end of the run."""
        now = self.env.now
        for sec in self.org.secretaries:
            if self.log is not None and now > sec.since:  # the event log covers every secretary to the end
                self.log(sec.since, now, sec.name, STATE_NAMES[sec.state],
                         sec.detail if sec.state in (CALL, TASK, MEETING) else
                         (sec.off_reason if sec.state == OFF else ""))
            if sec.state != OFF:
                if sec.state != IDLE:
                    self.metrics.busy(sec, sec.state, sec.since, now)
                self.metrics.present_time(sec, sec.present_since, now)
