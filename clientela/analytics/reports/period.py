"""Report periods: what "this quarter" means today, the period it is compared with, and the
month, quarter or year each day of it falls in. Days are the company's (``TIME_ZONE``)."""

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

PRESETS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "last_quarter": _("Last quarter"),
    "this_year": _("This year"),
    "last_year": _("Last year"),
    "last_30_days": _("Last 30 days"),
    "last_12_months": _("Last 12 months"),
    "custom": _("Custom dates"),
}
BUCKETS = {
    "day": _("Day"),
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
}
DAY = datetime.timedelta(days=1)


def add_months(day, months):
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def quarter_start(day):
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Period:
    """Days from ``start`` (included) to ``end`` (excluded); ``months``: the calendar unit it
    is a span of (1, 3, 12), or 0 for a number of days."""

    start: datetime.date
    end: datetime.date
    months: int = 0

    @property
    def last(self):
        return self.end - DAY

    def label(self):
        first, last = (formats.date_format(d, "SHORT_DATE_FORMAT") for d in (self.start, self.last))
        return f"{first} – {last}"

    def previous(self):
        """The period this one is compared with: the calendar unit before a whole one (last
        year against the year before, leap or not), the same days one unit earlier for one so
        far (this quarter so far against the same days of last quarter), or the same number of
        days just before."""
        if self.months:
            start = add_months(self.start, -self.months)
            if self.end == add_months(self.start, self.months):  # whole months: the unit before
                return Period(start, self.start, self.months)
            return Period(start, min(start + (self.end - self.start), self.start), self.months)
        return Period(self.start - (self.end - self.start), self.start)


def custom(start, last):
    """The days from ``start`` to ``last``, both included; whole months compare as months."""
    end = last + DAY
    months = (end.year - start.year) * 12 + end.month - start.month
    whole = start.day == 1 and end.day == 1 and months > 0
    return Period(start, end, months if whole else 0)


def preset(name, today=None):
    """The period a preset names, ending today at the latest."""
    today = today or timezone.localdate()
    tomorrow = today + DAY
    month, quarter = today.replace(day=1), quarter_start(today)
    year = today.replace(month=1, day=1)
    periods = {
        "this_month": (month, tomorrow, 1),
        "last_month": (add_months(month, -1), month, 1),
        "this_quarter": (quarter, tomorrow, 3),
        "last_quarter": (add_months(quarter, -3), quarter, 3),
        "this_year": (year, tomorrow, 12),
        "last_year": (year.replace(year=year.year - 1), year, 12),
        "last_30_days": (tomorrow - 30 * DAY, tomorrow, 0),
        "last_12_months": (add_months(month, -11), tomorrow, 12),
    }
    return Period(*periods[name])


def bucket_of(day, bucket):
    """The first day of the ``bucket`` (day, week, month, quarter, year) ``day`` is in."""
    if bucket == "day":
        return day
    if bucket == "week":
        return day - datetime.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "quarter":
        return quarter_start(day)
    return day.replace(month=1, day=1)


def buckets(period, bucket):
    """Every bucket start of ``period``, in order (empty buckets included)."""
    starts, day = [], bucket_of(period.start, bucket)
    while day < period.end:
        starts.append(day)
        day = _next(day, bucket)
    return starts


def _next(day, bucket):
    if bucket == "day":
        return day + DAY
    if bucket == "week":
        return day + 7 * DAY
    return add_months(day, {"month": 1, "quarter": 3, "year": 12}[bucket])


def bucket_label(day, bucket):
    if bucket == "year":
        return str(day.year)
    if bucket == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if bucket == "month":
        return formats.date_format(day, "YEAR_MONTH_FORMAT")
    return formats.date_format(day, "SHORT_DATE_FORMAT")
