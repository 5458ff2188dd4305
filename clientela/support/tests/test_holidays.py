import datetime

import pytest

from clientela.support.holidays import REGIONS, easter_sunday, spanish_holidays

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2038, D(2038, 4, 25))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_national_holidays_of_2026():
    days = [day for day, _name in spanish_holidays(2026)]
    assert days == [
        D(2026, 1, 1),
        D(2026, 1, 6),
        D(2026, 4, 3),  # Good Friday
        D(2026, 5, 1),
        D(2026, 8, 15),
        D(2026, 10, 12),
        D(2026, 11, 1),
        D(2026, 12, 6),
        D(2026, 12, 8),
        D(2026, 12, 25),
    ]


def test_catalonia_adds_easter_monday_sant_joan_the_diada_and_sant_esteve():
    national = {day for day, _name in spanish_holidays(2026)}
    catalan = {day for day, _name in spanish_holidays(2026, "ES-CT")}
    assert catalan - national == {D(2026, 4, 6), D(2026, 6, 24), D(2026, 9, 11), D(2026, 12, 26)}


def test_every_region_keeps_the_national_days_and_names_each_day_once():
    national = {day for day, _name in spanish_holidays(2027)}
    for code in REGIONS:
        days = [day for day, _name in spanish_holidays(2027, code)]
        assert national <= set(days)
        assert len(days) == len(set(days))
