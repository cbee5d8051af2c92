"""Staffings and the moves between them, in whole secretary-days.

A :class:`Staffing` is who works which weekdays. Changes keep the organisation valid and are made in whole
secretary-days (one weekday of one secretary; 0.2 FTE for a 7.2-hour day in a 36-hour week). A *group* is a
department in the decentralised setup and a cluster in the central one (each must keep a secretary, as the
config schema demands).

- *Removing* a day from a group: the weekday on which most of the group's secretaries work, taken from the one
  of them who works the fewest days (so part-timers go first and whole people leave rather than everyone
  becoming part-time); a secretary with no days left leaves the organisation; the group keeps at least one.
- *Adding* a day to a group: on the weekday on which fewest of its secretaries work, to the part-timer with
  the most days who does not yet work then; if there is none, a new secretary (``<group>+N``) joins with that
  one day, serving the departments of the group's first secretary, on the shift (hours and lunch) of the
  organisation that the group has least of.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sim.config import WEEKDAYS, Scenario, SecretarySpec, parse_scenario


def group_of(scenario: Scenario, sec: SecretarySpec) -> str:
    """The group a secretary staffs: her department (decentralised) or her cluster (central)."""
    return scenario.organisation.group_of(sec)


def _days(scenario: Scenario, sec: SecretarySpec) -> list[str]:
    cal = scenario.calendar.working_days
    return [d for d in WEEKDAYS if d in cal and (sec.days is None or d in sec.days)]


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
    def remove_day(self, scenario: Scenario, group: str) -> Staffing | None:
        """One secretary-day less in ``group`` (see the module docstring), or None if it has one left."""
        mine = [(i, s) for i, s in enumerate(self.secretaries) if group_of(scenario, s) == group and s.days]
        if sum(len(s.days or []) for _, s in mine) <= 1:
            return None
        count = {d: sum(d in (s.days or []) for _, s in mine) for d in scenario.calendar.working_days}
        order = [d for d in WEEKDAYS if d in count]
        day = max(reversed(order), key=lambda d: count[d])  # ties: the latest weekday
        on_day = [(i, s) for i, s in mine if day in (s.days or [])]
        i, sec = min(reversed(on_day), key=lambda p: len(p[1].days or []))  # ties: the last listed
        days = [d for d in (sec.days or []) if d != day]
        secs = list(self.secretaries)
        if days:
            secs[i] = sec.model_copy(update={"days": days})
        else:
            del secs[i]
        return Staffing(tuple(secs))

    def add_day(self, scenario: Scenario, group: str) -> Staffing:
        """One secretary-day more in ``group`` (see the module docstring)."""
        cal_days = [d for d in WEEKDAYS if d in scenario.calendar.working_days]
        mine = [(i, s) for i, s in enumerate(self.secretaries) if group_of(scenario, s) == group]
        count = {d: sum(d in (s.days or []) for _, s in mine) for d in cal_days}
        day = min(cal_days, key=lambda d: count[d])  # ties: the earliest weekday
        free = [(i, s) for i, s in mine if day not in (s.days or [])]
        secs = list(self.secretaries)
        if free:
            i, sec = max(free, key=lambda p: len(p[1].days or []))  # ties: the first listed
            days = [d for d in cal_days if d in (sec.days or []) or d == day]
            secs[i] = sec.model_copy(update={"days": days})
            return Staffing(tuple(secs))
        secs.append(self._newcomer(scenario, group, mine, day))
        return Staffing(tuple(secs))

    def _newcomer(self, scenario: Scenario, group: str, mine: list[tuple[int, SecretarySpec]],
                  day: str) -> SecretarySpec:
        names = {s.name for s in self.secretaries}
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
            "days": [day],
        })


def groups(scenario: Scenario) -> list[str]:
    """Group names in config order: departments (decentralised) or clusters (central)."""
    return scenario.organisation.clusters()


def group_demand(scenario: Scenario) -> dict[str, float]:
    """Each group's share of demand: its departments' staff times their demand factor."""
    org = scenario.organisation
    out = {g: 0.0 for g in groups(scenario)}
    for d in org.departments:
        out[d.name if org.setup == "decentralised" else str(d.cluster)] += d.staff * d.demand_factor
    return out
