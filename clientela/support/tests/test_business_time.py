"""Working-time arithmetic, held to its definition: counting the working seconds up to the
moment ``add`` finds gives back what was added, across weekends, holidays and changes of
summer time."""

import datetime
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.support.business_time import NoWorkingTime, Schedule, always

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
CANARY = zoneinfo.ZoneInfo("Atlantic/Canary")
T = datetime.time


def office(zone=MADRID, holidays=()):
    """Monday to Friday, 9:00-14:00 and 15:00-18:00."""
    days = {d: ((T(9), T(14)), (T(15), T(18))) for d in range(5)}
    return Schedule(zone=zone, week=days, holidays=frozenset(holidays))


def local(*parts, zone=MADRID):
    return datetime.datetime(*parts, tzinfo=zone)


HOUR = 3600


def test_friday_evening_plus_two_hours_is_monday_morning():
    friday = local(2025, 11, 21, 17)
    assert office().add(friday, 2 * HOUR) == local(2025, 11, 24, 10)


def test_lunch_break_is_not_counted():
    assert office().add(local(2025, 11, 24, 13), 2 * HOUR) == local(2025, 11, 24, 16)
    assert office().between(local(2025, 11, 24, 13), local(2025, 11, 24, 16)) == 2 * HOUR


def test_holidays_are_skipped():
    christmas = office(holidays={datetime.date(2025, 12, 24), datetime.date(2025, 12, 25)})
    tuesday = local(2025, 12, 23, 17)
    assert christmas.add(tuesday, 2 * HOUR) == local(2025, 12, 26, 10)


def test_a_clock_started_out_of_hours_starts_at_the_next_opening():
    saturday = local(2025, 11, 22, 11)
    assert office().add(saturday, 30 * 60) == local(2025, 11, 24, 9, 30)
    assert office().between(saturday, local(2025, 11, 24, 9)) == 0


def test_round_the_clock_counts_the_real_hours_of_a_change_to_summer_time():
    schedule = always(MADRID)
    saturday, sunday = local(2025, 3, 29, 12), local(2025, 3, 30, 12)
    assert schedule.between(saturday, sunday) == 23 * HOUR
    assert schedule.add(saturday, 23 * HOUR) == sunday


def test_office_hours_stay_at_nine_local_across_the_change():
    friday = local(2025, 3, 28, 17)
    assert office().add(friday, 2 * HOUR) == local(2025, 3, 31, 10)  # 08:00 UTC, not 09:00
    assert office().add(friday, 2 * HOUR).utcoffset() == datetime.timedelta(0)


def test_the_canary_islands_work_an_hour_behind_the_peninsula():
    monday = local(2025, 11, 24, 9, zone=MADRID)
    assert office(CANARY).add(monday, 0) == monday
    assert office(CANARY).add(monday, 60) == local(2025, 11, 24, 9, 1, zone=CANARY)


def test_a_schedule_without_working_hours_is_refused():
    with pytest.raises(NoWorkingTime):
        Schedule(zone=MADRID, week={}).add(local(2025, 1, 1), 60)


SCHEDULES = st.sampled_from(
    [
        office(),
        office(CANARY),
        always(MADRID),
        Schedule(zone=MADRID, week={5: ((T(22), T(0)),), 6: ((T(0), T(6)),)}),  # weekend nights
    ]
)
MOMENTS = st.datetimes(
    datetime.datetime(2024, 1, 1), datetime.datetime(2027, 1, 1), timezones=st.just(MADRID)
)
DAYS = st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 1, 1))
HOLIDAYS = st.frozensets(DAYS, max_size=60)


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, HOLIDAYS, MOMENTS, st.integers(0, 200 * HOUR))
def test_counting_up_to_what_add_finds_gives_back_what_was_added(schedule, days, start, seconds):
    schedule = Schedule(zone=schedule.zone, week=schedule.week, holidays=days)
    end = schedule.add(start, seconds)
    assert end >= start
    assert schedule.between(start, end) == pytest.approx(seconds, abs=1e-6)
    if seconds:
        assert schedule.is_working(end - datetime.timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(SCHEDULES, MOMENTS, st.integers(0, 100 * HOUR), st.integers(0, 100 * HOUR))
def test_more_time_never_ends_sooner(schedule, start, first, second):
    low, high = sorted((first, second))
    assert schedule.add(start, low) <= schedule.add(start, high)


@settings(max_examples=200, deadline=None)
@given(SCHEDULES, st.lists(MOMENTS, min_size=3, max_size=3))
def test_working_time_adds_up_over_consecutive_spans(schedule, moments):
    a, b, c = sorted(moments)
    whole = schedule.between(a, c)
    assert whole == pytest.approx(schedule.between(a, b) + schedule.between(b, c), abs=1e-6)
