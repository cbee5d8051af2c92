"""A control variate for the per-department call norms: each department's coverage, whose expectation is known.

A department's abandoned calls and reachability swing from one replication to the next mostly because its
secretaries happen to be ill or on leave together, or not: within one staffing, the share of opening time in
which someone who may serve the department is present (its **coverage**, columns of the per-department
table) explains most of the variance of its abandoned share: over 1,000 replications of the shipped configs
at today's staffing the correlation is -0.94 to -0.98 per department for ``decentral`` and -0.64 to -0.94 for
``decentral_cover`` (where a buddy also answers). The table's ``coverage_rostered`` counts a secretary at
her desk by her roster alone (a call that keeps her past the start of her lunch is left out, as it depends on
demand), so it depends on the roster and the absence processes only, and its expectation follows exactly from
them (:func:`expected_coverage`, no simulation). So the estimate

    p_cv = p - b (mean coverage - expected coverage)

(``p`` the pooled share over the replications, ``b`` the regression slope of the replications' share
residuals on their coverage; Law and Kelton, *Simulation Modeling and Analysis*, section 11.4) has the same
expectation as ``p`` up to the usual O(1/n) of an estimated slope and, here, a fraction of its variance: the
replications in which the department's secretaries were absent more than expected weigh no more than their
chance. Per-department norms on calls are judged on ``p_cv`` (``norms.control_variate``, on by default).

**The expected coverage.** A secretary's day (:func:`sim.core.organisation.roster`) is a Markov chain on free,
ill (an episode goes on with probability ``q`` each day: geometric episodes) and on leave with ``j`` days
left, started in the state the roster draws at the start of the run; she is present on a day she is free
and stays free, on her own weekdays, in her hours but for lunch and her shrinkage blocks (one placed
uniformly at random in each of ``n`` equal slots of her working time). Different secretaries draw from
different streams, so they are independent, and the chance that nobody who serves the department is present
at a moment is the product of their chances to be away. The expected coverage is that, integrated over the
measured opening time (midpoint rule on a grid of :data:`STEP` minutes: exact to about 1e-6).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.config import Network, Scenario, clock_minutes
from sim.core.calendar import WorkCalendar, clock_to_work, morning_work
from sim.core.organisation import absence_rates, shrinkage_layout

#: The integration grid, in minutes.
STEP = 0.25
#: A spread of coverage (a share) at most this is floating-point rounding, not a spread: equal coverages that
#: differ in the 15th digit gave a slope of 1e13 and a department's reachability clipped to 0.
NO_SPREAD = 1e-9
#: The per-department norms that are judged with the control variate (columns of the per-department table).
CONTROLLED = ("calls_abandoned", "reachability")


def free_by_day(scenario: Scenario, days: int) -> np.ndarray:
    """The chance that a secretary is neither ill nor on leave on each of the first ``days`` working days of
    the run (warm-up included): :func:`sim.core.organisation.roster`'s absence chain, propagated exactly."""
    sick = scenario.absence.sickness
    p_sick, q, leave_share, p_leave = absence_rates(scenario)
    blocks = scenario.absence.leave.block_days
    # before a day: free, ill (the episode goes on today), on leave with j = 1..blocks days left (index j - 1)
    ill = sick.share
    on_leave = np.full(blocks, (1 - sick.share) * leave_share / blocks)
    free = 1.0 - ill - on_leave.sum()
    out = np.empty(days)
    for n in range(days):
        falls_ill = free * p_sick
        goes_on_leave = free * (1 - p_sick) * p_leave
        present = free - falls_ill - goes_on_leave
        out[n] = present
        ill_today = ill + falls_ill  # absent today; the episode goes on tomorrow with probability q
        nxt = np.zeros(blocks)
        nxt[:-1] = on_leave[1:]
        free = ill_today * (1 - q) + present + on_leave[0]
        if blocks > 1:
            nxt[blocks - 2] += goes_on_leave
        else:
            free += goes_on_leave
        ill, on_leave = ill_today * q, nxt
    return out


def at_work(scenario: Scenario, i: int, t: np.ndarray) -> np.ndarray:
    """The chance that secretary ``i`` is at her desk at clock minutes ``t`` of a day she works: in her hours,
    not at lunch, not in a shrinkage block."""
    conf = scenario.organisation.secretaries[i]
    start, end = conf.shift_minutes(scenario.calendar)
    lunch, lunch_minutes = clock_minutes(conf.lunch_start), conf.lunch_minutes
    inside = (t >= start) & (t < end)
    if lunch_minutes > 0:
        inside &= ~((t >= lunch) & (t < lunch + lunch_minutes))
    p = inside.astype(float)
    shrink = scenario.absence.shrinkage
    if shrink.share <= 0:
        return p
    work = end - start - lunch_minutes
    _, slot, length = shrinkage_layout(work, shrink.share, shrink.block_minutes)
    morning = morning_work(start, end, lunch, lunch_minutes)
    w = np.array([clock_to_work(x, start, morning, lunch_minutes) for x in t.tolist()])  # her working time
    x = w - np.floor(w / slot) * slot  # within its slot
    room = slot - length  # the block starts at u * room in its slot, u uniform
    blocked = np.ones_like(x) if room <= 0 else \
        np.clip(x / room, 0, 1) - np.clip((x - length) / room, 0, 1)
    return p * (1 - blocked)


def expected_coverage(scenario: Scenario, step: float = STEP) -> dict[str, float]:
    """Each department's expected coverage over the measured opening time (see the module's docstring)."""
    cal = WorkCalendar.from_config(scenario.calendar, scenario.run.days, scenario.run.warmup_days)
    net = Network.of(scenario)
    weekdays = [sec.weekday_numbers(scenario.calendar) for sec in scenario.organisation.secretaries]
    days = cal.working_days()
    free = free_by_day(scenario, len(days))
    k = max(1, math.ceil((cal.close_minute - cal.open_minute) / step))
    h = (cal.close_minute - cal.open_minute) / k
    t = cal.open_minute + h * (np.arange(k) + 0.5)
    desk = [at_work(scenario, i, t) for i in range(len(weekdays))]
    out = {}
    for d, name in enumerate(net.departments):
        serving = net.serving(d)
        covered = 0.0
        for n in range(cal.warmup_days, len(days)):
            weekday = days[n] % 7  # working days are calendar day numbers, day 0 a Monday
            away = np.ones(k)
            for i in serving:
                if weekday in weekdays[i]:
                    away *= 1 - free[n] * desk[i]
            covered += float(np.mean(1 - away))
        out[name] = covered / (len(days) - cal.warmup_days)
    return out


def controlled_share(events: Sequence[float], totals: Sequence[float], control: Sequence[float],
                     expected: float) -> float | None:
    """The pooled share ``sum(events) / sum(totals)`` corrected by the control variate: minus the slope of the
    replications' share residuals on ``control`` times how far the control's mean lies from ``expected``
    (clipped to [0, 1]). Without a spread in the control (or fewer than 3 replications): the pooled share; a
    spread below :data:`NO_SPREAD` is rounding (the same coverage summed in another order), not a spread; and
    where ``expected`` lies further outside the replications' range of the control than that range is wide, the
    pooled share too (a slope fitted on 0.794..0.801 is no guide at 0.697)."""
    total = float(sum(totals))
    if total <= 0:
        return None
    p = float(sum(events)) / total
    n = len(totals)
    x = np.asarray(control, dtype=float)
    if n < 3 or float(np.ptp(x)) <= NO_SPREAD:
        return p
    if not x.min() - np.ptp(x) <= expected <= x.max() + np.ptp(x):
        # the replications never came near the control's expectation (few, short runs in which nobody was ill):
        # the fitted line would be extrapolated far beyond its data, so the plain share is the estimate
        return p
    z = (np.asarray(events, dtype=float) - p * np.asarray(totals, dtype=float)) / (total / n)
    dx = x - x.mean()
    slope = float(np.dot(z, dx) / np.dot(dx, dx))
    return min(1.0, max(0.0, p - slope * (float(x.mean()) - expected)))


__all__ = ["STEP", "CONTROLLED", "free_by_day", "at_work", "expected_coverage", "controlled_share"]
