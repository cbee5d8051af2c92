"""The organisation: departments, secretaries, the groups they work in, and when they are present.

A *group* is the unit that shares a queue. In the **decentralised** setup each department is a group served
only by its own secretaries. In the **central** setup each cluster is a group serving several departments,
and task exchange (see :mod:`sim.core.dispatch`) lets groups help each other; with the ``pool`` policy the whole
secretariat is one group and the clusters are only where people sit. Who may serve whom is derived once from
the scenario (:class:`sim.config.network.Network`); this module makes it runtime objects.

Presence follows each secretary's working pattern (days, hours, lunch) and **absence**: sickness as random
episodes of whole working days (default 6% of working time, A&O fonds Gemeenten), planned leave in blocks,
and part-timers' days off. A secretary who falls ill or goes on leave hands her personal work back to her
group: that is what replaceability (vervangbaarheid) measures.

The runtime records of a secretary and a group, with the secretary's states, are entities
(:class:`~sim.core.entities.Secretary`, :class:`~sim.core.entities.Group`, in :mod:`sim.core.entities`); this module
builds them from the config and runs each secretary's roster.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, Final, Protocol

import simpy
from simpy.events import URGENT

from sim.config import Network, Scenario, clock_minutes
from sim.core.calendar import MINUTES_PER_DAY, WorkCalendar, morning_work, work_to_clock
from sim.core.entities import Group, Secretary
from sim.core.streams import Stream

#: Working days in a year, for turning yearly rates into daily ones (52 weeks of 5 days).
WORKING_DAYS_PER_YEAR: Final = 260.0


class Organisation:
    """Departments, secretaries and groups of one scenario, built from its config."""

    def __init__(self, scenario: Scenario) -> None:
        org = scenario.organisation
        cal = scenario.calendar
        # who may serve whom, derived once from the scenario (sim.config.network); here made runtime objects
        net = Network.of(scenario)
        self.dept_names = list(net.departments)
        self.secretaries = [Secretary(i, name, net.homes[i], net.primary[i])
                            for i, name in enumerate(net.secretaries)]
        self.groups = [Group(g, name, list(depts))
                       for g, (name, depts) in enumerate(zip(net.group_names, net.group_departments, strict=True))]
        for g in self.groups:
            g.helpers = [self.groups[h] for h in net.helpers[g.index]]
            g.helps = [self.groups[h] for h in net.helps[g.index]]
        for sec in self.secretaries:
            sec.group = self.groups[net.group_of_secretary[sec.index]]
            sec.may = net.may[sec.index]
            sec.covers = list(net.covers[sec.index])
            sec.serves = net.serves[sec.index]
        type_names = scenario.demand.type_names()
        for sec, conf in zip(self.secretaries, org.secretaries, strict=True):
            sec.pace = [conf.skills.get(name, 1.0) for name in type_names]
            allowed = set(conf.competences) if conf.competences is not None else set(type_names)
            sec.can = [name in allowed for name in type_names]
            sec.phone = "phone" in allowed
            sec.restricted = sec.may != frozenset(sec.group.departments) or not all(sec.can)
            sec.weekdays = conf.weekday_numbers(cal)
            sec.shift_start = conf.shift_minutes(cal)[0]
        for sec in self.secretaries:
            sec.group.secretaries.append(sec)
        self.group_of_dept: list[Group] = [self.groups[g] for g in net.group_of_department()]
        #: each department's own secretaries (for calls that ring at them first, and custom work held for them)
        self.owners: list[list[Secretary]] = [[self.secretaries[i] for i in own] for own in net.owners]
        #: each department's buddies (decentralised cover)
        self.buddies: list[list[Secretary]] = [[self.secretaries[i] for i in bud] for bud in net.buddies]

    def clusters(self) -> list[str]:
        seen: dict[str, None] = {}
        for sec in self.secretaries:
            seen[sec.cluster] = None
        return list(seen)


class Presence(Protocol):
    """What the roster tells the dispatcher."""

    def come_on(self, sec: Secretary) -> None: ...
    def go_off(self, sec: Secretary, reason: str, hand_over: bool) -> None: ...


def roster_timeout(env: simpy.Environment, now: float, until: float) -> simpy.Event:
    """A timeout from ``now`` (the clock) to ``until`` that fires before the ordinary events of the same moment.

    Rosters are half-open intervals: at 12:30 a secretary whose lunch starts then is at lunch, and at 13:00
    one whose lunch ends then is back. So her presence changes come before the calls, tasks and meetings
    arriving at that very moment; otherwise a meeting starting on the half hour could take her away from the
    lunch that starts with it, depending only on the order in which the two events were scheduled.

    It is an already triggered event scheduled at URGENT instead of NORMAL priority (what ``Timeout`` does at
    NORMAL); a function rather than a ``Timeout`` subclass, so the compiled build lays out no class of its own
    over SimPy's. Its value is the moment it fires, ``now + (until - now)`` as SimPy itself sums it, so that the
    roster keeps its clock (``now = yield roster_timeout(...)``) without reading ``env.now``, a Python property
    call, after every wait.

    The one place the model sets SimPy's private ``_ok`` and ``_value``: SimPy's public API has no way to
    trigger an event at a priority and a delay of one's choosing (``Event.succeed()`` schedules it now, at
    NORMAL; ``env.schedule`` is public but takes only an already triggered event, and triggering is private).
    ``env.timeout(delay)`` in its place changes the results of every shipped config (the order of same-moment
    events above), so this stays; it is what ``Timeout.__init__`` itself does.
    """
    delay = until - now
    event = simpy.Event(env)
    event._ok = True  # triggered, successfully: as Timeout.__init__ does
    event._value = now + delay
    env.schedule(event, URGENT, delay)
    return event


def shrinkage_layout(work_minutes: float, share: float, block_minutes: float) -> tuple[int, float, float]:
    """How a day's shrinkage is cut: (n blocks, slot length, block length) in minutes of working time; n = 0
    without shrinkage. :func:`shrinkage_blocks` places a block in each slot; sim.decisions.staffing.control reads the
    same layout for the chance of being away."""
    total = share * work_minutes
    if total <= 0:
        return 0, work_minutes, 0.0
    n = max(1, round(total / block_minutes))
    return n, work_minutes / n, total / n


def absence_rates(scenario: Scenario) -> tuple[float, float, float, float]:
    """The absence chain of :func:`roster`: (p_sick, q_sick, leave_share, p_leave): the chance a free secretary
    falls ill at the start of a day, that an episode goes on another day (geometric episodes with mean
    share x 260 / episodes_per_year), the share of days on leave, and the chance a free one starts a block of
    leave (when she did not fall ill)."""
    sick = scenario.absence.sickness
    leave = scenario.absence.leave
    mean_sick = max(1.0, sick.share * WORKING_DAYS_PER_YEAR / sick.episodes_per_fte_year)
    p_sick = 0.0 if sick.share <= 0 else 1.0 / (mean_sick * (1 - sick.share) / sick.share)
    leave_share = min(leave.days_per_year / WORKING_DAYS_PER_YEAR, 0.99)
    p_leave = 0.0 if leave_share <= 0 else 1.0 / (leave.block_days * (1 - leave_share) / leave_share)
    return p_sick, 1.0 - 1.0 / mean_sick, leave_share, p_leave


def shrinkage_blocks(work_minutes: float, share: float, block_minutes: float,
                     stream: Stream) -> list[tuple[float, float]]:
    """A day's blocks of unavailable time (shrinkage), as (begin, end) in minutes of working time (lunch
    excluded) from the start of her day: ``share`` of ``work_minutes`` in n blocks of about ``block_minutes``,
    one placed uniformly at random in each of n equal slots (so they never overlap). n draws a day."""
    n, slot, length = shrinkage_layout(work_minutes, share, block_minutes)
    return [(k * slot + u * (slot - length), k * slot + u * (slot - length) + length)
            for k, u in ((k, stream.random()) for k in range(n))]


def roster(env: simpy.Environment, scenario: Scenario, i: int, sec: Secretary, cal: WorkCalendar,
           stream: Stream, presence: Presence, shrink_stream: Stream) -> Generator[simpy.Event, Any, None]:
    """One secretary's working days: sick, on leave, a day off, or at work with a lunch break.

    Sickness: a healthy secretary falls ill at the start of a working day with probability p; an episode lasts
    a geometric number of working days with mean D = share x 260 / episodes_per_year, and p follows from the
    share: share = D / (D + 1/p). Leave: blocks of ``block_days`` with the yearly number of days. The run
    starts in the stationary state (ill with probability share, with a memoryless rest of the episode).
    Shrinkage (``absence.shrinkage``): on a day at work she is also away in blocks (:func:`shrinkage_blocks`,
    drawn from ``shrink_stream``), reason "shrinkage", keeping her personal work.
    """
    conf = scenario.organisation.secretaries[i]
    sick = scenario.absence.sickness
    leave = scenario.absence.leave
    days = conf.weekday_numbers(scenario.calendar)
    start, end = conf.shift_minutes(scenario.calendar)
    lunch = clock_minutes(conf.lunch_start)
    lunch_end = lunch + conf.lunch_minutes

    p_sick, q_sick, leave_share, p_leave = absence_rates(scenario)  # q_sick: an episode goes on another day

    def episode() -> int:
        if q_sick <= 0:
            return 1
        return 1 + int(math.log(1.0 - stream.random()) / math.log(q_sick))

    sick_left = leave_left = 0
    if stream.random() < sick.share:
        sick_left = episode()
    elif stream.random() < leave_share:
        leave_left = 1 + stream.integers(0, leave.block_days)

    work_days = cal.working_days()
    # round the clock on consecutive days (validation cases): she stays on duty across midnight
    continuous = start == 0 and end == MINUTES_PER_DAY and conf.lunch_minutes == 0
    shrink = scenario.absence.shrinkage
    shrinking = shrink.share > 0  # (absence.shrinkage.share 0 turns it off; the stream is always given)
    if shrinking:
        continuous = False
    on_duty = False
    now = env.now  # this process's clock, kept by roster_timeout
    for n, day in enumerate(work_days):
        base = day * MINUTES_PER_DAY
        if base > now:
            now = yield roster_timeout(env, now, base)
        u_sick, u_leave = stream.random(), stream.random()  # two draws a day whatever happens: stable streams
        if sick_left == 0 and leave_left == 0:
            if u_sick < p_sick:
                sick_left = episode()
                presence.go_off(sec, "sick", True)
            elif u_leave < p_leave:
                leave_left = leave.block_days
                presence.go_off(sec, "leave", True)
        if sick_left > 0:
            sick_left -= 1
            presence.go_off(sec, "sick", False)
            continue
        if leave_left > 0:
            leave_left -= 1
            presence.go_off(sec, "leave", False)
            continue
        if day % 7 not in days:
            presence.go_off(sec, "day off", False)
            continue
        if not on_duty:
            now = yield roster_timeout(env, now, base + start)
            presence.come_on(sec)
            on_duty = True
        if continuous and n + 1 < len(work_days) and work_days[n + 1] == day + 1 and (day + 1) % 7 in days \
                and p_sick == 0 and p_leave == 0:
            continue
        if shrinking:
            for begin, finish, reason in _day_breaks(start, end, lunch, conf.lunch_minutes, shrink.share,
                                                     shrink.block_minutes, shrink_stream):
                if begin > now - base:
                    now = yield roster_timeout(env, now, base + begin)
                presence.go_off(sec, reason, False)
                now = yield roster_timeout(env, now, base + finish)
                presence.come_on(sec)
        elif conf.lunch_minutes > 0:
            now = yield roster_timeout(env, now, base + lunch)
            presence.go_off(sec, "lunch", False)
            now = yield roster_timeout(env, now, base + lunch_end)
            presence.come_on(sec)
        now = yield roster_timeout(env, now, base + end)
        presence.go_off(sec, "off duty", False)
        on_duty = False


def _day_breaks(start: float, end: float, lunch: float, lunch_minutes: float, share: float, block_minutes: float,
                stream: Stream) -> list[tuple[float, float, str]]:
    """Her lunch and shrinkage blocks of one day as sorted, disjoint (begin, end, reason) in minutes of the
    day; a block that meets lunch or another block is merged into it (then reason of the first)."""
    work = end - start - lunch_minutes
    out: list[tuple[float, float, str]] = []
    if lunch_minutes > 0:
        out.append((lunch, lunch + lunch_minutes, "lunch"))
    morning = morning_work(start, end, lunch, lunch_minutes)
    for b, e in shrinkage_blocks(work, share, block_minutes, stream):
        out.append((work_to_clock(b, start, morning, lunch_minutes),
                    work_to_clock(e, start, morning, lunch_minutes, True), "shrinkage"))
    out.sort()
    merged: list[tuple[float, float, str]] = []
    for b, e, r in out:
        if merged and b <= merged[-1][1]:
            pb, pe, pr = merged[-1]
            merged[-1] = (pb, max(pe, e), pr)
        else:
            merged.append((b, e, r))
    return [(b, min(e, end), r) for b, e, r in merged if b < end]

