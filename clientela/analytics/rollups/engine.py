"""Counting records into a daily rollup, and knowing which days to count again.

A write never adds to or subtracts from a rollup row: it marks the days it touches as dirty
(``mark``, one upsert in the writing transaction), and those days are later counted again from
the records (``settle``: by the next report that reads the rollup, or by the worker's round).
Counting a day again is cheap (the records of one day, through an index on the date) and always
right, whatever changed: an owner, a stage, a deletion, a company's region. An import of a
million contacts marks the same day a thousand times and has it counted once.

Marks are upserts that update the row, never "insert or ignore": a writer then holds the mark's
row lock until it commits, so a report settling that day waits for it and counts its change.

Each rollup keeps day rows (``span`` "d") and, summed from them, month rows ("m"): a year's
report reads twelve months of month rows and the days of its partial ends, a twentieth of the
day rows when, as with owners times regions, most days hold a row for nearly every record.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import DirtyDay

BATCH = 2_000
SETTLE_DAYS = 31
DAY, MONTH = "d", "m"  # the span of a rollup row


@dataclass(frozen=True)
class Event:
    """One kind of thing counted: the records matching ``where`` on the local day of their
    ``date_field``, with ``measures`` (column -> aggregate over the records)."""

    name: str
    date_field: str
    measures: dict
    where: Q = field(default_factory=Q)


@dataclass(frozen=True)
class Rollup:
    key: str
    model: type  # the rollup table
    records: type  # the model counted (its default manager leaves out the trash)
    dimensions: dict  # rollup column -> path on the counted record
    events: tuple
    alive: Q = field(default_factory=Q)  # which of them count
    # Records whose change moves rows of this rollup: {model: (link to them on the counted
    # records, fields of theirs that matter)}, e.g. a company's region for its deals.
    related: dict = field(default_factory=dict)

    def source(self):
        return self.records._default_manager.filter(self.alive)

    def date_fields(self):
        return {event.date_field for event in self.events}


def local_day(moment):
    """The day ``moment`` (an aware datetime or an ISO string) falls on in the company's time
    zone; ``None`` for no moment."""
    if moment in (None, ""):
        return None
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    return timezone.localtime(moment).date()


def start_of(day):
    """Midnight at the start of ``day`` in the company's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def mark(days_by_rollup):
    """Have each rollup's days (``{rollup key: days}``) counted again before they are next
    read, in one statement whatever the number of rollups a write touches."""
    now = timezone.now()
    marks = [
        DirtyDay(rollup=key, day=day, marked_at=now)
        for key, days in days_by_rollup.items()
        for day in sorted(day for day in days if day is not None)
    ]
    if marks:
        DirtyDay.objects.bulk_create(
            marks,
            update_conflicts=True,
            unique_fields=["rollup", "day"],
            update_fields=["marked_at"],
        )


def settle(rollup):
    """Count again every dirty day of ``rollup``. Each day is claimed by deleting its mark in
    the same transaction that counts it, so two readers never count one day twice."""
    days = sorted(DirtyDay.objects.filter(rollup=rollup.key).values_list("day", flat=True))
    for start, end in _ranges(days):
        with transaction.atomic():
            claimed = DirtyDay.objects.filter(
                rollup=rollup.key, day__gte=start, day__lt=end
            ).delete()[0]
            if claimed:
                count(rollup, start, end)


def count(rollup, start, end):
    """Replace the rollup's rows for the days ``start`` (included) to ``end`` (excluded) by
    counting the records again, then the rows of the months they fall in."""
    zone = timezone.get_current_timezone()
    rollup.model.objects.filter(span=DAY, day__gte=start, day__lt=end).delete()
    has_event = _has_event(rollup)
    rows = []
    for event in rollup.events:
        window = {
            f"{event.date_field}__gte": start_of(start),
            f"{event.date_field}__lt": start_of(end),
        }
        groups = (
            rollup.source()
            .filter(event.where, **window)
            .values(
                _day=TruncDate(event.date_field, tzinfo=zone),
                **{f"_{column}": _path(path) for column, path in rollup.dimensions.items()},
            )
            .annotate(**event.measures)
            .order_by()
        )
        for group in groups:
            values = {
                column: group[f"_{column}"] if group[f"_{column}"] is not None else _blank(column)
                for column in rollup.dimensions
            }
            values.update({name: _plain(group[name]) for name in event.measures})
            if has_event:
                values["event"] = event.name
            rows.append(rollup.model(day=group["_day"], **values))
    rollup.model.objects.bulk_create(rows, batch_size=BATCH)
    month = start.replace(day=1)
    while month < end:
        _count_month(rollup, month)
        month = _next_month(month)


def _count_month(rollup, month):
    """The month's rows, summed from its day rows."""
    rollup.model.objects.filter(span=MONTH, day=month).delete()
    keys = [*rollup.dimensions, *(["event"] if _has_event(rollup) else [])]
    measures = {name for event in rollup.events for name in event.measures}
    sums = (
        rollup.model.objects.filter(span=DAY, day__gte=month, day__lt=_next_month(month))
        .values(*keys)
        .annotate(**{f"_{name}": Sum(name) for name in measures})
        .order_by()
    )
    rollup.model.objects.bulk_create(
        (
            rollup.model(
                span=MONTH,
                day=month,
                **{key: group[key] for key in keys},
                **{name: group[f"_{name}"] for name in measures},
            )
            for group in sums
        ),
        batch_size=BATCH,
    )


def _next_month(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _has_event(rollup):
    return any(f.name == "event" for f in rollup.model._meta.fields)


def rebuild(rollup, *, log=None):
    """Count the whole rollup again, a month at a time (after an upgrade, a restore, or writes
    made outside the services)."""
    first = _first_day(rollup)
    DirtyDay.objects.filter(rollup=rollup.key).delete()
    if first is None:
        rollup.model.objects.all().delete()
        return
    first = first.replace(day=1)
    rollup.model.objects.filter(day__lt=first).delete()
    last = timezone.localdate() + datetime.timedelta(days=1)
    last = max(last, _last_day(rollup) + datetime.timedelta(days=1))
    rollup.model.objects.filter(day__gte=last).delete()
    start = first
    while start < last:
        end = min(_next_month(start), last)
        with transaction.atomic():
            count(rollup, start, end)
        if log:
            log(f"{rollup.key}: counted up to {end:%Y-%m-%d}")
        start = end


def _first_day(rollup):
    return _edge_day(rollup, "")


def _last_day(rollup):
    return _edge_day(rollup, "-")


def _edge_day(rollup, direction):
    days = []
    for event in rollup.events:
        moment = (
            rollup.source()
            .filter(event.where, **{f"{event.date_field}__isnull": False})
            .order_by(f"{direction}{event.date_field}")
            .values_list(event.date_field, flat=True)
            .first()
        )
        if moment is not None:
            days.append(local_day(moment))
    if not days:
        return None
    return min(days) if not direction else max(days)


def _ranges(days, gap=7):
    """Sorted days as ``[start, end)`` ranges, joining days fewer than ``gap`` days apart into
    ranges of at most ``SETTLE_DAYS`` (each is counted in one transaction)."""
    ranges = []
    for day in days:
        if ranges and (day - ranges[-1][1]).days < gap and (day - ranges[-1][0]).days < SETTLE_DAYS:
            ranges[-1][1] = day + datetime.timedelta(days=1)
        else:
            ranges.append([day, day + datetime.timedelta(days=1)])
    return ranges


def _path(path):
    return path if not isinstance(path, str) else F(path)


def _blank(column):
    return None if column.endswith("_id") else ""


def _plain(value):
    """Durations summed by the database as timedeltas become hours."""
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 3600
    return 0 if value is None else value
