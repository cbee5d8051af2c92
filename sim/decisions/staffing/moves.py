"""Staffings and the moves between them, in whole secretary-days, under HR's rules.

A :class:`Staffing` is who works which weekdays. Changes keep the organisation valid and are made in whole
secretary-days (one weekday of one secretary; 0.2 FTE for a 7.2-hour day in a 36-hour week), except where a
rule makes a move of several days (a leaver, a new hire). A *group* is a department in the decentralised setup
and a cluster in the central one (each keeps at least one secretary, as the config schema demands).

*Today's people* are the secretaries named in the scenario's config (``organisation.secretaries``) with the
days they work there; *newcomers* are those the search hired (``<group>+N``). The config's ``staffing``
section (:class:`sim.config.StaffingRules`) sets the rules; ``min`` below is its ``min_contract_days`` (at most
the calendar's working days), and a secretary *of* a department is one whose ``departments`` name it.

- *Removing* a day from a group (:meth:`Staffing.remove_day`), the first of these that is allowed:

  1. a newcomer (the last hired first) loses a day, if she has more than ``min``; at ``min`` she leaves (all
     her days at once; newcomers are not today's people and may go freely);
  2. of today's people with more than ``min`` days, the one with the most days (ties: the last listed) loses
     one, on the weekday of hers on which most of the group works (ties: the latest weekday): contracts are
     shortened day by day down to ``min``, never below; a contract already at or below ``min`` today is kept;
  3. only with ``allow_leavers``, and only when nobody of the group can be shortened: one of today's people
     leaves (all her remaining days at once), the one with the fewest days (ties: the last listed).

  A secretary never leaves if her group would be left without a secretary, nor, with
  ``keep_department_secretary``, if one of her departments would be left without a secretary of its own, nor
  if a department would be left without anyone competent for a request type it has (the config's own check).
  When nothing is allowed, ``remove_day`` returns None: the group cannot lose a day.
- *Adding* a day to a group (:meth:`Staffing.add_day`), the first of these that is possible:

  1. a day back to one of today's people whose contract was shortened: one of her own weekdays of today that
     she no longer works, the one on which fewest of the group work (ties: the earliest weekday; then the
     secretary missing the most days, then the first listed);
  2. one of today's people who left comes back with ``min`` of her weekdays of today (or all of them if she
     had fewer), those on which fewest of the group work;
  3. a day more for a part-timer: on the weekday with fewest of the group at work on which one of them is
     free, the free part-timer with the most days (ties: the first listed);
  4. a newcomer (``<group>+N``) is hired with ``new_hire_days`` days (at least ``min``, at most the calendar's
     working days), on the weekdays on which fewest of the group work, serving the departments of the
     group's first secretary, on the shift (hours and lunch) of the organisation that the group has least of.

  So one ``add_day`` may add several days (2 and 4) and one ``remove_day`` remove several (a leaver): the
  search counts days with ``Staffing.group_hours`` and its own day counts, not with the number of moves.

:func:`roster_changes` lists each secretary's contract today and in a staffing: the roster HR reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sim.config import WEEKDAYS, Scenario, SecretarySpec, parse_scenario
from sim.config.network import competence_gaps


def group_of(scenario: Scenario, sec: SecretarySpec) -> str:
    """The group a secretary staffs: her department (decentralised) or her cluster (central)."""
    return scenario.organisation.group_of(sec)


def _days(scenario: Scenario, sec: SecretarySpec) -> list[str]:
    return sec.weekdays(scenario.calendar)


def _hours_per_day(scenario: Scenario, sec: SecretarySpec) -> float:
    return sec.working_minutes_per_day(scenario.calendar) / 60


def day_fte(scenario: Scenario) -> float:
    """One secretary-day in FTE: the median working day of the config's secretaries over the full-time
    week (7.2 h of 36 h: 0.2 FTE in the shipped configs)."""
    hours = sorted(_hours_per_day(scenario, s) for s in scenario.organisation.secretaries)
    return hours[len(hours) // 2] / scenario.calendar.full_time_hours_per_week


def _shift(sec: SecretarySpec) -> tuple[Any, ...]:
    return (sec.start, sec.end, sec.lunch_start, sec.lunch_minutes)


@dataclass(frozen=True)
class Staffing:
    """Who works which weekdays: the secretaries of a candidate organisation (same sector and demand)."""

    secretaries: tuple[SecretarySpec, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Staffing:
        return cls(tuple(s.model_copy(update={"days": _days(scenario, s)})
                         for s in scenario.organisation.secretaries))

    def key(self) -> str:
        blob = json.dumps([s.model_dump(mode="json") for s in self.secretaries], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def apply(self, scenario: Scenario) -> Scenario:
        """``scenario`` with this staffing (validated like any config)."""
        data = scenario.model_dump(mode="json")
        data["organisation"]["secretaries"] = [s.model_dump(mode="json") for s in self.secretaries]
        return parse_scenario(data, f"{scenario.name} (staffing {self.key()})")

    def hours(self, scenario: Scenario) -> float:
        return sum(len(s.days or []) * _hours_per_day(scenario, s) for s in self.secretaries)

    def fte(self, scenario: Scenario) -> float:
        return self.hours(scenario) / scenario.calendar.full_time_hours_per_week

    def group_hours(self, scenario: Scenario) -> dict[str, float]:
        out = {g: 0.0 for g in groups(scenario)}
        for s in self.secretaries:
            out[group_of(scenario, s)] += len(s.days or []) * _hours_per_day(scenario, s)
        return out

    def spread(self, scenario: Scenario) -> dict[str, dict[str, Any]]:
        """Per group: FTE and each secretary's weekdays."""
        week = scenario.calendar.full_time_hours_per_week
        out: dict[str, dict[str, Any]] = {g: {"fte": 0.0, "secretaries": {}} for g in groups(scenario)}
        for s in self.secretaries:
            g = out[group_of(scenario, s)]
            g["fte"] += len(s.days or []) * _hours_per_day(scenario, s) / week
            g["secretaries"][s.name] = list(s.days or [])
        return out

    # -- moves -------------------------------------------------------------------------------------------
    def remove_day(self, scenario: Scenario, group: str, spare: Collection[str] = ()) -> Staffing | None:
        """One secretary-day less in ``group`` (a leaver: her days), or None if the rules allow none (see the
        module docstring); ``spare``: departments whose own secretaries keep their days (their norms broke
        when one of them lost a day)."""
        rules = _Rules(scenario)
        secs = list(self.secretaries)
        mine = [(i, s) for i, s in enumerate(secs) if group_of(scenario, s) == group and s.days]
        count: dict[str, int] = {d: sum(d in (s.days or []) for _, s in mine)
                                 for d in scenario.calendar.working_days}
        if spare:
            mine = [(i, s) for i, s in mine if not set(s.departments) & set(spare)]
        order = [d for d in WEEKDAYS if d in count]
        new = [(i, s) for i, s in mine if s.name not in rules.today]
        if new:  # 1. the last newcomer: shortened to min, then she leaves
            i, sec = new[-1]
            if len(sec.days or []) > rules.min_days:
                return self._without_day(i, sec, order, count)
            if rules.may_leave(secs, i, group):
                return self._without(i)
        long = [(i, s) for i, s in mine if s.name in rules.today and len(s.days or []) > rules.min_days]
        if long:  # 2. today's contract with the most days, shortened by one (ties: the last listed)
            i, sec = max(reversed(long), key=lambda p: len(p[1].days or []))
            return self._without_day(i, sec, order, count)
        if rules.allow_leavers:  # 3. one of today's people leaves, the one with the fewest days
            going = [(i, s) for i, s in mine if s.name in rules.today and rules.may_leave(secs, i, group)]
            if going:
                i, _ = min(reversed(going), key=lambda p: len(p[1].days or []))
                return self._without(i)
        return None

    def _without_day(self, i: int, sec: SecretarySpec, order: list[str], count: dict[str, int]) -> Staffing:
        day = max(reversed([d for d in order if d in (sec.days or [])]), key=lambda d: count[d])  # ties: latest
        secs = list(self.secretaries)
        secs[i] = sec.model_copy(update={"days": [d for d in (sec.days or []) if d != day]})
        return Staffing(tuple(secs))

    def _without(self, i: int) -> Staffing:
        return Staffing(self.secretaries[:i] + self.secretaries[i + 1:])

    def add_day(self, scenario: Scenario, group: str, department: str | None = None) -> Staffing:
        """One secretary-day more in ``group``, or a returning leaver or a new hire with several (see the module
        docstring); with ``department``, to one of that department's own secretaries (a newcomer is its own),
        where a norm only they can meet (continuity) asks for it."""
        rules = _Rules(scenario)
        cal_days: list[str] = [d for d in WEEKDAYS if d in scenario.calendar.working_days]
        everyone = [(i, s) for i, s in enumerate(self.secretaries) if group_of(scenario, s) == group]
        count = {d: sum(d in (s.days or []) for _, s in everyone) for d in cal_days}
        mine = everyone if department is None else [(i, s) for i, s in everyone if department in s.departments]
        secs = list(self.secretaries)
        # 1. a day back to one of today's people whose contract was shortened
        back = [(count[d], cal_days.index(d), -len(set(rules.today[s.name]) - set(s.days or [])), n, d)
                for n, (_, s) in enumerate(mine) if s.name in rules.today
                for d in rules.today[s.name] if d not in (s.days or [])]
        if back:
            *_, n, day = min(back)
            i, sec = mine[n]
            secs[i] = sec.model_copy(update={"days": [d for d in cal_days if d in (sec.days or []) or d == day]})
            return Staffing(tuple(secs))
        # 2. one of today's people who left comes back, with min of her days of today
        here = {s.name for s in secs}
        gone = [s for s in scenario.organisation.secretaries
                if s.name not in here and group_of(scenario, s) == group
                and (department is None or department in s.departments)]
        if gone:
            sec = gone[0]
            days = sorted(rules.today[sec.name], key=lambda d: (count[d], cal_days.index(d)))[:rules.min_days]
            secs.append(sec.model_copy(update={"days": [d for d in cal_days if d in days]}))
            return Staffing(tuple(secs))
        # 3. a day more for a part-timer, on the thinnest weekday on which one of them is free
        for day in sorted(cal_days, key=lambda d: count[d]):  # ties: the earliest weekday
            free = [(i, s) for i, s in mine if day not in (s.days or [])]
            if free:
                i, sec = max(free, key=lambda p: len(p[1].days or []))  # ties: the first listed
                secs[i] = sec.model_copy(update={"days": [d for d in cal_days if d in (sec.days or []) or d == day]})
                return Staffing(tuple(secs))
        # 4. a new hire
        k = min(max(scenario.staffing.new_hire_days, rules.min_days), len(cal_days))
        days = sorted(cal_days, key=lambda d: count[d])[:k]
        hire = self._newcomer(scenario, group, mine or everyone, [d for d in cal_days if d in days])
        if department is not None:
            hire = hire.model_copy(update={"departments": [department]})
        secs.append(hire)
        return Staffing(tuple(secs))

    def _newcomer(self, scenario: Scenario, group: str, mine: list[tuple[int, SecretarySpec]],
                  days: list[str]) -> SecretarySpec:
        names = {s.name for s in self.secretaries} | {s.name for s in scenario.organisation.secretaries}
        n = 1
        while f"{group}+{n}" in names:
            n += 1
        shifts: dict[tuple[Any, ...], SecretarySpec] = {}
        for s in scenario.organisation.secretaries:
            shifts.setdefault(_shift(s), s)
        held = {k: sum(len(s.days or []) for _, s in mine if _shift(s) == k) for k in shifts}
        template = shifts[min(shifts, key=lambda k: held[k])]  # ties: the first in the config
        home = mine[0][1] if mine else next(s for s in scenario.organisation.secretaries
                                            if group_of(scenario, s) == group)
        return template.model_copy(update={
            "name": f"{group}+{n}", "departments": list(home.departments), "cluster": home.cluster,
            "days": days,
        })


class _Rules:
    """HR's rules for one scenario (its ``staffing`` section) and today's people: name -> weekdays."""

    def __init__(self, scenario: Scenario) -> None:
        r = scenario.staffing
        self.scenario = scenario
        self.today = {s.name: _days(scenario, s) for s in scenario.organisation.secretaries}
        self.min_days = min(r.min_contract_days, len(scenario.calendar.working_days))
        self.allow_leavers = r.allow_leavers
        self.keep_department = r.keep_department_secretary

    def may_leave(self, secs: list[SecretarySpec], i: int, group: str) -> bool:
        """May ``secs[i]`` leave: her group keeps a secretary, (with keep_department_secretary) each of her
        departments one of its own, and every department someone competent for each request type?"""
        rest = [s for j, s in enumerate(secs) if j != i and s.days]
        if not any(group_of(self.scenario, s) == group for s in rest):
            return False
        if self.keep_department and not all(any(d in s.departments for s in rest) for d in secs[i].departments):
            return False
        if all(s.competences is None for s in secs):
            return True  # everyone may do everything
        # nor may she leave a department without anyone competent for a request type: the search would
        # propose a staffing that the config check (the same rule) refuses
        org = self.scenario.organisation
        without = self.scenario.model_copy(update={"organisation": org.model_copy(update={"secretaries": rest})})
        return not competence_gaps(without)


def roster_changes(scenario: Scenario, staffing: Staffing) -> list[dict[str, Any]]:
    """The roster HR reads: one row per secretary, today's (in config order, leavers too) then the newcomers,
    with her contract today and in ``staffing``. Columns: name, group, departments (comma-joined), days_today and
    days_new (comma-joined weekdays; empty: not there), hours_per_week_today, hours_per_week_new, change_hours,
    fte_today, fte_new and status: ``kept`` (the same days), ``days changed`` (as many days, other weekdays),
    ``shortened``, ``extended``, ``leaves`` or ``new hire``. Hours from each secretary's working day
    (:meth:`SecretarySpec.working_minutes_per_day`); they add up to :meth:`Staffing.hours`."""
    week = scenario.calendar.full_time_hours_per_week
    new = {s.name: s for s in staffing.secretaries}
    people = [(s, _days(scenario, s), new.get(s.name)) for s in scenario.organisation.secretaries]
    today = {s.name for s in scenario.organisation.secretaries}
    people += [(s, [], s) for s in staffing.secretaries if s.name not in today]
    rows = []
    for sec, before, now in people:
        after = list(now.days or []) if now is not None else []
        per_day = _hours_per_day(scenario, now or sec)
        h0, h1 = len(before) * _hours_per_day(scenario, sec), len(after) * per_day
        if sec.name not in today:
            status = "new hire"
        elif not after:
            status = "leaves"
        elif len(after) < len(before):
            status = "shortened"
        elif len(after) > len(before):
            status = "extended"
        else:
            status = "kept" if set(after) == set(before) else "days changed"
        rows.append({
            "name": sec.name, "group": group_of(scenario, now or sec), "departments": ", ".join(sec.departments),
            "days_today": ",".join(before), "days_new": ",".join(after),
            "hours_per_week_today": round(h0, 4), "hours_per_week_new": round(h1, 4),
            "change_hours": round(h1 - h0, 4), "fte_today": round(h0 / week, 4), "fte_new": round(h1 / week, 4),
            "status": status,
        })
    return rows


def groups(scenario: Scenario) -> list[str]:
    """Group names in config order: departments (decentralised) or clusters (central)."""
    return scenario.organisation.clusters()


def group_demand(scenario: Scenario) -> dict[str, float]:
    """Each group's share of demand: its departments' staff times their demand factor."""
    org = scenario.organisation
    out = {g: 0.0 for g in groups(scenario)}
    for d in org.departments:
        out[org.group_of_department(d)] += d.staff * d.demand_factor
    return out
