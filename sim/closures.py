"""Days the secretariat is closed although they are working days: public holidays (from the maintained
``holidays`` package, an optional extra: ``pip install 'secretariat-sim[calendar]'``) and the municipality's own
closing days (``calendar.closed``). Used by ``sim calibrate`` to leave such days out of the rates."""

from __future__ import annotations

from datetime import date

from sim.config import ConfigError


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


def closed_days(holidays_country: str | None, closed: list[date], first: date, last: date) -> dict[date, str]:
    """Every day from ``first`` to ``last`` that is a public holiday or a closing day of the config: date ->
    why."""
    out: dict[date, str] = {}
    if holidays_country:
        for d, name in public_holidays(holidays_country, list(range(first.year, last.year + 1))).items():
            if first <= d <= last:
                out[d] = f"{name} ({holidays_country} public holiday)"
    for d in closed:
        if first <= d <= last:
            out[d] = "closed (calendar.closed)"
    return out


def holiday_name(day: date, country: str = "NL") -> str | None:
    """The name of a public holiday on ``day``, or None (also when the holidays package is not installed)."""
    try:
        return public_holidays(country, [day.year]).get(day)
    except ConfigError:
        return None


__all__ = ["closed_days", "holiday_name", "public_holidays"]
