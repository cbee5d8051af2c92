"""Entities: the things the model's processes make and move, as plain data with named states.

A **call** (:class:`Call`) and a back-office **task** (:class:`Task`) are made by the demand processes
(:mod:`sim.core.demand`) and by the dispatcher (callbacks, minutes); a **secretary** (:class:`Secretary`) and the
**group** (:class:`Group`) whose queues she shares are built from the config by :mod:`sim.core.organisation`. The
dispatcher (:mod:`sim.core.dispatch`) changes their states, the statistics (:mod:`sim.core.metrics`) read them, and the
request log (:mod:`sim.data.request_log`) writes them out. A **meeting** has no record of its own: it is the
department and the minute-taker of its timeout in the dispatcher, and, while she finishes a call first, her
``meeting_end``, ``meeting_dept`` and ``meeting_start``.

This module sits below every process and imports none of them, so that the processes need not import each
other for their data. Times are minutes since midnight of day 0 (a Monday).

The states are module-level ``Final`` ints rather than an ``Enum``: the compiled build (mypyc) inlines them as
C constants, and a secretary's statistics index a list by her state (``SecCounts.busy[CALL]``).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Final

import simpy

#: Call states.
WAITING: Final = 0
ANSWERED: Final = 1
ABANDONED: Final = 2
AFTER_HOURS: Final = 3

#: Request type indices: phone calls, callbacks (voicemails), then the task types of the config in order, then
#: minutes (when there are meetings).
PHONE: Final = 0
CALLBACK: Final = 1
FIRST_TASK_TYPE: Final = 2  # the config's first task type

#: Secretary states; a secretary's statistics are kept per state, in this order.
IDLE: Final = 0
CALL: Final = 1
TASK: Final = 2
MEETING: Final = 3
OFF: Final = 4
#: The states' names in the event log, indexed by state.
STATE_NAMES: Final = ("idle", "call", "task", "meeting", "absent")
#: The busy states: on a call, on a task, in a meeting (taking the minutes).
BUSY_STATES: Final = (CALL, TASK, MEETING)


class Call:
    """One phone call."""

    __slots__ = (
        "dept", "group", "external", "arrival", "talk", "patience", "custom", "callback", "callback_work",
        "measured", "own_absent", "state", "overflowed", "forwarded", "end",
    )
    group: Group  # set by the dispatcher as the call arrives

    def __init__(self, dept: int, external: bool, arrival: float, talk: float, patience: float,
                 custom: bool, callback: bool, callback_work: float) -> None:
        self.dept = dept
        self.external = external
        self.arrival = arrival
        self.talk = talk
        self.patience = patience
        self.custom = custom
        self.callback = callback
        self.callback_work = callback_work
        self.measured = False
        self.own_absent = False
        self.state = WAITING
        self.overflowed = False
        self.forwarded = False  # rang the forwarding's ring_seconds unanswered: its buddies may answer it
        self.end = math.inf  # when the conversation ends, set as it is answered (for the request log)


class Task:
    """One back-office request. ``work`` is the remaining work in minutes at the client's own secretary's pace."""

    __slots__ = ("type", "dept", "group", "arrival", "work", "custom", "preferred", "due", "measured",
                 "own_absent", "seq", "held", "start", "busy", "by")
    group: Group  # set by the dispatcher as the task arrives

    def __init__(self, type_: int, dept: int, arrival: float, work: float, custom: bool, due: float,
                 preferred: int = -1) -> None:
        self.type = type_
        self.dept = dept
        self.arrival = arrival
        self.work = work
        self.custom = custom
        self.preferred = preferred  # a secretary's index for minutes she took; -1: the department's own
        self.due = due
        self.measured = False
        self.own_absent = False
        self.seq = 0  # arrival order, set by the dispatcher
        self.held = False  # waiting for the client's own secretary (custom work; see the dispatcher)
        # for the request log: first start, minutes worked on it, and the index of the secretary who finished it
        self.start = math.inf
        self.busy = 0.0
        self.by = -1

    def __lt__(self, other: Task) -> bool:
        """The order of the task queues (heaps): earliest due first, then first come."""
        return self.due < other.due or (self.due == other.due and self.seq < other.seq)


class Secretary:
    """A secretary at run time: her state, her current job and the personal work she holds."""

    __slots__ = (
        "index", "name", "cluster", "group", "primary", "serves", "state", "since", "job", "job_event",
        "job_factor", "job_custom", "personal", "leaving", "meeting_end", "meeting_dept", "meeting_start", "detail",
        "present_since", "off_reason", "pace", "may", "restricted", "can", "phone", "covers", "weekdays",
        "shift_start", "rostered",
    )

    def __init__(self, index: int, name: str, cluster: str, primary: frozenset[int]) -> None:
        self.index = index
        self.name = name
        self.cluster = cluster
        self.group: Group = None  # type: ignore[assignment]
        self.primary = primary  # her own departments
        self.serves: frozenset[int] = frozenset()  # departments she may serve (for coverage)
        self.state = OFF
        self.since = 0.0  # start of the current state
        self.job: Call | Task | None = None
        self.job_event: simpy.Event | None = None
        self.job_factor = 1.0
        self.job_custom = False  # whether the current call or task is custom work (for the realised split)
        self.personal: list[Task] = []  # heap, earliest due first: paused work, minutes she took
        self.leaving = ""  # reason to go off duty as soon as the current call or meeting ends
        self.meeting_end = -1.0  # a meeting she must join after her current call
        self.meeting_dept = -1
        self.meeting_start = 0.0
        self.detail = ""  # what the current job is (for the event log)
        self.present_since = 0.0
        self.off_reason = "start"
        self.pace: list[float] = []  # work-time factor per request type index (her skills)
        # departments of her group whose work she may take: all of them in a cluster, her own ones in a
        # decentralised group that several departments share through a secretary who serves more than one
        self.may: frozenset[int] = frozenset()
        self.restricted = False  # True when ``may`` is not her whole group or ``can`` is not every type
        self.can: list[bool] = []  # per request type index: her competences
        self.phone = True  # she may answer calls
        self.covers: list[int] = []  # departments she covers as a buddy (decentralised)
        self.weekdays: frozenset[int] = frozenset()  # weekdays she works (0 = Monday)
        self.shift_start = 0.0  # clock minute her working day starts
        # at her desk by her roster (absence, lunch, shrinkage, hours), whether or not a call keeps her longer
        self.rostered = False

    def may_do(self, task: Task) -> bool:
        return not self.restricted or (task.dept in self.may and self.can[task.type])

    def __repr__(self) -> str:
        return f"Secretary({self.name!r}, {STATE_NAMES[self.state]})"


def is_own(sec: Secretary, dept: int, preferred: int = -1) -> bool:
    """Whether ``sec`` is the client's own secretary for a request of ``dept``: the one it prefers (``preferred``
    >= 0: minutes go to the secretary who took them), else one of the department's own secretaries.

    The one rule behind both the custom-work penalty (:mod:`sim.core.dispatch`) and continuity
    (:mod:`sim.core.metrics`).
    """
    return sec.index == preferred if preferred >= 0 else dept in sec.primary


class Group:
    """Secretaries sharing one queue of calls and one set of task queues (one per department)."""

    __slots__ = ("index", "name", "departments", "secretaries", "calls", "n_calls", "tasks", "n_tasks", "held",
                 "n_held", "idle", "on_task", "helpers", "helps")

    def __init__(self, index: int, name: str, departments: list[int]) -> None:
        self.index = index
        self.name = name
        self.departments = departments
        self.secretaries: list[Secretary] = []
        self.calls: deque[Call] = deque()  # FIFO; answered or abandoned calls are skipped lazily
        self.n_calls = 0  # calls really waiting
        self.tasks: dict[int, list[Task]] = {d: [] for d in departments}  # heaps, earliest due first
        self.n_tasks = 0
        # custom tasks held for the department's own secretaries (heaps; released ones are skipped lazily)
        self.held: dict[int, list[Task]] = {d: [] for d in departments}
        self.n_held = 0
        self.idle: dict[Secretary, None] = {}  # ordered set: longest idle first
        self.on_task: dict[Secretary, None] = {}  # doing back-office work, so a call may interrupt her
        self.helpers: list[Group] = []  # groups whose secretaries may take this group's work
        self.helps: list[Group] = []  # groups this group's secretaries may help


__all__ = [
    "ABANDONED", "AFTER_HOURS", "ANSWERED", "BUSY_STATES", "CALL", "CALLBACK", "FIRST_TASK_TYPE", "IDLE", "MEETING",
    "OFF", "PHONE", "STATE_NAMES", "TASK", "WAITING", "Call", "Group", "Secretary", "Task", "is_own",
]
