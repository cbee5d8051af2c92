"""Staffing requirements per half hour and group, from queueing theory (the start of ``sim roster``).

Per group (a cluster in the central setup, a department in the decentralised one) and per half hour of the
covered hours (``roster_rules.cover``, default the opening hours):

1. the *call* requirement is SIPP (stationary independent period-by-period; Green, Kolesar & Whitt 2007): the
   half hour's offered call rate (the group's departments' calls spread by the day profile) treated as a
   stationary Erlang C queue, and the least number of servers whose probability of an answer within
   ``demand.calls.norm_seconds`` reaches ``norms.reachability_min`` (:func:`sim.theory.min_servers_for_service_level`);
2. the *back-office* work of the group (every task type's volume times its mean work time, call-backs at the
   abandoned-call norm's share of calls, meetings and their minutes) is spread evenly over the covered hours
   as a load in Erlangs; calls interrupt back-office work (``dispatch.calls: preempt``), so the servers that
   SIPP asks for calls do back-office work in between, and the work as a whole asks for
   (call load + back-office load) / ``norms.occupancy_max`` (the occupancy ceiling): the larger of the two;
3. rounded up, and at least ``min_present``.

**Cover rings.** In a decentralised setup where departments answer for each other (buddy cover,
``organisation.cover``, or a secretary shared by several departments), a department's calls go to its ring when its
own secretaries are away or busy: the departments joined by cover or sharing act as one phone group. The
requirement is then set per *ring* (steps 1-3 on the ring's pooled calls and back-office work),
not per department: per department it would ask for someone of its own at every half hour, lunch included (a second
secretary in every department), the organisation that buddy cover exists to avoid. Each department of a
ring is a unit of its own too, asking for one of its own present in the core hours, lunch excepted
(``roster_rules.desk_hours``: forwarded calls ring first and are abandoned more, so buddies cover lunches and the
day's edges, not whole days); when the simulation shows one of its norms failing, the correction asks for one more
of *its own* secretaries there.

Absence is deliberately *not* added: workforce-management planners divide by (1 - shrinkage), which for this
sector's sickness, leave and shrinkage (:func:`availability`, about 0.76) would ask a third more than today's
roster everywhere; the simulation, which draws absence as it falls, adds requirement only where it bites. The
theory's requirement is the starting point from below, not the answer.

Erlang C per interval ignores what the simulation has: abandonment carrying over, back-office due dates,
random absence, exchange between clusters. :mod:`sim.decisions.rostering.search` corrects these requirements where the
simulation shows a shortfall (Atlason, Epelman & Henderson 2004, 2008; Cezik & L'Ecuyer 2008).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sim import theory
from sim.config import Profile, Scenario, clock_minutes, resolve_profile
from sim.experiments.sipp import dist_rate

SLOT = 30  # minutes: the half hours of the requirement and of the per_half_hour table


@dataclass(frozen=True)
class Requirements:
    """Required secretaries present per group and half hour (``need[group][k]`` for slot ``slots[k]``, the
    slot's number of half hours after midnight), with the parts it came from for the report."""

    slots: tuple[int, ...]
    need: dict[str, list[int]]
    calls_per_hour: dict[str, list[float]]
    call_servers: dict[str, list[int]]
    backoffice_erlangs: dict[str, float]
    availability: float
    #: cover rings: a ring's name and its departments (a unit in ``need`` covered by the secretaries of any of
    #: them); the other units are groups (a cluster, a department), covered by the secretaries of that group or
    #: department
    rings: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def covers(self, unit: str, group: str, departments: Sequence[str]) -> bool:
        """Whether a secretary of ``group`` working for ``departments`` counts as present for ``unit``."""
        if unit in self.rings:
            return any(d in self.rings[unit] for d in departments)
        return group == unit or unit in departments

    @property
    def top_units(self) -> list[str]:
        """The units that together cover the sector (rings, and the groups in none): where a sector norm adds."""
        inside = {d for ds in self.rings.values() for d in ds}
        return [u for u in self.need if u not in inside]

    def plus(self, extra: dict[str, dict[int, int]]) -> Requirements:
        """These requirements with ``extra[group][slot]`` more secretaries (the simulation's corrections)."""
        need = {g: [max(0, n + extra.get(g, {}).get(s, 0)) for s, n in zip(self.slots, v, strict=True)]
                for g, v in self.need.items()}
        return Requirements(self.slots, need, self.calls_per_hour, self.call_servers, self.backoffice_erlangs,
                            self.availability, self.rings)


def profile_share(profile: Profile, start: float, end: float) -> float:
    """The share of a day's volume that ``profile`` puts in [start, end) (minutes after midnight)."""
    total = sum(profile.weights)
    first = clock_minutes(profile.start)
    share = 0.0
    for i, w in enumerate(profile.weights):
        a = first + i * profile.slot_minutes
        b = a + profile.slot_minutes
        overlap = min(b, end) - max(a, start)
        if overlap > 0:
            share += w / total * overlap / profile.slot_minutes
    return share


def group_of_department(scenario: Scenario) -> dict[str, str]:
    org = scenario.organisation
    return {d.name: org.group_of_department(d) for d in org.departments}


def cover_rings(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """The decentralised setup's cover rings (module docstring; :meth:`sim.config.Network.cover_rings`), named by
    their departments joined with '+'."""
    from sim.config.network import Network

    return {"+".join(ring): ring for ring in Network.of(scenario).cover_rings(scenario)}


def cover_hours(scenario: Scenario) -> tuple[int, int]:
    """The covered hours as minutes after midnight (``roster_rules.cover``, default the opening hours)."""
    cover = scenario.roster_rules.cover or (scenario.calendar.open, scenario.calendar.close)
    return int(clock_minutes(cover[0])), int(clock_minutes(cover[1]))


def availability(scenario: Scenario) -> float:
    """The share of rostered time a secretary is present and available: not ill, not on leave, not in a
    shrinkage block. The leave share as the model draws it (over :data:`WORKING_DAYS_PER_YEAR`)."""
    from sim.core.organisation import WORKING_DAYS_PER_YEAR

    a = scenario.absence
    leave = min(0.9, a.leave.days_per_year / WORKING_DAYS_PER_YEAR)
    return (1 - a.sickness.share) * (1 - leave) * (1 - a.shrinkage.share)


def theory_requirements(scenario: Scenario) -> Requirements:
    """SIPP requirements per group and half hour (see the module docstring)."""
    from sim.core.demand import apply_hnw

    demand = apply_hnw(scenario.demand, scenario.hnw)
    calls = demand.calls
    norms = scenario.norms
    cover_a, cover_b = cover_hours(scenario)
    slots = tuple(range(cover_a // SLOT, -(-cover_b // SLOT)))
    where = group_of_department(scenario)
    rings = cover_rings(scenario)
    in_ring = {d: r for r, ds in rings.items() for d in ds}
    # a unit per ring and per group in no ring (each with its departments' volume); a ring's departments are
    # units too, asking for nobody until the simulation corrects them
    units: dict[str, list[str]] = {}
    for d in scenario.organisation.departments:
        units.setdefault(in_ring.get(d.name, where[d.name]), []).append(d.name)
    groups = list(units)
    volume = {g: 0.0 for g in groups}
    for d in scenario.organisation.departments:
        volume[in_ring.get(d.name, where[d.name])] += d.staff * d.demand_factor
    profile = resolve_profile(calls.profile)
    mu = dist_rate(calls.talk_minutes)[0]
    t = calls.norm_seconds / 60.0
    target = min(0.999, norms.reachability_min if norms.reachability_min is not None else 0.8)
    occupancy = norms.occupancy_max or 1.0
    avail = availability(scenario)
    days_per_week = len(scenario.calendar.working_days)
    cover_minutes = max(1, cover_b - cover_a)
    need: dict[str, list[int]] = {}
    per_hour: dict[str, list[float]] = {}
    servers: dict[str, list[int]] = {}
    backoffice: dict[str, float] = {}
    for g in groups:
        daily_calls = calls.per_staff_per_day * volume[g]
        work = 0.0  # back-office minutes a day
        for task in demand.tasks.values():
            v = task.per_staff_per_day * volume[g] * (demand.flexible_share if task.flexible_only else 1.0)
            work += v * task.work_minutes.mean
        abandoned = norms.abandoned_max if norms.abandoned_max is not None else 0.05
        work += daily_calls * abandoned * calls.callback_share * calls.callback_minutes.mean
        if demand.meetings is not None:
            n_depts = len(units[g])
            m = demand.meetings
            per_day = m.per_department_per_week * n_depts / days_per_week
            work += per_day * m.duration_minutes.mean * (1 + m.writing_minutes_per_meeting_hour / 60)
        bo = work / cover_minutes
        backoffice[g] = bo
        need[g], per_hour[g], servers[g] = [], [], []
        for s in slots:
            a, b = max(s * SLOT, cover_a), min((s + 1) * SLOT, cover_b)
            lam = daily_calls * profile_share(profile, a, b) / SLOT  # calls a minute (slot-average)
            c = theory.min_servers_for_service_level(lam, mu, t, target) if lam > 0 else 0
            load = lam / mu if lam > 0 else 0.0
            present = max(c, (load + bo) / occupancy)
            need[g].append(max(scenario.roster_rules.min_present, math.ceil(present - 1e-9)))
            per_hour[g].append(60 * lam)
            servers[g].append(c)
    rules = scenario.roster_rules
    window = rules.lunch_window or scenario.calendar.lunch_window
    lunch_a = clock_minutes(window[0])
    lunch_b = clock_minutes(window[1]) + rules.lunch_minutes
    desk_a, desk_b = (clock_minutes(t) for t in rules.desk_hours) if rules.desk_hours else (0.0, 0.0)
    lunch = [s * SLOT < lunch_b and (s + 1) * SLOT > lunch_a for s in slots]
    desk = [int(desk_a <= s * SLOT and (s + 1) * SLOT <= desk_b and not at_lunch)
            for s, at_lunch in zip(slots, lunch, strict=True)]
    for members in rings.values():
        for name in members:
            need[name] = list(desk)
            per_hour[name] = [0.0] * len(slots)
            servers[name] = [0] * len(slots)
            backoffice[name] = 0.0
    return Requirements(slots, need, per_hour, servers, backoffice, avail, rings)


__all__ = ["SLOT", "Requirements", "availability", "cover_hours", "cover_rings", "group_of_department",
           "profile_share", "theory_requirements"]
