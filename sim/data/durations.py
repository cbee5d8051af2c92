"""Durations and date-times as phone and ticket systems write them, read by one parser per column.

A duration column may hold plain numbers (seconds, minutes or hours; a decimal comma is allowed), clock-style
``mm:ss`` or ``h:mm:ss`` text, Excel time fractions (a day is 1.0, so 85 seconds is 0.000984), or the time and
time-delta cells that a spreadsheet reader gives for time-formatted cells. The unit is decided **per column**,
once, from (in this order) an explicit ``--map calls.wait_unit=...``, the column's name (``Wachttijd (s)``,
``wait_seconds``, ``Duur (min)``), and the values themselves (clock text, or numbers that are all below one day
with the fine fractions of Excel times). A column whose numbers say nothing about their unit is refused with one
line naming the column and the option that settles it; a column that mixes clock text and plain numbers (other
than 0) is refused too. Every value comes out in **seconds**; the caller converts.

Date-times: ISO text, day-month-year with ``-``, ``/`` or ``.`` (month-day-year when a column's second field
goes above 12 and its first never does), date-time cells, and Excel serial numbers (days since 1899-12-30).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

#: Units of plain numbers, in seconds.
NUMBER_UNITS: dict[str, float] = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
#: Every unit a column may be declared in (``--map calls.wait_unit=...``).
UNIT_CHOICES = (*NUMBER_UNITS, "excel", "mm:ss", "h:mm:ss", "h:mm", "auto")

_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:[.,]\d*)?))?$")
_NAME_UNITS = (
    ("seconds", re.compile(r"(\(s\)|\[s\]|\bsec\b|\bsecs\b|second|seconde|\bsec\.|_s$|\bs$)", re.I)),
    ("minutes", re.compile(r"(\(min\)|\[min\]|\(m\)|\bmin\b|\bmins\b|minute|minuut|minuten|_min$|\bmin\.)", re.I)),
    ("hours", re.compile(r"(\(h\)|\(u\)|\[h\]|\bhours?\b|\buur\b|\buren\b|_h$)", re.I)),
)


class DurationError(ValueError):
    """A value or a column that is not a duration (with the row, 0-based among the values, or None for the
    column as a whole)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def unit_from_name(name: str) -> str | None:
    """The unit a column's name states (``Wachttijd (s)`` seconds, ``duration_minutes`` minutes), if any."""
    for unit, pattern in _NAME_UNITS:
        if pattern.search(name.replace("_", " ")) or pattern.search(name):
            return unit
    return None


def _number_text(text: str) -> float | None:
    """A number written with a decimal point or comma (``45,5``; ``1.234,5``; ``1,234.5``), or None."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not t:
        return None
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _clock_parts(text: str) -> tuple[int, int, float | None] | None:
    m = _HMS.match(text.strip())
    if not m:
        return None
    third = m.group(3)
    return int(m.group(1)), int(m.group(2)), None if third is None else float(third.replace(",", "."))


def parse_durations(cells: Sequence[Any], column: str, unit: str = "auto",
                    key: str = "calls.wait_unit") -> tuple[np.ndarray, str]:
    """The durations of one column in seconds (nan where blank) and how the unit was decided, in words.

    Raises :class:`DurationError` for a value that is not a duration (with its index) or for a column whose
    unit cannot be told (index None); ``key`` is the mapping that declares the unit, named in that message."""
    n = len(cells)
    out = np.full(n, math.nan)
    if unit not in UNIT_CHOICES:
        raise DurationError(f"unit {unit!r}: one of {', '.join(UNIT_CHOICES)}")
    # classify every cell once
    kinds: list[str] = []  # blank, number, clock2, clock3, delta
    numbers = np.full(n, math.nan)
    clocks: list[tuple[int, int, float | None] | None] = [None] * n
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            kinds.append("blank")
        elif isinstance(cell, bool):
            raise DurationError(f"{cell!r} is not a duration", i)
        elif isinstance(cell, int | float):
            numbers[i] = float(cell)
            kinds.append("number")
        elif isinstance(cell, timedelta):
            out[i] = cell.total_seconds()
            kinds.append("delta")
        elif isinstance(cell, time):
            out[i] = cell.hour * 3600 + cell.minute * 60 + cell.second + cell.microsecond / 1e6
            kinds.append("delta")
        elif isinstance(cell, datetime):  # a spreadsheet's time of more than 24 h: a date-time from 1899-12-30
            out[i] = (cell - datetime(1899, 12, 30)).total_seconds()
            kinds.append("delta")
        else:
            text = str(cell).strip()
            parts = _clock_parts(text)
            if parts is not None:
                clocks[i] = parts
                kinds.append("clock2" if parts[2] is None else "clock3")
                continue
            value = _number_text(text)
            if value is None:
                raise DurationError(f"{text!r} is not a duration (seconds, minutes, mm:ss or h:mm:ss)", i)
            numbers[i] = value
            kinds.append("number")
    kind_arr = np.array(kinds) if kinds else np.array([], dtype=str)
    is_num = kind_arr == "number"
    is_clock = (kind_arr == "clock2") | (kind_arr == "clock3")
    num = numbers[is_num]
    if not np.isfinite(num).all():
        bad = int(np.flatnonzero(is_num)[np.flatnonzero(~np.isfinite(num))[0]])
        raise DurationError(f"{cells[bad]!r} is not a number (leave the cell empty where a duration is unknown)",
                            bad)

    how: list[str] = []
    if is_clock.any():
        if is_num.any() and (num != 0).any():
            first = int(np.flatnonzero(is_num)[np.flatnonzero(num != 0)[0]])
            raise DurationError(f"column {column!r} mixes clock times (h:mm:ss) and plain numbers ({cells[first]!r}"
                                f"); say which the numbers are with --map {key}=..., or export one format")
        two = kind_arr == "clock2"
        two_unit = "h:mm" if unit == "h:mm" else "mm:ss"
        for i in np.flatnonzero(is_clock).tolist():
            h, m, s = clocks[i]  # type: ignore[misc]
            if s is None:  # two parts: minutes and seconds (or hours and minutes, if declared so)
                if m >= 60:
                    raise DurationError(f"{cells[i]!r}: {m} is not minutes or seconds (00-59)", i)
                out[i] = h * 3600 + m * 60 if two_unit == "h:mm" else h * 60 + m
            else:
                if m >= 60 or s >= 60:
                    raise DurationError(f"{cells[i]!r} is not h:mm:ss (minutes and seconds 00-59)", i)
                out[i] = h * 3600 + m * 60 + s
        if two.any() and (kind_arr == "clock3").any():
            how.append("h:mm:ss and mm:ss" if two_unit == "mm:ss" else "h:mm:ss and h:mm")
        elif two.any():
            how.append(two_unit + (" (declared)" if unit == "h:mm" else " (two-part clock text is read as "
                                   f"minutes:seconds; declare it with --map {key}=h:mm if it is hours:minutes)"))
        else:
            how.append("h:mm:ss")
        out[is_num] = 0.0
    if (kind_arr == "delta").any():
        how.append("spreadsheet time cells")
    if is_num.any() and not is_clock.any():
        factor, said = _number_unit(num, column, unit, key)
        out[is_num] = num * factor
        how.append(said)
    if not how:
        how.append("no values")
    # one rule for every kind of cell (numbers, clock text, spreadsheet time cells, Parquet durations): a
    # duration is not negative, and not longer than a week (a wrong unit, or a date read as a time)
    bad_at = np.flatnonzero((out < 0) | (out > MAX_DURATION_SECONDS))
    if len(bad_at):
        i = int(bad_at[0])
        why = "a duration cannot be negative" if out[i] < 0 else \
            f"{out[i] / 86400:,.3g} days is not a duration of a call or a task (at most a week; is the unit right?)"
        raise DurationError(f"{_shown(cells[i])}: {why}", i)
    return out, "; ".join(how)


#: The longest duration a call, a wait or a piece of work may take: a week, in seconds.
MAX_DURATION_SECONDS = 7 * 86400.0


def _shown(cell: Any) -> str:
    if isinstance(cell, timedelta):
        return repr(str(cell))
    return repr(cell)


def _looks_like_excel_fractions(num: np.ndarray) -> bool:
    """Numbers that are Excel times: all below one day, some positive, and whole seconds once scaled by 86,400
    while not whole numbers themselves."""
    pos = num[num > 0]
    if not len(pos) or (num >= 1).any():
        return False
    scaled = pos * 86400
    whole = np.abs(scaled - np.round(scaled)) < 1e-3
    return bool(whole.mean() > 0.95 and (pos < 0.1).mean() > 0.5)


def _number_unit(num: np.ndarray, column: str, unit: str, key: str) -> tuple[float, str]:
    if unit in NUMBER_UNITS:
        return NUMBER_UNITS[unit], f"{unit} (declared)"
    if unit == "excel":
        return 86400.0, "Excel time fractions of a day (declared)"
    if unit in ("mm:ss", "h:mm:ss", "h:mm"):
        raise DurationError(f"column {column!r} is declared {unit} but holds plain numbers")
    excel = _looks_like_excel_fractions(num)
    named = unit_from_name(column)
    if named is not None:
        if excel and named in ("seconds", "minutes"):
            raise DurationError(
                f"column {column!r} says {named} in its name but every value is below 1 with the fractions of "
                f"Excel times (e.g. {float(num[num > 0][0]):g}); say which with --map {key}=excel or {key}={named}")
        return NUMBER_UNITS[named], f"{named} (from the column name)"
    if excel:
        return 86400.0, "Excel time fractions of a day (all values below 1, whole seconds when scaled)"
    if not len(num) or (num == 0).all():
        return 1.0, "no non-zero values"
    raise DurationError(f"column {column!r} holds plain numbers without a unit (its name says none); say which "
                        f"with --map {key}=seconds (or minutes, hours, excel)")


# ------------------------------------------------------------------------------------------------ date-times
EXCEL_EPOCH = datetime(1899, 12, 30)
_DATE = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?$")


class DateTimeError(ValueError):
    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def parse_datetimes(cells: Sequence[Any], column: str, zone: str | None = None,
                    key: str = "calls.timezone") -> tuple[list[datetime], str]:
    """The date-times of one column (local clock times, without a time zone) and how they were read, in words.
    Day-month-year unless the column's first field goes above 12 in no row and its second does in some (then
    month-day-year).

    A time with a UTC offset (``2025-01-06T08:00:00Z``, ``...+01:00``) is never read by dropping the offset
    unnoticed: with ``zone`` (an IANA name such as ``Europe/Amsterdam``, declared by ``key``) every such time
    is converted to that zone's clock time (summer time included) and times without an offset are taken as
    that zone's already; without ``zone``, a column whose times all carry one and the same offset is read as
    the clock times written (said in the words returned), and a column that mixes offsets, or times with and
    without one, is refused."""
    tz = _zone(zone, key) if zone else None
    parsed: list[tuple[int, int, int, int, int, int, int] | datetime] = []
    month_first_possible, day_first_possible = True, True
    how: set[str] = set()
    offsets: dict[Any, int] = {}  # offset -> first index
    for i, cell in enumerate(cells):
        if isinstance(cell, datetime):
            if cell.tzinfo is not None:
                offsets.setdefault(cell.utcoffset(), i)
                if tz is not None:
                    cell = cell.astimezone(tz)
                cell = cell.replace(tzinfo=None)
            else:
                offsets.setdefault(None, i)
            parsed.append(cell)
            how.add("date-time cells")
            continue
        if isinstance(cell, date):
            parsed.append(datetime(cell.year, cell.month, cell.day))
            how.add("date cells")
            continue
        if isinstance(cell, int | float) and not isinstance(cell, bool) or (
                isinstance(cell, str) and _number_text(cell) is not None and ":" not in cell and "-" not in cell
                and "/" not in cell):
            value = float(cell) if not isinstance(cell, str) else _number_text(cell)
            if value is None or not 1 <= value < 2_958_466:  # Excel's range: 1900 to 9999
                raise DateTimeError(f"{cell!r} is not a date and time", i)
            parsed.append(EXCEL_EPOCH + timedelta(seconds=round(value * 86400, 3)))
            how.add("Excel serial dates")
            continue
        text = "" if cell is None else str(cell).strip()
        try:
            iso = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            offsets.setdefault(iso.utcoffset(), i)
            if iso.tzinfo is not None and tz is not None:
                iso = iso.astimezone(tz)
            parsed.append(iso.replace(tzinfo=None))
            how.add("ISO")
            continue
        offsets.setdefault(None, i)
        m = _DATE.match(text)
        if not m:
            raise DateTimeError(f"{text!r} is not a date and time (e.g. 2025-01-06 09:15:00 or 06-01-2025 09:15)", i)
        a, b, c = (int(g) for g in m.groups()[:3])
        hh, mm, ss = (int(g) if g else 0 for g in m.groups()[3:6])
        frac = int((m.group(7) or "0")[:6].ljust(6, "0"))
        if len(m.group(1)) == 4:  # year first: y-m-d
            parsed.append(_checked(text, i, a, b, c, hh, mm, ss, frac))
            how.add("year-month-day")
            continue
        if a > 12:
            month_first_possible = False
        if b > 12:
            day_first_possible = False
        parsed.append((c, a, b, hh, mm, ss, frac))  # year, first, second: decided below
    month_first = not day_first_possible and month_first_possible
    if not day_first_possible and not month_first_possible:
        raise DateTimeError(f"column {column!r}: dates with a first field above 12 and dates with a second field "
                            "above 12: neither day-month-year nor month-day-year")
    out: list[datetime] = []
    for i, p in enumerate(parsed):
        if isinstance(p, datetime):
            out.append(p)
            continue
        year, first, second, hh, mm, ss, frac = p
        year = year + 2000 if year < 100 else year
        day, month = (second, first) if month_first else (first, second)
        out.append(_checked(str(cells[i]), i, year, month, day, hh, mm, ss, frac))
    if any(not isinstance(p, datetime) for p in parsed):
        how.add("month-day-year" if month_first else "day-month-year")
    aware = [o for o in offsets if o is not None]
    if aware and tz is not None:
        how.add(f"UTC offsets converted to {zone}")
    elif len(offsets) > 1:
        first, second = sorted(offsets.values())[:2]
        raise DateTimeError(f"{cells[second]!r}: column {column!r} mixes UTC offsets ({_offset(cells, first)} and "
                            f"{_offset(cells, second)}); say which time zone to convert them to with --map "
                            f"{key}=Europe/Amsterdam (an IANA name)", second)
    elif aware:
        how.add(f"clock times as written, at UTC offset {_offset(cells, offsets[aware[0]])}")
    return out, ", ".join(sorted(how)) or "no values"


def _offset(cells: Sequence[Any], i: int) -> str:
    """The UTC offset of cell ``i`` as ISO writes it (``+01:00``), or "no offset"."""
    cell = cells[i]
    try:
        when = cell if isinstance(cell, datetime) else datetime.fromisoformat(str(cell).strip())
    except ValueError:
        return "no offset"
    offset = when.utcoffset()
    if offset is None:
        return "no offset"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone(name: str, key: str) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DateTimeError(f"--map {key}={name}: not a time zone; give an IANA name such as Europe/Amsterdam") \
            from None


def _checked(text: str, i: int, y: int, mo: int, d: int, hh: int, mm: int, ss: int, us: int) -> datetime:
    try:
        return datetime(y, mo, d, hh, mm, ss, us)
    except ValueError:
        raise DateTimeError(f"{text!r} is not a date and time", i) from None


__all__ = ["NUMBER_UNITS", "UNIT_CHOICES", "DateTimeError", "DurationError", "parse_datetimes", "parse_durations",
           "unit_from_name"]
