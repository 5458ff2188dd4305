"""Report periods: presets on month, quarter and year boundaries, and the period each is
compared with."""

import datetime

import pytest

from clientela.analytics.reports.period import Period, bucket_of, buckets, custom, preset

d = datetime.date


@pytest.mark.parametrize(
    "name, today, start, end, previous_start, previous_end",
    [
        # This month so far against the same days of last month.
        (
            "this_month",
            d(2026, 3, 10),
            d(2026, 3, 1),
            d(2026, 3, 11),
            d(2026, 2, 1),
            d(2026, 2, 11),
        ),
        # On the 31st, last month had only 28 days: the comparison stops at its end.
        ("this_month", d(2026, 3, 31), d(2026, 3, 1), d(2026, 4, 1), d(2026, 2, 1), d(2026, 3, 1)),
        (
            "last_month",
            d(2026, 1, 15),
            d(2025, 12, 1),
            d(2026, 1, 1),
            d(2025, 11, 1),
            d(2025, 12, 1),
        ),
        # A quarter's first day: one day against the first day of the quarter before.
        ("this_quarter", d(2026, 4, 1), d(2026, 4, 1), d(2026, 4, 2), d(2026, 1, 1), d(2026, 1, 2)),
        (
            "last_quarter",
            d(2026, 2, 10),
            d(2025, 10, 1),
            d(2026, 1, 1),
            d(2025, 7, 1),
            d(2025, 10, 1),
        ),
        ("this_year", d(2024, 12, 31), d(2024, 1, 1), d(2025, 1, 1), d(2023, 1, 1), d(2024, 1, 1)),
        ("last_year", d(2026, 6, 1), d(2025, 1, 1), d(2026, 1, 1), d(2024, 1, 1), d(2025, 1, 1)),
        (
            "last_30_days",
            d(2026, 3, 1),
            d(2026, 1, 31),
            d(2026, 3, 2),
            d(2026, 1, 1),
            d(2026, 1, 31),
        ),
        (
            "last_12_months",
            d(2026, 2, 28),
            d(2025, 3, 1),
            d(2026, 3, 1),
            d(2024, 3, 1),
            d(2025, 3, 1),
        ),
    ],
)
def test_presets_and_their_previous_periods(name, today, start, end, previous_start, previous_end):
    period = preset(name, today)

    assert (period.start, period.end) == (start, end)
    assert (period.previous().start, period.previous().end) == (previous_start, previous_end)


def test_custom_whole_months_compare_as_months_other_ranges_as_days():
    q1 = custom(d(2026, 1, 1), d(2026, 3, 31))
    assert q1 == Period(d(2026, 1, 1), d(2026, 4, 1), 3)
    assert q1.previous() == Period(d(2025, 10, 1), d(2026, 1, 1), 3)

    ten_days = custom(d(2026, 2, 25), d(2026, 3, 6))  # across the end of February
    assert ten_days.previous() == Period(d(2026, 2, 15), d(2026, 2, 25))


def test_buckets_cover_the_period_with_partial_ends():
    period = custom(d(2026, 2, 15), d(2026, 7, 2))

    assert buckets(period, "quarter") == [d(2026, 1, 1), d(2026, 4, 1), d(2026, 7, 1)]
    assert buckets(period, "month")[0] == d(2026, 2, 1) and len(buckets(period, "month")) == 6
    assert bucket_of(d(2026, 3, 1), "week") == d(2026, 2, 23)  # Monday
    assert bucket_of(d(2024, 2, 29), "year") == d(2024, 1, 1)
