"""Days the secretariat is closed although they are working days: public holidays (from the maintained
``holidays`` package, an optional extra: ``pip install 'secretariat-sim[calendar]'``) and the municipality's own
closing days (``calendar.closed``). Used by ``sim calibrate`` to leave such days out of the rates."""

from __future__ import annotations

from datetime import date, timedelta

from sim.config import Calendar, ConfigError


def public_holidays(country: str, years: list[int]) -> dict[date, str]:
    """The public holidays of a country (``NL``) in the given years: date -> name."""
    try:
        import holidays
    except ImportError:
        raise ConfigError("calendar.holidays", f"{country!r} needs the holidays package: pip install "
                          "'secretariat-sim[calendar]' (or pip install holidays)") from None
    try:
        found = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        raise ConfigError("calendar.holidays", f"{country!r} is not a country the holidays package knows "
                          "(use a code such as NL)") from None
    return {d: str(name) for d, name in sorted(found.items())}


def closed_days(holidays_country: str | None, closed: list[date], first: date, last: date,
                open_on: list[date] | None = None) -> dict[date, str]:
    """Every day from ``first`` to ``last`` that is a public holiday (unless in ``open_on``) or a closing day of
    the config: date -> why."""
    out: dict[date, str] = {}
    if holidays_country:
        for d, name in public_holidays(holidays_country, list(range(first.year, last.year + 1))).items():
            if first <= d <= last and d not in (open_on or []):
                out[d] = f"{name} ({holidays_country} public holiday)"
    for d in closed:
        if first <= d <= last:
            out[d] = "closed (calendar.closed)"
    return out


def closed_day_numbers(cal: Calendar, working_days: int, weekdays: list[int]) -> frozenset[int]:
    """The model's day numbers (day 0 is ``calendar.start_date``) of the public holidays and closing days that
    fall on a working weekday within the run (its ``working_days`` working days, extended by the closed ones)."""
    # the run's calendar days: enough weeks for the working days and every closed day among them
    weeks = working_days // max(1, len(weekdays)) + 2
    first = cal.start_date
    last = first + timedelta(days=7 * weeks)
    for _ in range(10):  # each round extends the horizon by the closed days found
        days = closed_days(cal.holidays, list(cal.closed), first, last, list(cal.open_on))
        numbers = frozenset((d - first).days for d in days if d.weekday() in weekdays)
        needed = (working_days + len(numbers)) // max(1, len(weekdays)) + 2
        if needed <= weeks:
            return numbers
        weeks = needed
        last = first + timedelta(days=7 * weeks)
    return numbers


def holiday_name(day: date, country: str = "NL") -> str | None:
    """The name of a public holiday on ``day``, or None (also when the holidays package is not installed)."""
    try:
        return public_holidays(country, [day.year]).get(day)
    except ConfigError:
        return None


__all__ = ["closed_day_numbers", "closed_days", "holiday_name", "public_holidays"]
