"""Time and the working calendar.

The model's single time unit is the **minute**, counted from 00:00 on the Monday of week 0. Day ``d`` starts
at ``d * MINUTES_PER_DAY`` (1440); weekday ``d % 7`` (0 = Monday). Clock times, working days and "working time"
(opening hours on working days, the time that norms such as "within 2 working days" count) are converted here
and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from sim import config
from sim.config import WEEKDAYS, Calendar, clock_minutes

DAYS_PER_WEEK: Final = 7
#: The day's length, ``sim.config.MINUTES_PER_DAY`` (its one definition; checked equal on import), repeated here
#: as literals because mypyc inlines a literal ``Final`` into the compiled hot code, where a name imported from a
#: pure-Python module is a dictionary lookup at every use (benchmarks/realistic.py: central 1.83 -> 1.77 x the floor)
MINUTES_PER_DAY: Final = 1440.0
#: the same as an int, for the integer arithmetic of :func:`day_of` and :func:`hour_of_day`
WHOLE_DAY: Final = 1440
if MINUTES_PER_DAY != config.MINUTES_PER_DAY:  # pragma: no cover - a guard against the two drifting apart
    raise ImportError("sim.core.calendar: MINUTES_PER_DAY differs from sim.config.MINUTES_PER_DAY")


@dataclass(frozen=True)
class WorkCalendar:
    """Opening hours on working days, and the run's horizon in minutes."""

    open_minute: float
    close_minute: float
    weekdays: frozenset[int]
    warmup_days: int
    days: int
    #: day numbers closed although their weekday is a working day (calendar.holidays and calendar.closed)
    closed: frozenset[int] = frozenset()
    #: whether each weekday (0 = Monday) is a working day, filled on first use (a list index is cheaper than a
    #: set lookup on every event)
    _workday: list[bool] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_config(cls, cal: Calendar, days: int, warmup_days: int) -> WorkCalendar:
        weekdays = frozenset(WEEKDAYS.index(d) for d in cal.working_days)
        closed: frozenset[int] = frozenset()
        if cal.holidays or cal.closed:
            from sim.core.closures import closed_day_numbers  # the holidays package: only when a config asks

            closed = closed_day_numbers(cal, warmup_days + days, sorted(weekdays))
        return cls(
            open_minute=clock_minutes(cal.open),
            close_minute=clock_minutes(cal.close),
            weekdays=weekdays,
            warmup_days=warmup_days,
            days=days,
            closed=closed,
        )

    # -- days ------------------------------------------------------------------------------------------
    def is_working_day(self, day: int) -> bool:
        workday = self._workday
        if not workday:
            workday += [d in self.weekdays for d in range(DAYS_PER_WEEK)]
        if self.closed and day in self.closed:
            return False
        return workday[day % DAYS_PER_WEEK]

    def working_days(self) -> WorkingDays:
        """Calendar day numbers of every working day in the horizon (warm-up first; closed days skipped)."""
        return WorkingDays(sorted(self.weekdays), self.warmup_days + self.days, 0, self.closed)

    @property
    def open_per_day(self) -> float:
        return self.close_minute - self.open_minute

    def horizon(self) -> tuple[float, float]:
        """(start of measurement, end of run) in minutes: midnight before the first measured working day, and
        midnight after the last one."""
        days = self.working_days()
        start = days[self.warmup_days] * MINUTES_PER_DAY
        end = (days[-1] + 1) * MINUTES_PER_DAY
        return start, end

    # -- moments -----------------------------------------------------------------------------------------
    def is_open(self, t: float) -> bool:
        day = day_of(t)
        tod = t - day * MINUTES_PER_DAY
        return self.is_working_day(day) and self.open_minute <= tod < self.close_minute

    def add_working_time(self, t: float, minutes: float) -> float:
        """The moment when ``minutes`` of opening time have passed after ``t``."""
        day = day_of(t)
        tod = t - day * MINUTES_PER_DAY
        per_day = self.open_per_day
        # first the rest of today, if today is open and we are before closing
        if self.is_working_day(day) and tod < self.close_minute:
            begin = max(tod, self.open_minute)
            left_today = self.close_minute - begin
            if minutes <= left_today:
                return day * MINUTES_PER_DAY + begin + minutes
            minutes -= left_today
        # whole working days
        while True:
            day += 1
            if not self.is_working_day(day):
                continue
            if minutes <= per_day:
                return day * MINUTES_PER_DAY + self.open_minute + minutes
            minutes -= per_day

    def open_minutes(self, start: float, end: float) -> float:
        """Minutes of opening time in [start, end): the working time between two moments.

        A loop over the days rather than a generator of intervals: it runs for every task done, every hold of
        custom work and every change of presence, and a compiled generator costs an object and a call per
        interval. The pieces are summed day by day from 0.0, in order (what ``sum`` over the intervals gave)."""
        total = 0.0
        day = int(start // MINUTES_PER_DAY)
        while day * MINUTES_PER_DAY < end:
            if self.is_working_day(day):
                a = max(start, day * MINUTES_PER_DAY + self.open_minute)
                b = min(end, day * MINUTES_PER_DAY + self.close_minute)
                if b > a:
                    total += b - a
            day += 1
        return total


class WorkingDays:
    """The day numbers of the first ``count`` working days (from the ``first``-th on), working days being the
    given weekdays (0 = Monday) of every week: a sequence computed from the weekly pattern, so that its memory
    does not grow with the horizon."""

    __slots__ = ("weekdays", "count", "first", "closed", "listed")

    def __init__(self, weekdays: list[int], count: int, first: int = 0,
                 closed: frozenset[int] = frozenset()) -> None:
        if not weekdays:
            raise ValueError("no working days in the week")
        self.weekdays = weekdays  # sorted
        self.count = count
        self.first = first
        self.closed = closed
        #: with closed days, the day numbers listed (the weekly pattern no longer gives them)
        self.listed: list[int] = []
        if closed:
            k = 0
            per_week = len(weekdays)
            while len(self.listed) < count:
                day = k // per_week * DAYS_PER_WEEK + weekdays[k % per_week]
                if day not in closed:
                    self.listed.append(day)
                k += 1

    def __len__(self) -> int:
        return max(0, self.count - self.first)

    def __getitem__(self, i: int) -> int:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("working day index out of range")
        k = self.first + i
        if self.closed:
            return self.listed[k]
        per_week = len(self.weekdays)
        return k // per_week * DAYS_PER_WEEK + self.weekdays[k % per_week]

    def __iter__(self) -> Iterator[int]:
        if self.closed:
            for k in range(self.first, self.count):
                yield self.listed[k]
            return
        per_week = len(self.weekdays)
        for k in range(self.first, self.count):
            yield k // per_week * DAYS_PER_WEEK + self.weekdays[k % per_week]

    def from_(self, i: int) -> WorkingDays:
        """The working days from the ``i``-th on."""
        return WorkingDays(self.weekdays, self.count, self.first + i, self.closed)


# ---------------------------------------------------------------- a secretary's day: working and clock time
# Her working time runs from her start until lunch (her *morning*), stops for lunch, and runs on after it. These
# two functions are the one mapping between her working minutes and clock minutes (the roster places shrinkage
# blocks by working time, sim.decisions.staffing.control asks for the working minute at a clock time).
def morning_work(start: float, end: float, lunch: float, lunch_minutes: float) -> float:
    """Her working minutes before lunch, from her hours ``start``-``end`` and lunch (all of them without lunch)."""
    return lunch - start if lunch_minutes > 0 else end - start - lunch_minutes


def work_to_clock(w: float, start: float, morning: float, lunch_minutes: float, ending: bool = False) -> float:
    """The clock minute of her working minute ``w``: after ``morning`` minutes of work comes lunch. The moment
    her morning ends is the end of a stretch that ends there (``ending``), else the start of the afternoon."""
    if w < morning or (ending and w == morning):
        return start + w
    return start + w + lunch_minutes


def clock_to_work(t: float, start: float, morning: float, lunch_minutes: float) -> float:
    """Her working minute at clock minute ``t`` (the inverse of :func:`work_to_clock`; at lunch, as after it)."""
    return t - start if t < start + morning else t - start - lunch_minutes


# Moments are never negative, so the day and the clock hour of one follow from its whole minutes in integer
# arithmetic: the same numbers as ``t // MINUTES_PER_DAY`` and ``(t % MINUTES_PER_DAY) // 60``, without float
# division and modulo (a noticeable share of the run time when compiled).
def day_of(t: float) -> int:
    """The day number of a moment ``t >= 0``."""
    return int(t) // WHOLE_DAY


def hour_of_day(t: float) -> int:
    """The clock hour (0 to 23) of a moment ``t >= 0``."""
    return int(t) % WHOLE_DAY // 60


def add_by_hour(hours: list[float], start: float, end: float) -> None:
    """Add the minutes of the interval [start, end) to ``hours`` (24 items) by clock hour.

    A loop rather than a generator of pieces: it runs for every presence interval, and compiled a generator
    costs an object and a call per piece; nothing is kept, so memory does not grow with the interval (a
    secretary on duty round the clock is present for the whole run)."""
    t = start
    while t < end:
        nxt = min(end, (t // 60 + 1) * 60)
        h = hour_of_day(t)
        hours[h] = hours[h] + (nxt - t)  # not +=: compiled, += on a list item is a generic call
        t = nxt


__all__ = ["MINUTES_PER_DAY", "WHOLE_DAY", "clock_to_work", "morning_work", "work_to_clock", "WorkCalendar",
           "WorkingDays", "add_by_hour", "day_of", "hour_of_day"]
