"""Lunch planning: a lunch for every secretary whose config gives none, so that the phone stays covered.

Planning, not validation: it runs once on a valid scenario (:func:`sim.config.loading.parse_scenario` calls it),
and a lunch it cannot place is a :class:`ConfigError`, never a silent 12:30.
"""

from __future__ import annotations

from sim.config.errors import ConfigError
from sim.config.models import SecretarySpec, clock_minutes
from sim.config.network import Network
from sim.config.schema import Scenario

#: Lunch starts are staggered on this grid (minutes) within the lunch window.
LUNCH_STEP_MINUTES = 30


def plan_lunches(scenario: Scenario, source: str = "<config>") -> Scenario:
    """``scenario`` with a lunch for every secretary without a ``lunch_start`` in her config: within her team
    (her cluster, central; her first department, decentralised: :attr:`Network.teams`), in turn, the half hour
    within ``calendar.lunch_window`` (and her hours) when the fewest colleagues of the team are at lunch, so that
    the phone stays covered; where her hours miss the window, as near to it as her hours allow. A secretary
    without lunch keeps the default, unused. Lunches given in the config count as taken."""
    secs = scenario.organisation.secretaries
    if all("lunch_start" in sec.model_fields_set for sec in secs):
        return scenario
    cal = scenario.calendar
    w0, w1 = clock_minutes(cal.lunch_window[0]), clock_minutes(cal.lunch_window[1])
    teams = Network.of(scenario).teams
    taken: dict[str, list[tuple[float, float]]] = {}
    for sec, team in zip(secs, teams, strict=True):
        if "lunch_start" in sec.model_fields_set:
            start = clock_minutes(sec.lunch_start)
            taken.setdefault(team, []).append((start, start + sec.lunch_minutes))
    out: list[SecretarySpec] = []
    for i, (sec, team) in enumerate(zip(secs, teams, strict=True)):
        if "lunch_start" in sec.model_fields_set:
            out.append(sec)
            continue
        length = sec.lunch_minutes
        if length <= 0:
            out.append(sec.model_copy(update={"lunch_start": "12:30"}))
            continue
        begin, end = sec.shift_minutes(cal)
        slots = [w0 + k * LUNCH_STEP_MINUTES for k in range(int((w1 - w0) // LUNCH_STEP_MINUTES) + 1)]
        slots = [t for t in slots if t + length <= w1 and begin <= t and t + length <= end]
        if not slots:  # her hours miss the window: as near to it as her hours allow
            slots = [min(max(w0, begin), end - length)]
        lunches = taken.setdefault(team, [])
        best = min(slots, key=lambda t: (sum(1 for a, b in lunches if a < t + length and t < b), t))
        if not begin <= best <= end - length:
            raise ConfigError(source, f"no room for a lunch of {length:g} min within her hours "
                              f"{sec.start or cal.open}-{sec.end or cal.close}; give her a lunch_start",
                              f"organisation.secretaries[{i}].lunch_start")
        lunches.append((best, best + length))
        out.append(sec.model_copy(update={"lunch_start": f"{int(best // 60):02d}:{int(best % 60):02d}"}))
    organisation = scenario.organisation.model_copy(update={"secretaries": out})
    return scenario.model_copy(update={"organisation": organisation})


__all__ = ["LUNCH_STEP_MINUTES", "plan_lunches"]
