"""Running a built report: the records the rules select in the reader's scope, grouped by up to
two dimensions, with one measure — one grouped query, then the groups labelled in Python.

Dates are grouped by day, week, month, quarter or year in the company's time zone. PostgreSQL
truncates them itself; SQLite would call a Python function for every row, so there the query
groups by the stored UTC hour (a prefix of the stored text, grouped at C speed: a few thousand
groups a year) and each hour is put in its local bucket here, exactly, the time zone's offsets
being whole hours (or by the minute where they are not).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import CharField, Count, F, Max, Min, Sum
from django.db.models.functions import Cast, Substr, Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import permissions
from clientela.marketing import rules

from ..reports.period import bucket_label, bucket_of
from ..reports.tables import CHARTS, Column, Table
from .catalogue import OPERATIONS, SOURCES

MAX_GROUPS = 200  # rows shown (the largest groups, or the first dates)
MAX_SERIES = 12  # columns of the second dimension
BUCKETS = ("day", "week", "month", "quarter", "year")


@dataclass
class Spec:
    """A report to build: validated by ``Spec.from_data``."""

    entity: str
    rules: dict
    group_by: list  # [(dimension key, bucket or "")], at most two
    operation: str = "count"
    measure: str = "records"
    chart: str = "bar"

    @classmethod
    def from_data(cls, data):
        """A spec from JSON-like ``data`` (a saved report, the API, the builder's form), or a
        ``ValidationError`` saying what is wrong with each part."""
        if not isinstance(data, dict):
            raise ValidationError({"spec": [_("Expected an object.")]})
        errors = {}
        source = SOURCES.get(data.get("entity"))
        if source is None:
            raise ValidationError({"entity": [_("Choose what to report on.")]})
        tree = data.get("rules") or rules.empty_tree()
        try:
            tree = rules.validate(source.entity, tree)
        except rules.RuleError as error:
            errors.update(error.message_dict)
        group_by = []
        raw_groups = data.get("group_by") or []
        if not isinstance(raw_groups, list) or len(raw_groups) > 2:
            errors["group_by"] = [_("Group by one or two things.")]
            raw_groups = []
        for n, item in enumerate(raw_groups):
            item = item if isinstance(item, dict) else {}
            dimension = source.dimension(item.get("dimension"))
            bucket = item.get("bucket") or ""
            if dimension is None:
                errors[f"group_by.{n}"] = [_("Unknown thing to group by.")]
            elif dimension.date and bucket not in BUCKETS:
                errors[f"group_by.{n}"] = [_("Choose day, week, month, quarter or year.")]
            else:
                group_by.append((dimension.key, bucket if dimension.date else ""))
        if len({key for key, _bucket in group_by}) < len(group_by):
            errors["group_by"] = [_("Group by two different things.")]
        operation = data.get("operation") or "count"
        measure = data.get("measure") or "records"
        if operation not in OPERATIONS:
            errors["operation"] = [_("Unknown calculation.")]
        found = source.measure(measure)
        if found is None:
            errors["measure"] = [_("Unknown figure.")]
        elif (operation == "count") != (found.path is None):
            errors["measure"] = [_("Count records, or sum, average, minimum or maximum a figure.")]
        chart = data.get("chart") or "bar"
        if chart not in CHARTS:
            errors["chart"] = [_("Unknown chart.")]
        if errors:
            raise ValidationError(errors)
        return cls(source.entity, tree, group_by, operation, measure, chart)

    def as_data(self):
        return {
            "entity": self.entity,
            "rules": self.rules,
            "group_by": [
                {"dimension": k, "bucket": b} if b else {"dimension": k} for k, b in self.group_by
            ],
            "operation": self.operation,
            "measure": self.measure,
            "chart": self.chart,
        }


def run(spec, reader, *, title=""):
    """The report ``spec`` describes, over what ``reader`` may see, as a ``Table``."""
    source = SOURCES[spec.entity]
    if not permissions.can_read(reader, source.area):
        raise PermissionDenied
    records = permissions.visible(reader, rules.queryset(source.entity, spec.rules))
    dimensions = [(source.dimension(key), bucket) for key, bucket in spec.group_by]
    measure = source.measure(spec.measure)
    columns = {}
    for n, (dimension, bucket) in enumerate(dimensions):
        columns[f"g{n}"] = _grouping(dimension, bucket)
    aggregates = _aggregates(spec.operation, measure)
    rows = (
        records.order_by().values(**columns).annotate(**aggregates)
        if columns
        else [records.order_by().aggregate(**aggregates)]
    )
    cells = defaultdict(lambda: defaultdict(lambda: None))
    for row in rows:
        key = tuple(
            _bucketed(row[f"g{n}"], dimension, bucket)
            for n, (dimension, bucket) in enumerate(dimensions)
        )
        _combine(cells[key], row, spec.operation)
    return _table(spec, source, dimensions, measure, cells, title)


def _grouping(dimension, bucket):
    if not dimension.date:
        return F(dimension.path)
    if dimension.day_column:
        return F(dimension.path)
    if connection.vendor == "postgresql":
        kind = "week" if bucket == "week" else "day" if bucket == "day" else bucket
        return Trunc(dimension.path, kind, tzinfo=timezone.get_current_timezone())
    width = 13 if _whole_hours(str(timezone.get_current_timezone())) else 16
    return Substr(Cast(dimension.path, output_field=CharField()), 1, width)


@cache
def _whole_hours(zone_name):
    """Whether the zone's offsets from UTC are whole hours (every two weeks of two years)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    return all(
        (start + datetime.timedelta(days=14 * n)).astimezone(zone).utcoffset().total_seconds()
        % 3600
        == 0
        for n in range(53)
    )


def _bucketed(value, dimension, bucket):
    """A grouped value as the bucket's first day (dates) or as it is."""
    if not dimension.date or value is None:
        return value
    if isinstance(value, str):  # SQLite: "2026-03-01 10" (a UTC hour) or "2026-03-01 10:30"
        shape = "%Y-%m-%d %H" if len(value) == 13 else "%Y-%m-%d %H:%M"
        moment = datetime.datetime.strptime(value, shape).replace(tzinfo=datetime.UTC)
        day = timezone.localtime(moment).date()
    elif isinstance(value, datetime.datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    else:
        day = value
    return bucket_of(day, bucket)


def _aggregates(operation, measure):
    if operation == "count":
        return {"n": Count("pk")}
    if operation in ("sum", "avg"):
        return {"total": Sum(measure.path), "n": Count(measure.path)}
    return {"value": (Min if operation == "min" else Max)(measure.path)}


def _combine(cell, row, operation):
    """Fold one grouped row into a cell (several rows fall in one bucket on SQLite)."""
    if operation in ("min", "max"):
        value = row["value"]
        if value is not None:
            current = cell["value"]
            pick = min if operation == "min" else max
            cell["value"] = value if current is None else pick(current, value)
        return
    for name in ("n", "total"):
        if name in row and row[name] is not None:
            cell[name] = (cell[name] or 0) + row[name]


def _value(cell, operation):
    if operation == "count":
        return cell["n"] or 0
    if operation == "sum":
        return cell["total"] or Decimal(0)
    if operation == "avg":
        return cell["total"] / cell["n"] if cell["n"] else None
    return cell["value"]


def _table(spec, source, dimensions, measure, cells, title):
    kind = "count" if spec.operation == "count" else measure.kind
    label = (
        measure.label
        if spec.operation == "count"
        else f"{OPERATIONS[spec.operation]} · {measure.label}"
    )
    if not dimensions:
        value = _value(next(iter(cells.values())), spec.operation) if cells else 0
        return Table(
            "built", title or source.label, [Column("value", label, kind)], [[value]], "table"
        )
    first, first_bucket = dimensions[0]
    first_keys = _ordered(0, first, cells, spec.operation)
    first_names = _names(first, first_bucket, first_keys)
    if len(dimensions) == 1:
        rows = [[first_names[k], _value(cells[(k,)], spec.operation)] for k in first_keys]
        columns = [Column(first.key, first.label), Column("value", label, kind)]
    else:
        second, second_bucket = dimensions[1]
        second_keys = _ordered(1, second, cells, spec.operation)[:MAX_SERIES]
        second_names = _names(second, second_bucket, second_keys)
        columns = [Column(first.key, first.label)] + [
            Column(f"s{n}", second_names[k], kind) for n, k in enumerate(second_keys)
        ]
        rows = [
            [first_names[k1]]
            + [
                _value(cells[(k1, k2)], spec.operation) if (k1, k2) in cells else None
                for k2 in second_keys
            ]
            for k1 in first_keys
        ]
    return Table("built", title or source.label, columns, rows[:MAX_GROUPS], spec.chart)


def _ordered(position, dimension, cells, operation):
    """The values of the dimension at ``position``: dates in order, other values by the size
    of their groups, largest first."""
    size = defaultdict(float)
    for key, cell in cells.items():
        size[key[position]] += float(_value(cell, operation) or 0)
    if dimension.date:
        return sorted(size, key=lambda k: (k is None, k or datetime.date.min))
    return sorted(size, key=lambda k: (-size[k], str(k)))


def _names(dimension, bucket, keys):
    if dimension.date:
        return {k: bucket_label(k, bucket) if k else _("None") for k in keys}
    names = dimension.labels(keys)
    return {k: names.get(k, k) if k not in (None, "") else _("None") for k in keys}
