"""The sections of a config file, as immutable pydantic models (the whole scenario: :mod:`sim.config.schema`).

A *scenario* describes one secretariat setup and the demand it faces: the calendar, the departments and
secretaries (decentralised, or a central pool in clusters), how work is dispatched and exchanged, absence, the
request types with their arrival patterns, work times and norms, and optionally a Het Nieuwe Werken (HNW)
transformation of demand. It is plain, immutable data (pydantic models, validated once at the edge, when a
config is loaded: :mod:`sim.config.loading`); the model never reads files.

A config model that describes something the running model also has as an object is named ``...Spec``:
``SecretarySpec`` is what a config says about a secretary, :class:`sim.core.organisation.Secretary` the one at work
in a run; likewise ``OrganisationSpec``, ``CallsSpec`` (calls as demand; a call at runtime is a ``Call``) and
``MeetingsSpec``.

Units are in the field names: ``*_minutes``, ``*_seconds``, ``*_hours``, ``per_day``, ``per_week``. Norms for
back-office work count *working* hours (opening hours on working days), as municipal norms do ("within 2
working days"). Clock times are "HH:MM" strings.

Every default that comes from a public source cites it; every other number is an assumption and says so.

Each model checks what lies within its own section; the checks that span sections are in
:mod:`sim.config.checks`, run by :class:`sim.config.schema.Scenario` once every section is valid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from sim.config.errors import _hint

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CLOCK = re.compile(r"^(([01]?\d|2[0-3]):([0-5]\d)|24:00)$")

#: Guard against configs that would run for ever: the longest horizon accepted, in working days.
MAX_DAYS = 10 * 261
#: Guard against absurd demand (requests per staff member per day, per type).
MAX_RATE_PER_STAFF_PER_DAY = 1e6
#: Guard against runs that would not finish in reasonable time: expected requests over the whole horizon.
MAX_EXPECTED_REQUESTS = 2e8
#: Guard against day profiles that would fill memory: the most slots a profile may have, also after an HNW
#: spread widens it (one a second over a whole day).
MAX_PROFILE_SLOTS = 86_400


def _check_clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError(f"{value!r} is not a clock time; use HH:MM from 00:00 to 24:00, e.g. '08:30'")
    return value.zfill(5)  # "9:00" -> "09:00"


def _clock_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is not a clock time; write HH:MM in quotes, e.g. '08:30'")
    return value


Clock = Annotated[str, BeforeValidator(_clock_text), AfterValidator(_check_clock)]


#: Minutes in a day. The model's time is minutes since midnight of day 0 (day ``d`` starts at
#: ``d * MINUTES_PER_DAY``): the one definition of the day's length, for clock times here and for the calendar,
#: the statistics, the figures and the roster (:mod:`sim.core.calendar` re-exports it).
MINUTES_PER_DAY: Final = 1440.0


def clock_minutes(value: str) -> float:
    """Minutes after midnight of an "HH:MM" clock time."""
    hours, minutes = value.split(":")
    return 60.0 * int(hours) + int(minutes)


class Model(BaseModel):
    """Base of every config model: immutable, and unknown fields are an error. Types are strict (``days: yes``
    or ``days: 2.5`` is not a whole number, ``flexible_only: 1`` is not a boolean) and numbers finite (no
    ``.inf`` or ``.nan``, nor a number too big for a float)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# --------------------------------------------------------------------------------------------- building blocks
class Dist(Model):
    """A positive random quantity (a duration or a patience), by its mean and coefficient of variation."""

    dist: Literal["exponential", "lognormal", "gamma", "weibull", "deterministic", "uniform"] = "exponential"
    mean: float = Field(gt=0, le=1e6, description="mean, in the unit of the field's name")
    cv: float = Field(
        default=1.0, ge=0, le=10,
        description="coefficient of variation; exponential is always 1 and deterministic 0",
    )

    @model_validator(mode="after")
    def _uniform_positive(self) -> Dist:
        if self.dist == "uniform" and self.cv > 1 / 3**0.5:
            raise ValueError("cv: a uniform distribution with cv > 0.577 would give negative values")
        return self


class Profile(Model):
    """Relative arrival intensity over the day, in slots from ``start`` (piecewise constant)."""

    start: Clock = "08:00"
    slot_minutes: float = Field(default=30, gt=0, le=int(MINUTES_PER_DAY))
    weights: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_in_day(self) -> Profile:
        if sum(self.weights) <= 0:
            raise ValueError("weights: at least one weight must be positive")
        if not math.isfinite(sum(self.weights)):
            raise ValueError("weights: their sum is too big for a number; weights are relative, scale them down")
        if len(self.weights) > MAX_PROFILE_SLOTS:
            raise ValueError(f"weights: {len(self.weights):,} slots; at most {MAX_PROFILE_SLOTS:,} (one a second)")
        if clock_minutes(self.start) + self.slot_minutes * len(self.weights) > MINUTES_PER_DAY:
            raise ValueError("weights: the profile runs past midnight; use fewer or shorter slots")
        return self


#: A two-peak office profile of calls per half hour, 08:00-18:00: a morning peak, a dip at lunch and a smaller
#: afternoon peak. The shape follows Brown et al. (2005), JASA 100, for a call centre's working day; the exact
#: weights are an assumption for a municipal secretariat.
OFFICE_PROFILE = Profile(
    start="08:00",
    slot_minutes=30,
    weights=[0.3, 0.8, 1.2, 1.5, 1.6, 1.5, 1.3, 1.0, 0.6, 0.6, 0.9, 1.1, 1.1, 1.0, 0.9, 0.7, 0.5, 0.3, 0.1, 0.05],
)
#: Even intensity over the default opening hours.
FLAT_PROFILE = Profile(start="08:30", slot_minutes=30, weights=[1.0] * 17)

ProfileChoice = Literal["office", "flat"] | Profile


def resolve_profile(spec: ProfileChoice) -> Profile:
    if isinstance(spec, Profile):
        return spec
    return OFFICE_PROFILE if spec == "office" else FLAT_PROFILE


def spread_slots(profile: Profile, hours: float) -> tuple[int, int]:
    """The slots an HNW spread of ``hours`` adds before and after a day profile: whole slots, never past
    midnight. The one computation of the spread's window (:func:`spread_profile`, and the config check of how
    many slots a spread profile has)."""
    slot = profile.slot_minutes
    start = clock_minutes(profile.start)
    extra = math.floor(hours * 60 / slot)
    before = min(extra, int(start // slot))
    after = min(extra, int((MINUTES_PER_DAY - start - slot * len(profile.weights)) // slot))
    return before, after


def spread_profile(profile: Profile, hours: float, share: float) -> Profile:
    """Widen a day profile by ``hours`` on both sides and move ``share`` of its volume evenly over the wider
    window (clients who work earlier and later: Het Nieuwe Werken)."""
    if hours <= 0 or share <= 0:
        return profile
    slot = profile.slot_minutes
    before, after = spread_slots(profile, hours)
    total = sum(profile.weights)
    n = before + len(profile.weights) + after
    weights = [share / n] * n
    for i, w in enumerate(profile.weights):
        weights[before + i] += (1 - share) * w / total
    new_start = clock_minutes(profile.start) - before * slot
    return Profile(start=f"{int(new_start // 60):02d}:{int(new_start % 60):02d}", slot_minutes=slot,
                   weights=weights)


# ------------------------------------------------------------------------------------------------ sections
class Run(Model):
    """How long to simulate. Days are working days of the calendar."""

    days: int = Field(default=20, ge=1, le=MAX_DAYS, description="working days measured after the warm-up")
    warmup_days: int = Field(default=5, ge=0, le=MAX_DAYS, description="working days simulated, not measured")
    seed: int = Field(default=1, ge=0, lt=2**63)

    @model_validator(mode="after")
    def _not_for_ever(self) -> Run:
        if self.days + self.warmup_days > MAX_DAYS:
            raise ValueError(f"days + warmup_days = {self.days + self.warmup_days}: at most {MAX_DAYS} (ten years)")
        return self


class Calendar(Model):
    """Working days and opening hours of the secretariat (the phone line is open then)."""

    working_days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"], min_length=1)
    open: Clock = "08:30"
    close: Clock = "17:00"
    full_time_hours_per_week: float = Field(
        default=36.0, gt=0, le=80,
        description="hours of one FTE; 36 is the full-time week of the Dutch municipal CAO (assumption)",
    )
    lunch_window: tuple[Clock, Clock] = Field(
        default=("12:00", "14:00"), strict=False,  # YAML gives a list
        description="lunches not given are staggered within this window (ASSUMPTION: a usual Dutch lunch time)",
    )
    start_date: date = Field(
        default=date(2025, 1, 6), strict=False,  # YAML dates are read as text (ISO, 2025-01-06)
        description="the date of the model's first day (day 0, a Monday, the first warm-up day); it only labels "
        "the request log with real dates and, with calendar.holidays, says which days are public holidays "
        "(ASSUMPTION: an arbitrary Monday)",
    )
    holidays: str | None = Field(
        default=None, min_length=2, max_length=3,
        description="public holidays of this country (e.g. NL, from the holidays package: pip install "
        "'secretariat-sim[calendar]'): the model closes on them and sim calibrate leaves them out of the rates",
    )
    closed: list[Annotated[date, Field(strict=False)]] = Field(
        default_factory=list,
        description="the municipality's own closing days (e.g. [2026-12-24]): the model closes on them and sim "
        "calibrate leaves them out of the rates",
    )
    open_on: list[Annotated[date, Field(strict=False)]] = Field(
        default_factory=list,
        description="public holidays on which the secretariat is open all the same (e.g. Good Friday, "
        "[2025-04-18], which many municipalities work)",
    )

    @model_validator(mode="after")
    def _open_before_close(self) -> Calendar:
        if clock_minutes(self.lunch_window[0]) >= clock_minutes(self.lunch_window[1]):
            raise ValueError(f"lunch_window: {self.lunch_window[1]} is not after {self.lunch_window[0]}")
        if self.start_date.weekday() != 0:
            raise ValueError(f"start_date: {self.start_date} is a {self.start_date.strftime('%A')}; the model's "
                             "first day is a Monday")
        if clock_minutes(self.open) >= clock_minutes(self.close):
            raise ValueError(f"close: {self.close} is not after open {self.open}")
        if len(set(self.working_days)) != len(self.working_days):
            raise ValueError("working_days: a day is listed twice")
        return self


class Department(Model):
    """A department: its staff are the secretariat's internal clients (and attract external ones)."""

    name: str = Field(min_length=1)
    staff: int = Field(ge=1, le=100_000, description="employees, including the head")
    cluster: str | None = Field(default=None, description="the cluster that serves it (central setup)")
    demand_factor: float = Field(default=1.0, ge=0, le=100, description="scales all of its demand")


class SecretarySpec(Model):
    """A secretary: who she primarily serves, and when she works."""

    name: str = Field(min_length=1)
    departments: list[str] = Field(min_length=1, description="departments she primarily serves (her own)")
    cluster: str | None = Field(default=None, description="home cluster (central); default: her departments'")
    days: list[Weekday] | None = Field(default=None, description="days she works; default: all working days")
    start: Clock | None = Field(default=None, description="default: the calendar's opening time")
    end: Clock | None = Field(default=None, description="default: the calendar's closing time")
    lunch_start: Clock = Field(
        default="12:30",
        description="when not given: staggered, each secretary of a cluster (central) or department "
        "(decentralised) in turn on the half hour within calendar.lunch_window, so the phone stays covered",
    )
    lunch_minutes: float = Field(default=30, ge=0, le=240)
    skills: dict[str, Annotated[float, Field(gt=0, le=10)]] = Field(
        default_factory=dict,
        description="work-time factor per request type ('phone', 'callback', 'minutes' or a task type): "
        "0.8 = 20% faster than average, 1.5 = half as fast again; unlisted types 1.0",
    )
    competences: list[str] | None = Field(
        default=None,
        description="request types she may do ('phone', 'callback', 'minutes' or a task type); default: all. "
        "Replaceability depends on how many colleagues can do a piece of work (cross-training)",
    )

    @model_validator(mode="after")
    def _days_once(self) -> SecretarySpec:
        # a day twice would count twice in her FTE and cost but be simulated once
        if self.days is not None:
            twice = next((d for i, d in enumerate(self.days) if d in self.days[:i]), None)
            if twice is not None:
                raise ValueError(f"days: {twice!r} is listed twice")
        return self

    def weekdays(self, cal: Calendar) -> list[str]:
        """The weekdays she works, in week order: her ``days`` that are the calendar's working days (all of them
        where she gives none)."""
        return [d for d in WEEKDAYS if d in cal.working_days and (self.days is None or d in self.days)]

    def weekday_numbers(self, cal: Calendar) -> frozenset[int]:
        """:meth:`weekdays` as numbers (0 = Monday), as the model's day numbers give them (``day % 7``)."""
        return frozenset(WEEKDAYS.index(d) for d in self.weekdays(cal))

    def shift_minutes(self, cal: Calendar) -> tuple[float, float]:
        """Start and end of her working day, in minutes after midnight; the opening hours where she gives none."""
        return clock_minutes(self.start or cal.open), clock_minutes(self.end or cal.close)

    def working_minutes_per_day(self, cal: Calendar) -> float:
        """The minutes she works on a day at work: her hours less her lunch (divide by 60 for hours)."""
        start, end = self.shift_minutes(cal)
        return end - start - self.lunch_minutes


class Cover(Model):
    """Buddy cover in a decentralised setup: ``department``'s phone is forwarded to the secretaries of ``by``
    when none of its own secretaries is present and, by ``organisation.forwarding``, also when they are all
    busy or do not answer within the ring time (:class:`Forwarding`); when none of them is back today (ill, on
    leave, a day off, after her shift), the buddies also take its back-office work, after their own
    departments' work."""

    department: str = Field(min_length=1, description="the department that is covered")
    by: str = Field(min_length=1, description="the department whose secretaries cover it (its buddy)")


class Forwarding(Model):
    """When a department's phone is forwarded to its buddies (``organisation.cover``), as a phone system's
    call-forwarding rules do. A forwarded call still rings first where it did before (the department's own
    secretaries, then the rest of its group, then helping clusters): the buddies come last, and a buddy takes a
    covered department's waiting call only after her own group's waiting calls. Back-office work is not
    affected: buddies take it only while none of the department's own secretaries is back today."""

    on: Literal["absent", "busy", "no_answer"] = Field(
        default="no_answer",
        description="absent: forward only while none of the department's own secretaries is present (the rule "
        "before this setting existed); busy: also forward a call at once when nobody who may serve the "
        "department can take it as it arrives (it would queue); no_answer: busy, and a call that has waited "
        "ring_seconds unanswered may then be answered by a buddy (an idle one at once, else the first who is "
        "free, after her own group's waiting calls). ASSUMPTION: municipal phone systems forward on busy and "
        "on no answer (domain notes)",
    )
    ring_seconds: float = Field(
        default=20, ge=0, le=600,
        description="no_answer: how long a waiting call rings before its buddies may answer it. ASSUMPTION: "
        "municipal phone systems forward after 15-30 s of ringing (domain notes)",
    )


class OrganisationSpec(Model):
    """The sector: its departments, its secretaries, and whether they work decentralised or as a pool."""

    setup: Literal["decentralised", "central"]
    departments: list[Department] = Field(min_length=1)
    secretaries: list[SecretarySpec] = Field(min_length=1)
    cost_per_fte_per_year: float = Field(
        default=62_000, gt=0,
        description="yearly employer's cost of one FTE, euro (assumption: scale 7-8 of the municipal CAO)",
    )
    cover: list[Cover] = Field(
        default_factory=list,
        description="buddy cover between departments (phone forwarding; back-office work when the department's "
        "own secretaries are away for the day)",
    )
    forwarding: Forwarding = Field(
        default_factory=Forwarding,
        description="when a covered department's phone is forwarded to its buddies (absent, busy, no_answer)",
    )

    @model_validator(mode="after")
    def _references(self) -> OrganisationSpec:
        dept_names = [d.name for d in self.departments]
        _unique(dept_names, "departments", "department")
        _unique([s.name for s in self.secretaries], "secretaries", "secretary")
        known = set(dept_names)
        for i, sec in enumerate(self.secretaries):
            for dept in sec.departments:
                if dept not in known:
                    raise ValueError(
                        f"secretaries[{i}].departments: unknown department {dept!r}{_hint(dept, known)}; "
                        f"known: {', '.join(dept_names)}"
                    )
            if len(set(sec.departments)) != len(sec.departments):
                raise ValueError(f"secretaries[{i}].departments: a department is listed twice")
        for i, cover in enumerate(self.cover):
            for key in ("department", "by"):
                name = getattr(cover, key)
                if name not in known:
                    raise ValueError(f"cover[{i}].{key}: unknown department {name!r}{_hint(name, known)}; "
                                     f"known: {', '.join(dept_names)}")
            if cover.department == cover.by:
                raise ValueError(f"cover[{i}].by: a department cannot cover itself ({cover.by!r})")
        if self.setup == "decentralised":
            # a secretary may serve several departments (she is the own secretary of each)
            staffed = {d for s in self.secretaries for d in s.departments}
        else:
            for j, department in enumerate(self.departments):
                if department.cluster is None:
                    raise ValueError(f"departments[{j}].cluster: the central setup needs a cluster per department")
            cluster_of = {d.name: d.cluster for d in self.departments if d.cluster is not None}  # all, as checked
            clusters = set(cluster_of.values())
            for i, sec in enumerate(self.secretaries):
                home = {cluster_of[d] for d in sec.departments}
                if sec.cluster is not None and sec.cluster not in clusters:
                    raise ValueError(
                        f"secretaries[{i}].cluster: unknown cluster {sec.cluster!r}{_hint(sec.cluster, clusters)}; "
                        f"known: {', '.join(sorted(clusters))}"
                    )
                if sec.cluster is None and len(home) != 1:
                    raise ValueError(
                        f"secretaries[{i}].cluster: her departments lie in clusters {sorted(home)}; "
                        "name her home cluster"
                    )
            homes = {self.home_cluster(sec) for sec in self.secretaries}
            staffed = {d.name for d in self.departments if d.cluster in homes}
        unserved = [d for d in dept_names if d not in staffed]
        if unserved:
            raise ValueError(f"departments: no secretary serves {', '.join(unserved)}")
        return self

    def home_cluster(self, sec: SecretarySpec) -> str | None:
        """A secretary's home cluster: her own ``cluster``, else that of her first department (None when it has
        none, as in a decentralised setup)."""
        if sec.cluster:
            return sec.cluster
        first = sec.departments[0]
        return next((d.cluster for d in self.departments if d.name == first), None)

    def group_of(self, sec: SecretarySpec) -> str:
        """The group whose work a secretary primarily does: her home cluster (central), her first department
        (decentralised). The staffing search adds and removes secretaries per group."""
        if self.setup == "decentralised":
            return sec.departments[0]
        return self.home_cluster(sec) or sec.departments[0]  # central: every department has a cluster

    def group_of_department(self, department: Department) -> str:
        """The group a department's work belongs to, as :meth:`group_of` for a secretary: its cluster (central),
        the department itself (decentralised)."""
        return department.name if self.setup == "decentralised" else str(department.cluster)

    def clusters(self) -> list[str]:
        """Cluster names in order of first appearance (central setup); department names (decentralised)."""
        if self.setup == "decentralised":
            return [d.name for d in self.departments]
        seen: dict[str, None] = {}
        for d in self.departments:
            seen[d.cluster or ""] = None
        return list(seen)


class Exchange(Model):
    """Task exchange between clusters (central setup; a decentralised setup never exchanges).

    - ``none``: each cluster serves only its own departments;
    - ``idle``: a secretary helps other clusters only when her own cluster has no waiting work;
    - ``overflow``: a call rings ``ring_seconds`` in its home cluster before others may take it; back-office
      work is shared when the home cluster has more than ``queue_threshold`` tasks waiting;
    - ``pool``: one pool; clusters are only where people sit (one dispatcher over the whole secretariat).

    ``topology`` says who helps whom: ``all`` clusters each other, or a ``chain`` in which each cluster
    overflows to the next (Jordan & Graves 1995: a chain gets most of the gain of full flexibility).
    """

    policy: Literal["none", "idle", "overflow", "pool"] = "idle"
    topology: Literal["all", "chain"] = "all"
    ring_seconds: float = Field(default=20, ge=0, le=3600)
    queue_threshold: int = Field(default=5, ge=0, le=100_000)


class Dispatch(Model):
    """Who takes what: call priority, exchange, and the cost of someone else's custom work."""

    exchange: Exchange = Exchange()
    calls: Literal["preempt", "reserve"] = Field(
        default="preempt",
        description="preempt: a call interrupts back-office work, which resumes afterwards; reserve: no "
        "interruptions, but back-office work starts only while more than reserve_free colleagues are idle",
    )
    reserve_free: int = Field(default=1, ge=0, le=1000)
    custom_penalty: float = Field(
        default=1.5, ge=1, le=10,
        description="work-time factor when custom work (maatwerk) is done by someone other than the client's "
        "own secretary (assumption)",
    )
    custom_hold_share: float = Field(
        default=0.5, ge=0, le=1,
        description="custom work waits for the client's own secretary for at most this share of its norm "
        "(working time), as long as she is present or back later today; then anyone may take it; 0: anyone "
        "at once (assumption)",
    )


class Sickness(Model):
    """Sick leave as random episodes of whole working days."""

    share: float = Field(
        default=0.06, ge=0, lt=1,
        description="share of working days absent; A&O fonds Gemeenten Personeelsmonitor: 5.8% (2021), "
        "6.7% (2022), 6.3% (H1 2023)",
    )
    episodes_per_fte_year: float = Field(
        default=1.5, gt=0, le=50,
        description="sick reports per FTE per year; about 1.7 per employee (2004), 1 to 1.7 assumed",
    )


class Leave(Model):
    """Planned leave, taken in blocks of working days."""

    days_per_year: float = Field(default=25, ge=0, le=200, description="assumption")
    block_days: int = Field(default=5, ge=1, le=60, description="assumption")


class Shrinkage(Model):
    """Time a secretary is present and paid but not available for the work in the model: short breaks, team
    meetings, training, admin (workforce management calls this *shrinkage*; sickness and leave are modelled
    apart, above). It is simulated, not accounted afterwards: each working day she is away for ``share`` of her
    working time (lunch excluded), in blocks of about ``block_minutes`` placed at random in her day (one block
    in each equal slot of her working time), drawn from her own random stream ``shrinkage/<name>`` so that no
    other stream changes. Away like this, she cannot take calls; her personal work waits for her (it is not
    handed over). So a pool covers the blocks of one secretary with another, and separate departments cannot:
    pooling matters, as it does for sickness."""

    share: float = Field(
        default=0.0, ge=0, lt=0.6,
        description="share of working time present but not available; 0 = none (the default, so configs "
        "written before it keep their results). ASSUMPTION when set: contact-centre planning commonly "
        "assumes 10-35% including absence; configs/base/sector.yaml assumes 0.10 for breaks, team meetings, "
        "training and admin only",
    )
    block_minutes: float = Field(
        default=30, ge=1, le=240,
        description="length of one block of unavailable time, at least a minute (ASSUMPTION)")


class Absence(Model):
    sickness: Sickness = Sickness()
    leave: Leave = Leave()
    shrinkage: Shrinkage = Shrinkage()


class CallsSpec(Model):
    """Phone calls from internal and external callers; reachability (bereikbaarheid) is measured on them."""

    per_staff_per_day: float = Field(ge=0, le=MAX_RATE_PER_STAFF_PER_DAY, description="calls per staff member")
    external_share: float = Field(default=0.4, ge=0, le=1, description="share of callers from outside (assumption)")
    profile: ProfileChoice = "office"
    talk_minutes: Dist
    patience_seconds: Dist | None = Field(
        default=None, description="how long a caller waits before hanging up; none = waits for ever"
    )
    norm_seconds: float = Field(
        default=20, gt=0, le=3600,
        description="answered within this is reachable; 20 s: Katwijk, and the call-centre '80% in 20 s'",
    )
    custom_share: float = Field(default=0.35, ge=0, le=1, description="share that is custom work (article: 30-40%)")
    callback_share: float = Field(
        default=0.7, ge=0, le=1, description="share of unanswered callers who leave a voicemail (assumption)"
    )
    callback_minutes: Dist = Dist(dist="exponential", mean=4)
    callback_norm_working_hours: float = Field(
        default=8.5, gt=0, le=10_000, description="call back within one working day (Katwijk: within 24 h)"
    )


class TaskType(Model):
    """A kind of back-office request: mail, CRM, custom support, legacy work, coordination, ..."""

    per_staff_per_day: float = Field(ge=0, le=MAX_RATE_PER_STAFF_PER_DAY)
    arrivals: Literal["spread", "batches"] = Field(
        default="spread", description="spread: through the day by `profile`; batches: at `batch_times`"
    )
    profile: ProfileChoice = "flat"
    batch_times: list[Clock] = Field(default_factory=list, description="delivery times, for batches")
    work_minutes: Dist
    norm_working_hours: float = Field(gt=0, le=10_000, description="done within this much working time")
    custom_share: float = Field(default=0.35, ge=0, le=1, description="article: 30-40% is custom work")
    flexible_only: bool = Field(
        default=False,
        description="demand comes only from staff who work independent of place and time (coordination)",
    )

    @model_validator(mode="after")
    def _batches(self) -> TaskType:
        if self.arrivals == "batches" and not self.batch_times:
            raise ValueError("batch_times: arrivals in batches need at least one delivery time")
        return self


class MeetingsSpec(Model):
    """Department meetings where a secretary takes the minutes (notuleren); writing them is a task."""

    per_department_per_week: float = Field(ge=0, le=100)
    duration_minutes: Dist = Dist(dist="deterministic", mean=90, cv=0)
    earliest_start: Clock = "09:00"
    latest_start: Clock = "15:00"
    writing_minutes_per_meeting_hour: float = Field(default=60, ge=0, le=1000, description="assumption")
    norm_working_hours: float = Field(default=25.5, gt=0, le=10_000, description="3 working days (assumption)")

    @model_validator(mode="after")
    def _window(self) -> MeetingsSpec:
        if clock_minutes(self.latest_start) < clock_minutes(self.earliest_start):
            raise ValueError("latest_start: before earliest_start")
        return self


class Demand(Model):
    calls: CallsSpec
    tasks: dict[str, TaskType] = Field(default_factory=dict)
    meetings: MeetingsSpec | None = None
    flexible_share: float = Field(
        default=0.1, ge=0, le=1, description="share of staff working independent of place and time (assumption)"
    )
    weekday_profile: dict[Weekday, Annotated[float, Field(gt=0, le=10)]] | None = Field(
        default=None,
        description="relative demand per weekday for calls and tasks, e.g. {mon: 1.2, fri: 0.85} (a weekday not "
        "given is 1); scaled to a mean of 1 over the working days, so the weekly volume is unchanged. Default: "
        "flat. Meetings are not affected. sim calibrate estimates it from the logs",
    )

    @model_validator(mode="after")
    def _names(self) -> Demand:
        for reserved in RESERVED_TYPES:
            if reserved in self.tasks:
                raise ValueError(f"tasks.{reserved}: the name {reserved!r} is reserved; choose another")
        for name in self.tasks:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                raise ValueError(f"tasks.{name}: a type name is letters, digits and _ only")
        return self

    def type_names(self) -> list[str]:
        """Every request type, in the order of the KPI tables."""
        names = ["phone", "callback", *self.tasks]
        if self.meetings is not None:
            names.append("minutes")
        return names


RESERVED_TYPES = ("phone", "callback", "minutes", "calls", "meetings")


class HNW(Model):
    """Het Nieuwe Werken as a transformation of demand (applied by :func:`sim.core.demand.apply_hnw`).

    ``multipliers`` scale the volume of a type: ``calls``, ``meetings`` or a task type's name. ``spread_hours``
    widens clients' working hours by that many hours on both sides, and ``spread_share`` of each spread-out
    type's volume moves evenly over the widened window. ``flexible_share`` replaces the share of staff that works
    independent of place and time, which drives coordination requests. No measured HNW effect sizes are public:
    every number here is an assumption.
    """

    multipliers: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict)
    spread_hours: float = Field(default=0.0, ge=0, le=8)
    spread_share: float = Field(default=0.0, ge=0, le=1)
    flexible_share: float | None = Field(default=None, ge=0, le=1)


class Norms(Model):
    """The service norms the least staffing must meet (``sim staff``); ``--target`` overrides them. A field
    set to null switches that norm off. They do not change the simulation, only how a staffing is judged."""

    reachability_min: float | None = Field(
        default=0.80, ge=0, le=1,
        description="share of calls answered within demand.calls.norm_seconds, for the sector; the call-centre "
        "convention '80% within 20 s' (Katwijk: 20 s; VNG charter: 25 s)",
    )
    abandoned_max: float | None = Field(
        default=0.05, ge=0, le=1, description="share of calls abandoned, at most; Tilburg budget 2018: 5%")
    service_level_min: float | None = Field(
        default=0.85, ge=0, le=1,
        description="share of each back-office request type done within its norm; Tilburg budget 2020: 85% of "
        "e-mail within 2 working days (applied to every type: ASSUMPTION)",
    )
    occupancy_max: float | None = Field(
        default=0.85, ge=0, le=1,
        description="KPI utilisation (busy share of present, available time), at most. ASSUMPTION: the "
        "workforce-management convention of planning for 80-85% occupancy, because people who are busier "
        "than that for long burn out and leave; not a Dutch municipal source",
    )
    per_department: bool = Field(
        default=True,
        description="also hold every department to the reachability and abandoned-call norms and to the "
        "service-level norm on its back-office tasks (tasks within norm, callbacks left out: calls and tasks are "
        "separate norms), and to continuity_min where set, judged on the department's pooled share (point "
        "estimate); a department below its norm fails the staffing",
    )
    continuity_min: float | None = Field(
        default=None, ge=0, le=1,
        description="per department, the share of its custom work (maatwerk) done by its own secretaries, at "
        "least; off by default (no public source gives a value; the article names continuity as what "
        "department heads notice first); today's service (basis: today) always holds it",
    )
    basis: Literal["norms", "today", "both"] = Field(
        default="norms",
        description="what 'equal service' means in sim staff: 'norms', the fixed norms above; 'today', no "
        "worse than today: the first config's simulated service as staffed, per department and KPI "
        "(reachability, abandoned calls, tasks within norm, continuity, meetings with minutes; each type's "
        "service level for the sector), less today_tolerance (the occupancy ceiling stays); 'both', today's "
        "service and the fixed norms together (the stricter of each pair); --target today|both overrides",
    )
    today_tolerance: float = Field(
        default=0.01, ge=0, le=0.5,
        description="'no worse than today' allows a KPI to fall this much (a share: 0.01 is one point) or by the "
        "half-width of today's own interval, whichever is larger (ASSUMPTION: a point is below what a "
        "department notices; the interval keeps simulation noise from binding)",
    )
    control_variate: bool = Field(
        default=True,
        description="judge each department's reachability and abandoned calls with its coverage (share of "
        "opening time with someone present who may serve it) as a control variate, whose expectation follows "
        "exactly from the roster and the absence model: the same expected answer, a fraction of the noise "
        "(sim/decisions/staffing/control.py); false: the plain pooled share",
    )
    rule: Literal["mean", "confident"] = Field(
        default="mean",
        description="when a sector norm holds: 'mean', its estimate over the replications (the pooled share, or "
        "the mean) meets the target, so the least staffing converges as replications grow and its precision "
        "comes from independent blocks; 'confident', the whole two-sided interval (sim staff --confidence) "
        "lies on the target's side, a safety margin that shrinks as replications grow (so the answer moves "
        "with run length)",
    )


class Costs(Model):
    """The business case's money: every figure euro, every one a parameter. Defaults are ASSUMPTIONS (no public
    source gives them for this sector) except where a source is named."""

    cost_per_fte_per_year: float | None = Field(
        default=None, gt=0, le=1e7,
        description="employer's cost of a secretary FTE per year; default: organisation.cost_per_fte_per_year",
    )
    manager_fte: float = Field(
        default=0.0, ge=0, le=100,
        description="FTE of the one manager with authority (the article's condition for the central setup); "
        "set it in central configs (ASSUMPTION)",
    )
    manager_cost_per_fte_per_year: float = Field(
        default=90000, ge=0, le=1e7, description="employer's cost of a manager FTE per year (ASSUMPTION)")
    coordination_share: float = Field(
        default=0.0, ge=0, le=1,
        description="coordination overhead (planning, dispatch, handovers) as a share of the secretaries' "
        "cost per year (ASSUMPTION)",
    )
    reorganisation_once: float = Field(
        default=0.0, ge=0, le=1e9, description="one-off cost of the reorganisation (ASSUMPTION)")
    training_per_fte_once: float = Field(
        default=0.0, ge=0, le=1e7, description="one-off training cost per secretary FTE kept (ASSUMPTION)")
    tools_once: float = Field(
        default=0.0, ge=0, le=1e9, description="one-off cost of tools, e.g. for Het Nieuwe Werken (ASSUMPTION)")
    telephony_once: float = Field(
        default=0.0, ge=0, le=1e9,
        description="one-off cost of pooled call handling (telephony: queue, routing, licences) in the move's "
        "year (ASSUMPTION; 0: none)")
    horizon_years: int = Field(
        default=5, ge=1, le=30,
        description="years the cash flow of the move runs over (year 0: the move, years 1..horizon) (ASSUMPTION)")
    discount_rate: float = Field(
        default=0.0225, ge=0, le=0.5,
        description="yearly discount rate of the net present value, real (constant prices): the Dutch government's "
        "standard discount rate for social cost-benefit analyses (MKBA) from 1 January 2021, 2.25% "
        "(Rapport Werkgroep discontovoet 2020, adopted by the cabinet)")
    reduction: Literal["attrition", "redundancy"] = Field(
        default="attrition",
        description="how the FTE surplus of the move goes: attrition (not replacing staff who leave: the saving "
        "grows year by year) or redundancy (the full saving from year 1, at redundancy_cost_per_fte once) "
        "(ASSUMPTION: the organisation's choice)")
    attrition_rate: float = Field(
        default=0.08, ge=0, le=1,
        description="share of today's secretary FTE that leaves per year (retirement, other jobs) and is not "
        "replaced under reduction: attrition (ASSUMPTION)")
    redundancy_cost_per_fte: float | None = Field(
        default=None, ge=0, le=1e7,
        description="one-off cost per FTE made redundant (transition payment, notice period, outplacement); "
        "default: one year's cost of a secretary FTE (ASSUMPTION)")


class StaffingRules(Model):
    """The rules HR sets for the staffing search's moves (``sim staff``, :mod:`sim.decisions.staffing.moves`): which
    rosters it may recommend. They do not change the simulation, only which staffings the search tries."""

    keep_department_secretary: bool = Field(
        default=True,
        description="no department is left without a secretary of its own (one whose departments list "
        "names it) when the search removes days; false allows it (ASSUMPTION: HR keeps a known face per "
        "department, as the article's departments expect)",
    )
    min_contract_days: int = Field(
        default=2, ge=1, le=7,
        description="the smallest contract HR keeps, in working days a week: a contract is shortened day by day "
        "down to this, not below, except when the person leaves; a contract already shorter today is kept "
        "(ASSUMPTION)",
    )
    allow_leavers: bool = Field(
        default=False,
        description="may one of today's secretaries lose all her days (leave)? Only when no secretary of her "
        "group can be shortened; false: the search only shortens contracts (ASSUMPTION: people leaving is "
        "the analyst's stated choice, not the search's)",
    )
    new_hire_days: int = Field(
        default=3, ge=1, le=7,
        description="working days a week of a newcomer the search hires when a group must grow and no one of "
        "it can take another day (at most the calendar's working days) (ASSUMPTION)",
    )


class RosterRules(Model):
    """The rules HR schedules by (``sim roster``, :mod:`sim.decisions.rostering`): which rosters the optimiser may
    write. They do not change the simulation, only which rosters are searched. Hours are paid working hours
    (lunch not counted), as contracts count them."""

    contract_change_hours: tuple[float, float] = Field(
        default=(-7.2, 7.2), strict=False,
        description="how many hours a week each of today's secretaries may lose (first) or gain (second) "
        "against her contract today (ASSUMPTION: one full day either way, what HR can agree without a new "
        "contract)",
    )
    may_leave: bool = Field(
        default=False,
        description="may one of today's secretaries be scheduled no hours at all (leave)? (ASSUMPTION: people "
        "leaving is the organisation's stated choice, as staffing.allow_leavers)",
    )
    max_hours_per_week: float | None = Field(
        default=None, gt=0, le=80,
        description="the most paid hours a week of anyone; default calendar.full_time_hours_per_week (a "
        "full-time contract of the municipal CAO, 36 h; ASSUMPTION as a rule)",
    )
    shift_starts: tuple[Clock, Clock] = Field(
        default=("08:00", "10:00"), strict=False,
        description="earliest and latest start of a shift (ASSUMPTION: usual office starts)",
    )
    start_step_minutes: int = Field(
        default=30, ge=5, le=240, description="shift starts lie on this grid from the earliest (ASSUMPTION)")
    shift_hours: list[Annotated[float, Field(gt=0, le=12)]] = Field(
        default_factory=lambda: [4.0, 7.2], min_length=1,
        description="allowed paid hours of a working day (ASSUMPTION: a half day of 4 h or the full-time "
        "day of 7.2 h, 36/5)",
    )
    days_per_week: tuple[int, int] = Field(
        default=(2, 5), strict=False,
        description="least and most working days a week of anyone working (ASSUMPTION; the least as "
        "staffing.min_contract_days)",
    )
    lunch_window: tuple[Clock, Clock] | None = Field(
        default=None, strict=False,
        description="lunch starts on the half hour within this window; default calendar.lunch_window",
    )
    lunch_minutes: float = Field(
        default=30, ge=0, le=120,
        description="the lunch break; Arbeidstijdenwet art. 5:4: at least 30 minutes after more than 5.5 hours "
        "of work",
    )
    lunch_after_hours: float = Field(
        default=5.5, ge=0, le=24,
        description="a shift of more paid hours than this has a lunch (Arbeidstijdenwet art. 5:4: 5.5 h)",
    )
    cover: tuple[Clock, Clock] | None = Field(
        default=None, strict=False,
        description="the hours every group (cluster or department) must have someone present; default the "
        "calendar's opening hours (the phone line's hours)",
    )
    min_present: int = Field(
        default=1, ge=0, le=100,
        description="the fewest present per group in every covered half hour, whatever the load (ASSUMPTION: "
        "one known face per cluster or department while the line is open)",
    )
    desk_hours: tuple[Clock, Clock] | None = Field(
        default=("09:30", "16:00"), strict=False,
        description="decentralised with buddy cover: the core hours in which each department of a cover ring "
        "keeps one of its own secretaries present, lunch excepted (its buddies answer at lunch and outside these "
        "hours); null: only the ring as a whole is staffed, and buddies may answer for whole days. ASSUMPTION: "
        "core hours (kerntijden) as decentral_cover's roster keeps them today; forwarded calls ring first and "
        "are abandoned more (organisation.forwarding)",
    )
    cost_per_hour: float | None = Field(
        default=None, ge=0, le=1e4,
        description="employer's cost of one paid hour; default costs.cost_per_fte_per_year (else "
        "organisation.cost_per_fte_per_year) over 52 full-time weeks",
    )
    new_hires: bool = Field(
        default=True, description="may the roster add newcomers? (ASSUMPTION: vacancies can be filled)")
    new_hire_hours: list[Annotated[float, Field(gt=0, le=80)]] = Field(
        default_factory=lambda: [14.4, 21.6, 28.8, 36.0],
        description="contract sizes a newcomer may have, hours a week (ASSUMPTION: 2 to 5 full days)",
    )
    max_new_hires_per_group: int = Field(
        default=2, ge=0, le=50, description="newcomers the optimiser may add per group (ASSUMPTION)")

    @model_validator(mode="after")
    def _ranges(self) -> RosterRules:
        lo, hi = self.contract_change_hours
        if lo > 0 or hi < 0:
            raise ValueError("contract_change_hours: give [loss <= 0, gain >= 0], e.g. [-7.2, 7.2]")
        if not 1 <= self.days_per_week[0] <= self.days_per_week[1] <= 7:
            raise ValueError("days_per_week: give [least, most] with 1 <= least <= most <= 7")
        for name in ("shift_starts", "lunch_window", "cover", "desk_hours"):
            pair = getattr(self, name)
            if pair is not None and clock_minutes(pair[0]) > clock_minutes(pair[1]):
                raise ValueError(f"{name}: the end, {pair[1]}, is before the start, {pair[0]}")
        return self


#: The named parameters an ``uncertainty`` entry may carry (``sim.decisions.sensitivity.PARAMETERS``' names; a test
#: holds the two lists equal, since this module may not import that one).
UNCERTAIN_PARAMETERS = ("patience", "talk", "work", "demand", "sickness", "shrinkage", "occupancy", "reachability",
                        "abandoned", "hnw", "custom_penalty", "manager_fte", "coordination", "cost_per_fte",
                        "reorganisation")


class UncertainInput(Model):
    """One input the answer rests on and its stated uncertainty (``sim uncertainty``), under its name in the
    ``uncertainty`` section: a ``sim sensitivity`` parameter (``demand``, ``work``, ``shrinkage``, ...) or a
    dotted path to a number of this config (``demand.tasks.email.per_staff_per_day``). ``low`` and ``high``
    are the range's ends (``triangular``, ``uniform``) or its central 95% (``normal``, ``lognormal``);
    ``mode`` the most likely value (triangular; default the midpoint). With ``relative: true`` the values are
    factors of the config's value (a factor parameter, such as ``demand`` or ``work``, always takes factors)."""

    distribution: Literal["triangular", "uniform", "normal", "lognormal"] = "triangular"
    low: float = Field(description="low end (triangular, uniform) or 2.5% quantile (normal, lognormal)")
    high: float = Field(description="high end, or 97.5% quantile")
    mode: float | None = Field(default=None, description="most likely value (triangular; default the midpoint)")
    relative: bool = Field(default=False, description="values are factors of the config's value")
    source: str = Field(min_length=1, description="where the range comes from, or 'ASSUMPTION: why'")

    @model_validator(mode="after")
    def _check(self) -> UncertainInput:
        if not self.low < self.high:
            raise ValueError(f"high: {self.high:g} is not above low {self.low:g}")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode: {self.mode:g} lies outside low..high ({self.low:g}..{self.high:g})")
        if self.mode is not None and self.distribution != "triangular":
            raise ValueError(f"mode: only a triangular distribution has one ({self.distribution} is given by "
                             "low and high)")
        if self.distribution == "lognormal" and self.low <= 0:
            raise ValueError(f"low: a lognormal range must be positive ({self.low:g})")
        return self


def _unique(names: Sequence[str], field: str, what: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{field}[{i}].name: {what} {name!r} is defined twice")
        seen.add(name)
