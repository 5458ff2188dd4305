"""``exports.LocalTime`` remembers a zone's offset per hour: it must give what converting each
value through the zone gives, across daylight-saving changes, including zones whose changes fall
on the half hour (Lord Howe) or whose offsets are not whole hours (Kathmandu, St John's)."""

import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.core.exports import LocalTime

ZONES = ["Europe/Madrid", "Atlantic/Canary", "Australia/Lord_Howe", "Asia/Kathmandu"]
ZONES += ["America/St_Johns", "UTC"]


def through_the_zone(value, zone):
    return value.replace(tzinfo=datetime.UTC).astimezone(zone).replace(tzinfo=None)


@settings(max_examples=500)
@given(
    st.sampled_from(ZONES),
    st.lists(
        st.datetimes(datetime.datetime(1970, 1, 1), datetime.datetime(2100, 1, 1)), max_size=20
    ),
)
def test_remembered_offsets_give_what_the_zone_gives(name, values):
    zone = zoneinfo.ZoneInfo(name)
    convert = LocalTime(zone)
    for value in values:
        assert convert(value) == through_the_zone(value, zone)


def test_every_seven_minutes_of_a_year():
    start = datetime.datetime(2025, 1, 1, microsecond=999999)
    for name in ZONES:
        zone, convert = zoneinfo.ZoneInfo(name), LocalTime(zoneinfo.ZoneInfo(name))
        for minute in range(0, 365 * 24 * 60, 7):
            value = start + datetime.timedelta(minutes=minute)
            assert convert(value) == through_the_zone(value, zone), (name, value)


def test_memory_stays_bounded():
    convert = LocalTime(zoneinfo.ZoneInfo("Europe/Madrid"))
    start = datetime.datetime(2020, 1, 1)
    for hour in range(LocalTime.REMEMBERED * 2 + 10):
        convert(start + datetime.timedelta(hours=hour))
    assert len(convert.offsets) <= LocalTime.REMEMBERED
