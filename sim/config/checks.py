"""The checks of a config that span its sections, run once each section is valid on its own
(:class:`sim.config.schema.Scenario` calls them in this order; the first that fails names the field).

- :func:`check_secretaries`: each secretary's hours, days and lunch against the calendar;
- :func:`check_norms_possible`: no fixed work time longer than its norm; meetings within opening hours;
- :func:`check_work`: the work guard, the arrivals and shrinkage blocks the horizon would draw;
- :func:`check_request_types`: skills and competences name request types the demand has;
- :func:`check_uncertainty`: each ``uncertainty`` entry names a parameter or a number of the config;
- :func:`check_hnw`: HNW multipliers name request types the demand has.

The routing network's checks (who may serve whom) run once the scenario is valid (:mod:`sim.config.network`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.config.errors import _hint
from sim.config.models import (
    HNW,
    MAX_EXPECTED_REQUESTS,
    MAX_PROFILE_SLOTS,
    UNCERTAIN_PARAMETERS,
    Absence,
    Calendar,
    Demand,
    Model,
    OrganisationSpec,
    Profile,
    Run,
    UncertainInput,
    clock_minutes,
    resolve_profile,
    spread_slots,
)


def check_secretaries(cal: Calendar, organisation: OrganisationSpec) -> None:
    """Each secretary's hours, days and a lunch her config gives fit the calendar."""
    open_m, close_m = clock_minutes(cal.open), clock_minutes(cal.close)
    for i, sec in enumerate(organisation.secretaries):
        start = clock_minutes(sec.start or cal.open)
        end = clock_minutes(sec.end or cal.close)
        where = f"organisation.secretaries[{i}]"
        if start >= end:
            raise ValueError(f"{where}.end: {sec.end or cal.close} is not after start {sec.start or cal.open}")
        days = sec.days if sec.days is not None else cal.working_days
        if not set(days) & set(cal.working_days):
            raise ValueError(f"{where}.days: she works on none of the calendar's working days")
        lunch = clock_minutes(sec.lunch_start)
        # a lunch the config does not give is planned once the scenario is valid (sim.config.lunches)
        given = "lunch_start" in sec.model_fields_set
        if given and sec.lunch_minutes > 0 and not (start <= lunch and lunch + sec.lunch_minutes <= end):
            raise ValueError(f"{where}.lunch_start: lunch {sec.lunch_start} (+{sec.lunch_minutes:g} min) "
                             f"falls outside her hours {sec.start or cal.open}-{sec.end or cal.close}")
        if end - start - sec.lunch_minutes <= 0:
            raise ValueError(f"{where}: no working hours left after lunch")
        if end <= open_m or start >= close_m:
            raise ValueError(f"{where}: her hours lie entirely outside the opening hours")


def check_norms_possible(demand: Demand, cal: Calendar) -> None:
    """No request type's fixed work exceeds its norm; meetings start within opening hours."""
    open_m = clock_minutes(cal.open)
    for name, task in demand.tasks.items():
        # a task whose fixed work already exceeds its norm can never be done in time
        if task.work_minutes.dist == "deterministic" and task.work_minutes.mean / 60 > task.norm_working_hours:
            raise ValueError(
                f"demand.tasks.{name}.norm_working_hours: {task.norm_working_hours:g} h is less than its "
                f"fixed work time {task.work_minutes.mean:g} min; the norm cannot be met"
            )
    if demand.meetings is not None:
        m = demand.meetings
        if m.writing_minutes_per_meeting_hour / 60 * m.duration_minutes.mean / 60 > m.norm_working_hours and \
                m.duration_minutes.dist == "deterministic":
            raise ValueError("demand.meetings.norm_working_hours: shorter than the fixed writing time")
        if clock_minutes(m.latest_start) >= clock_minutes(cal.close) or \
                clock_minutes(m.earliest_start) < open_m:
            raise ValueError("demand.meetings.earliest_start: meetings must start within opening hours")


def check_work(run: Run, cal: Calendar, organisation: OrganisationSpec, absence: Absence, demand: Demand,
               hnw: HNW | None) -> None:
    """The work guard: the arrivals the generators will draw over the horizon, counting every HNW multiplier
    and the candidates that thinning draws at each day profile's peak rate, and the size of every profile
    after an HNW spread."""
    mult = hnw.multipliers if hnw is not None else {}
    volume = sum(d.staff * d.demand_factor for d in organisation.departments)
    draws = 0.0
    sources: list[tuple[str, float, Profile | None]] = [
        ("calls", demand.calls.per_staff_per_day * mult.get("calls", 1.0),
         resolve_profile(demand.calls.profile))]
    for name, task in demand.tasks.items():
        profile = resolve_profile(task.profile) if task.arrivals == "spread" else None
        sources.append((name, task.per_staff_per_day * mult.get(name, 1.0), profile))
    for name, rate, profile in sources:
        factor = 1.0
        if profile is not None:
            where = "demand.calls.profile" if name == "calls" else f"demand.tasks.{name}.profile"
            factor = thinning_factor(profile, hnw, where)
        draws += volume * rate * factor
    days = run.days + run.warmup_days
    expected = draws * days
    blocks = shrinkage_blocks(cal, organisation, absence) * days
    if not blocks <= MAX_EXPECTED_REQUESTS:
        raise ValueError(
            f"absence.shrinkage.block_minutes: about {blocks:.3g} blocks of shrinkage over {days} days would run "
            f"for hours; at most {MAX_EXPECTED_REQUESTS:.0e} (longer blocks, or fewer days)")
    if not expected <= MAX_EXPECTED_REQUESTS:
        raise ValueError(
            f"demand: about {expected:.3g} requests over {days} days (counting HNW multipliers and the "
            f"draws of each day profile at its peak rate) would run for hours; at most "
            f"{MAX_EXPECTED_REQUESTS:.0e} (fewer days, lower rates, or a flatter profile)"
        )


def shrinkage_blocks(cal: Calendar, organisation: OrganisationSpec, absence: Absence) -> float:
    """Blocks of shrinkage a day at most (every secretary at work), as sim.core.organisation.shrinkage_layout
    cuts them: each is a few events, so they count in the work guard as requests do."""
    shrink = absence.shrinkage
    if shrink.share <= 0:
        return 0.0
    total = 0.0
    for sec in organisation.secretaries:
        work = shrink.share * max(sec.working_minutes_per_day(cal), 0.0)
        total += max(1.0, round(work / shrink.block_minutes)) if work > 0 else 0.0
    return total


def thinning_factor(profile: Profile, hnw: HNW | None, where: str) -> float:
    """Arrival candidates drawn per request by thinning over ``profile`` (after an HNW spread, as
    :func:`sim.config.models.spread_profile` builds it): candidates come at the peak rate over the whole profile,
    so a narrow spike in a long profile of tiny slots costs as many draws as its peak implies."""
    weights, slot, total = profile.weights, profile.slot_minutes, sum(profile.weights)
    share = 0.0
    n = len(weights)
    if hnw is not None and hnw.spread_hours > 0 and hnw.spread_share > 0:
        before, after = spread_slots(profile, hnw.spread_hours)
        n += before + after
        share = hnw.spread_share
        if n > MAX_PROFILE_SLOTS:
            raise ValueError(f"hnw.spread_hours: spreading {where} (slots of {slot:g} min) gives {n:,} slots; "
                             f"at most {MAX_PROFILE_SLOTS:,} (longer slots, or a smaller spread)")
    return share + (1 - share) * max(weights) * n / total


def check_request_types(organisation: OrganisationSpec, demand: Demand) -> None:
    """Each secretary's skills and competences name request types the demand has."""
    types = set(demand.type_names())
    for i, sec in enumerate(organisation.secretaries):
        for key in sec.skills:
            if key not in types:
                raise ValueError(
                    f"organisation.secretaries[{i}].skills.{key}: unknown request type{_hint(key, types)}; "
                    f"known: {', '.join(sorted(types))}"
                )
    for i, sec in enumerate(organisation.secretaries):
        for j, key in enumerate(sec.competences or []):
            if key not in types:
                raise ValueError(
                    f"organisation.secretaries[{i}].competences[{j}]: unknown request type{_hint(key, types)}; "
                    f"known: {', '.join(sorted(types))}"
                )


def check_uncertainty(uncertainty: Mapping[str, UncertainInput], config: Model) -> None:
    """Every ``uncertainty`` entry names a parameter of ``sim sensitivity`` or a number of the config."""
    if not uncertainty:
        return
    data: Any = config.model_dump(mode="json")
    for key in uncertainty:
        if "." not in key:
            if key not in UNCERTAIN_PARAMETERS:
                raise ValueError(f"uncertainty.{key}: neither a parameter{_hint(key, UNCERTAIN_PARAMETERS)} "
                                 f"({', '.join(UNCERTAIN_PARAMETERS)}) nor a dotted path to a number of the config")
            continue
        node: Any = data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                known = sorted(node) if isinstance(node, dict) else []
                raise ValueError(f"uncertainty.{key}: no field {part!r} here{_hint(part, known)}"
                                 + (f"; known: {', '.join(known)}" if known else ""))
            node = node[part]
        if isinstance(node, bool) or not isinstance(node, int | float):
            raise ValueError(f"uncertainty.{key}: not a number in this config")


def check_hnw(hnw: HNW | None, demand: Demand) -> None:
    """HNW multipliers name request types the demand has."""
    if hnw is None:
        return
    known = {"calls", "meetings", *demand.tasks}
    for key in hnw.multipliers:
        if key not in known:
            raise ValueError(
                f"hnw.multipliers.{key}: unknown request type{_hint(key, known)}; "
                f"known: {', '.join(sorted(known))}"
            )


__all__ = ["check_hnw", "check_norms_possible", "check_request_types", "check_secretaries", "check_uncertainty",
           "check_work", "shrinkage_blocks", "thinning_factor"]
