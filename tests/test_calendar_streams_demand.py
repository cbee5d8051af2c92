"""Calendar arithmetic, named random streams, and the demand transformations."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from conftest import CONFIGS

from sim.config import OFFICE_PROFILE, Calendar, Dist, Profile, load_scenario
from sim.core.calendar import WorkCalendar, add_by_hour
from sim.core.demand import apply_hnw, spread_profile, thinning
from sim.core.streams import Sampler, Stream, Streams


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar.from_config(Calendar(), days=10, warmup_days=2)


def test_working_time_skips_nights_and_weekends(cal: WorkCalendar) -> None:
    friday_4pm = 4 * 1440 + 16 * 60
    # one hour of working time from Friday 16:00: 60 min left on Friday is 60, so Friday 17:00
    assert cal.add_working_time(friday_4pm, 60) == 4 * 1440 + 17 * 60
    # 90 minutes: 60 on Friday, 30 on Monday from 08:30
    assert cal.add_working_time(friday_4pm, 90) == 7 * 1440 + 9 * 60
    # from Saturday: starts counting on Monday
    assert cal.add_working_time(5 * 1440 + 600, 30) == 7 * 1440 + 9 * 60
    # two working days of 8.5 h from Monday 08:30 end on Tuesday 17:00
    assert cal.add_working_time(510, 17 * 60) == 1440 + 17 * 60


def test_horizon_and_opening(cal: WorkCalendar) -> None:
    start, end = cal.horizon()
    assert start == 2 * 1440  # after two warm-up working days (Mon, Tue)
    assert end == (cal.working_days()[-1] + 1) * 1440
    assert len(cal.working_days()) == 12
    assert cal.is_open(600) and not cal.is_open(5 * 1440 + 600) and not cal.is_open(17 * 60)


def test_add_by_hour() -> None:
    hours = [0.0] * 24
    add_by_hour(hours, 30, 150)
    assert hours[:4] == [30, 60, 30, 0]
    add_by_hour(hours, 23 * 60 + 50, 24 * 60 + 20)  # across midnight: the next day's hour 0
    assert hours[23] == 10 and hours[0] == 50


def test_streams_are_keyed_by_seed_and_name() -> None:
    a, b = Streams(7), Streams(7)
    assert [a["x"].random() for _ in range(5)] == [b["x"].random() for _ in range(5)]
    assert a["y"].random() != Streams(7)["x"].random()
    assert Streams(8)["x"].random() != Streams(7)["x"].random()


def test_buffering_does_not_change_the_sequence() -> None:
    s = Stream(3, "name")
    draws = [s.random() for _ in range(1500)]
    fresh = Stream(3, "name").rng.random(1536)[:1500]
    assert draws == fresh.tolist()


def test_buffering_changes_a_stream_that_mixes_kinds() -> None:
    """As sim.core.streams says: a poisson() drawn between buffered uniforms comes from the generator after the
    whole block of uniforms, so the stream's numbers are not those of unbuffered scalar draws."""
    s = Stream(3, "mixed")
    mixed = []
    for _ in range(20):
        s.random()
        mixed.append(s.poisson(4.0))
    after_block = Stream(3, "mixed").rng
    after_block.random(512)
    assert mixed == [int(after_block.poisson(4.0)) for _ in range(20)]
    scalar = Stream(3, "mixed").rng
    unbuffered = []
    for _ in range(20):
        scalar.random()
        unbuffered.append(int(scalar.poisson(4.0)))
    assert mixed != unbuffered


@pytest.mark.parametrize("dist", ["exponential", "lognormal", "gamma", "uniform", "deterministic"])
def test_samplers_have_the_configured_mean(dist: str) -> None:
    d = Dist(dist=dist, mean=5.0, cv=0.5 if dist != "exponential" else 1.0)
    draw = Sampler(d, Stream(11, dist)).draw
    x = np.array([draw() for _ in range(20000)])
    sd = x.std() / np.sqrt(len(x))
    assert abs(x.mean() - 5.0) < 4 * sd + 1e-9
    assert (x > 0).all()


def test_thinning_reproduces_the_daily_volume() -> None:
    env = simpy.Environment()
    times: list[float] = []
    days = list(range(200))
    env.process(thinning(env, Stream(5, "t"), 100.0, OFFICE_PROFILE, days, times.append))
    env.run()
    n = len(times)
    # Poisson total with mean 100 per day: 4 standard deviations
    assert abs(n - 20000) < 4 * np.sqrt(20000)
    assert times == sorted(times)


def test_spread_profile_keeps_the_volume_and_widens_the_window() -> None:
    p = spread_profile(OFFICE_PROFILE, 1.0, 0.2)
    assert p.start == "07:00" and len(p.weights) == len(OFFICE_PROFILE.weights) + 4
    assert sum(p.weights) == pytest.approx(1.0)
    assert p.weights[0] == pytest.approx(0.2 / len(p.weights))
    flat = Profile(start="00:00", slot_minutes=60, weights=[1.0] * 24)
    assert len(spread_profile(flat, 2, 0.5).weights) == 24  # cannot widen past midnight


def test_apply_hnw_scales_per_type() -> None:
    s = load_scenario(CONFIGS / "central_hnw.yaml")
    d = apply_hnw(s.demand, s.hnw)
    assert d.calls.per_staff_per_day == pytest.approx(0.25 * 0.7)
    assert d.tasks["legacy"].per_staff_per_day == pytest.approx(0.08 * 0.1)
    assert d.tasks["crm"].per_staff_per_day == pytest.approx(0.05 * 1.5)
    assert d.tasks["post"].profile == s.demand.tasks["post"].profile  # batches are not spread
    assert d.flexible_share == 0.6
    assert d.meetings is not None and d.meetings.per_department_per_week == pytest.approx(0.6)
    assert apply_hnw(s.demand, None) is s.demand


def test_working_time_and_clock_time_around_lunch_are_one_pair() -> None:
    """Hours 08:30-17:00 with lunch 12:30-13:00: 240 working minutes before lunch; working minute 240 is 13:00
    when something starts there and 12:30 when something ends there; the two functions invert each other
    outside lunch."""
    from sim.core.calendar import clock_to_work, morning_work, work_to_clock

    start, end, lunch, pause = 510.0, 1020.0, 750.0, 30.0
    morning = morning_work(start, end, lunch, pause)
    assert morning == 240.0 and morning_work(start, end, lunch, 0.0) == 510.0  # no lunch: the whole day
    assert work_to_clock(240.0, start, morning, pause) == 780.0
    assert work_to_clock(240.0, start, morning, pause, ending=True) == 750.0
    for t in (510.0, 600.25, 749.75, 780.0, 1019.5):
        assert work_to_clock(clock_to_work(t, start, morning, pause), start, morning, pause) == t
