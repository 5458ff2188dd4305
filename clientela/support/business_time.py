"""Time counted in working hours: what an SLA clock measures.

A ``Schedule`` is a working week (for each weekday, the periods a team works, in local time),
the days off (holidays) and the time zone they are read in. ``add`` finds the moment a number
of working seconds after a start; ``between`` counts the working seconds from one moment to
another. Both walk the calendar a day at a time, so a clock that spans a long weekend, a bridge
holiday or a change to summer time is counted as the team lives it: a period that starts at
9:00 starts at 9:00 local time on either side of the change.

Moments are aware datetimes; results are in UTC.
"""

import datetime
from dataclasses import dataclass, field

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
MAX_DAYS = 3 * 366  # a schedule with so few working hours that a clock never ends is refused


class NoWorkingTime(ValueError):
    """The schedule has no working period in the years searched."""


@dataclass(frozen=True)
class Schedule:
    zone: datetime.tzinfo
    # weekday (0 = Monday) -> ((start, end), ...) as ``datetime.time``, sorted, not overlapping;
    # an end of ``time(0)`` means midnight at the end of the day.
    week: dict
    holidays: frozenset = field(default_factory=frozenset)

    def periods_on(self, day):
        """The working periods of ``day`` (a date) as aware ``(start, end)`` in UTC."""
        if day in self.holidays:
            return []
        periods = []
        for start, end in self.week.get(day.weekday(), ()):
            opens = _at(day, start, self.zone)
            closes = _at(day + DAY, end, self.zone) if end == datetime.time(0) else None
            closes = closes or _at(day, end, self.zone)
            if closes > opens:
                periods.append((opens, closes))
        return periods

    def _days_from(self, moment):
        """``(day, periods)`` from the local day of ``moment`` on, for ``MAX_DAYS`` days."""
        day = moment.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            yield day, self.periods_on(day)
            day += DAY
        raise NoWorkingTime

    def add(self, start, seconds):
        """The moment ``seconds`` of working time after ``start`` (``start`` itself for 0)."""
        start = start.astimezone(UTC)
        left = datetime.timedelta(seconds=seconds)
        if left <= datetime.timedelta(0):
            return start
        for _day, periods in self._days_from(start):
            for opens, closes in periods:
                if closes <= start:
                    continue
                opens = max(opens, start)
                if opens + left <= closes:
                    return opens + left
                left -= closes - opens
        raise NoWorkingTime  # pragma: no cover (``_days_from`` raises first)

    def between(self, start, end):
        """The working seconds from ``start`` to ``end`` (0 when ``end`` is not later)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        total = datetime.timedelta(0)
        last_day = end.astimezone(self.zone).date()
        day = start.astimezone(self.zone).date()
        while day <= last_day:
            for opens, closes in self.periods_on(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > datetime.timedelta(0):
                    total += overlap
            day += DAY
        return total.total_seconds()

    def is_working(self, moment):
        moment = moment.astimezone(UTC)
        day = moment.astimezone(self.zone).date()
        return any(opens <= moment < closes for opens, closes in self.periods_on(day))


def _at(day, clock, zone):
    """``day`` at ``clock`` local time, in UTC. A time skipped by a change to summer time is
    read as the same time before the change (``fold=0``), i.e. a little later in real time."""
    local = datetime.datetime.combine(day, clock).replace(tzinfo=zone)
    return local.astimezone(UTC)


def always(zone=UTC):
    """Round the clock, every day (an SLA in calendar time)."""
    return Schedule(zone=zone, week={d: ((datetime.time(0), datetime.time(0)),) for d in range(7)})
