"""Spanish public holidays to start a working calendar from.

National holidays are fixed by the state every year; each autonomous community adds its own and
may move some (a holiday on a Sunday is often moved to the Monday), and towns add two more. So
these are presets: loading one into a calendar copies the days, which the user then checks
against the year's official calendar (BOE, DOGC...) and edits. What is listed for a community
is what it keeps year after year.
"""

import datetime

from django.utils.translation import gettext_lazy as _

D = datetime.date
DAY = datetime.timedelta(days=1)


def easter_sunday(year):
    """Western Easter (the anonymous Gregorian computation, valid for any year after 1582)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    j = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * j) // 451
    month, day = divmod(h + j - 7 * m + 114, 31)
    return D(year, month, day + 1)


def _holy_thursday(year):
    return easter_sunday(year) - 3 * DAY


def _good_friday(year):
    return easter_sunday(year) - 2 * DAY


def _easter_monday(year):
    return easter_sunday(year) + DAY


NATIONAL = [
    (lambda y: D(y, 1, 1), _("New Year's Day")),
    (lambda y: D(y, 1, 6), _("Epiphany")),
    (_good_friday, _("Good Friday")),
    (lambda y: D(y, 5, 1), _("Labour Day")),
    (lambda y: D(y, 8, 15), _("Assumption")),
    (lambda y: D(y, 10, 12), _("National Day of Spain")),
    (lambda y: D(y, 11, 1), _("All Saints' Day")),
    (lambda y: D(y, 12, 6), _("Constitution Day")),
    (lambda y: D(y, 12, 8), _("Immaculate Conception")),
    (lambda y: D(y, 12, 25), _("Christmas Day")),
]

HOLY_THURSDAY = (_holy_thursday, _("Holy Thursday"))
EASTER_MONDAY = (_easter_monday, _("Easter Monday"))
SAINT_STEPHEN = (lambda y: D(y, 12, 26), _("Saint Stephen's Day"))

# ISO 3166-2 code -> (name, the community's own holidays)
REGIONS = {
    "ES-AN": (_("Andalusia"), [HOLY_THURSDAY, (lambda y: D(y, 2, 28), _("Andalusia Day"))]),
    "ES-CT": (
        _("Catalonia"),
        [
            EASTER_MONDAY,
            (lambda y: D(y, 6, 24), _("Saint John's Day")),
            (lambda y: D(y, 9, 11), _("National Day of Catalonia")),
            SAINT_STEPHEN,
        ],
    ),
    "ES-CN": (_("Canary Islands"), [HOLY_THURSDAY, (lambda y: D(y, 5, 30), _("Canary Day"))]),
    "ES-GA": (
        _("Galicia"),
        [
            HOLY_THURSDAY,
            (lambda y: D(y, 5, 17), _("Galician Literature Day")),
            (lambda y: D(y, 7, 25), _("Galicia Day")),
        ],
    ),
    "ES-IB": (
        _("Balearic Islands"),
        [(lambda y: D(y, 3, 1), _("Balearic Islands Day")), HOLY_THURSDAY, EASTER_MONDAY],
    ),
    "ES-MD": (_("Madrid"), [HOLY_THURSDAY, (lambda y: D(y, 5, 2), _("Madrid Day"))]),
    "ES-PV": (_("Basque Country"), [HOLY_THURSDAY, EASTER_MONDAY]),
    "ES-VC": (
        _("Valencian Community"),
        [EASTER_MONDAY, (lambda y: D(y, 10, 9), _("Valencian Community Day"))],
    ),
}


def spanish_holidays(year, region=None):
    """``[(date, name)]`` of ``year``: the national holidays, and ``region``'s (an ISO 3166-2
    code from ``REGIONS``) when given, by date."""
    rules = list(NATIONAL)
    if region:
        rules += REGIONS[region][1]
    return sorted({rule(year): name for rule, name in rules}.items())
