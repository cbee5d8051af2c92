"""Coverage of the roster, checked without simulating: who may answer for each department, hour by hour.

``sim check`` warns where the weekly roster (working days, hours and lunches; absence left out) leaves a
department with nobody present who may serve it while the line is open, where a cluster has none of its own
secretaries present (others may help, depending on the exchange policy), and where a department depends on a
single secretary of its own. Each warning names the weekdays and the hours.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.config import WEEKDAYS, Scenario, clock_minutes
from sim.core.organisation import Organisation


def _present(scenario: Scenario, i: int, weekday: str, t0: float, t1: float) -> bool:
    """Whether secretary ``i`` is at work for all of [t0, t1) on ``weekday`` by her roster."""
    cal = scenario.calendar
    sec = scenario.organisation.secretaries[i]
    if weekday not in (sec.days if sec.days is not None else cal.working_days):
        return False
    start, end = sec.shift_minutes(cal)
    lunch = clock_minutes(sec.lunch_start)
    at_lunch = sec.lunch_minutes > 0 and lunch < t1 and t0 < lunch + sec.lunch_minutes
    return start <= t0 and t1 <= end and not at_lunch


def _pieces(scenario: Scenario) -> list[float]:
    """The moments of the day at which anyone's presence may change, within opening hours."""
    cal = scenario.calendar
    lo, hi = clock_minutes(cal.open), clock_minutes(cal.close)
    cuts = {lo, hi}
    for sec in scenario.organisation.secretaries:
        for t in (*sec.shift_minutes(cal), clock_minutes(sec.lunch_start),
                  clock_minutes(sec.lunch_start) + sec.lunch_minutes):
            if lo < t < hi:
                cuts.add(t)
    return sorted(cuts)


def _hhmm(t: float) -> str:
    return f"{int(t // 60):02d}:{int(t % 60):02d}"


def _spans(gaps: dict[str, list[tuple[float, float]]]) -> str:
    """'mon-fri 12:30-13:00; wed 16:12-17:00': weekdays with the same gaps together."""
    by_hours: dict[tuple[tuple[float, float], ...], list[str]] = {}
    for day, spans in gaps.items():
        merged: list[tuple[float, float]] = []
        for a, b in spans:
            if merged and merged[-1][1] == a:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        by_hours.setdefault(tuple(merged), []).append(day)
    parts = []
    for merged_spans, days in by_hours.items():
        hours = ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in merged_spans)
        parts.append(f"{_days(days)} {hours}")
    return "; ".join(parts)


def _days(days: list[str]) -> str:
    idx = [WEEKDAYS.index(d) for d in days]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{days[0]}-{days[-1]}"
    return ",".join(days)


def _gaps(scenario: Scenario, cuts: list[float], who: Iterable[int]) -> dict[str, list[tuple[float, float]]]:
    people = list(who)
    out: dict[str, list[tuple[float, float]]] = {}
    for day in scenario.calendar.working_days:
        for a, b in zip(cuts, cuts[1:], strict=False):
            if not any(_present(scenario, i, day, a, b) for i in people):
                out.setdefault(day, []).append((a, b))
    return out


def roster_warnings(scenario: Scenario) -> list[str]:
    """Warnings about the roster's coverage (empty when every department is covered all the time)."""
    org = Organisation(scenario)
    conf = scenario.organisation
    cuts = _pieces(scenario)
    warnings = []
    for d, name in enumerate(org.dept_names):
        servers = [s.index for s in org.secretaries if d in s.serves]
        gaps = _gaps(scenario, cuts, servers)
        if gaps:
            warnings.append(f"department {name}: nobody present who may serve it while the line is open on "
                            f"{_spans(gaps)}")
    if conf.setup == "central":
        for cluster in conf.clusters():
            own = [s.index for s in org.secretaries if s.cluster == cluster]
            gaps = _gaps(scenario, cuts, own)
            if gaps:
                policy = scenario.dispatch.exchange.policy
                helped = "other clusters may help (exchange policy " + policy + ")" if policy != "none" else \
                    "and exchange is off"
                warnings.append(f"cluster {cluster}: none of its own secretaries present on {_spans(gaps)}; {helped}")
    for d, name in enumerate(org.dept_names):
        mine = [s.name for s in org.secretaries if d in s.primary]
        if len(mine) == 1:
            others = sum(1 for s in org.secretaries if d in s.serves) - 1
            fallback = f"{others} others may serve it" if others else "nobody else may serve it"
            warnings.append(f"department {name} depends on a single secretary of its own ({mine[0]}); when she is "
                            f"away {fallback}")
        elif not mine and conf.setup == "central":
            serving = sum(1 for s in org.secretaries if d in s.serves)
            warnings.append(f"department {name} has no secretary of its own (no one lists it in her departments): "
                            f"its custom work always goes to someone else (custom_penalty) and its continuity cannot "
                            f"be met; "
                            f"{serving} of its cluster's or pool's secretaries may serve it")
    return warnings


__all__ = ["roster_warnings"]
