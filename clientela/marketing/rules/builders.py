"""Condition -> ``Q``: the few shapes every field is made of.

* ``column(path)``: a column of the record (or of a record it points to);
* ``custom(definition)``: a key of the ``custom_fields`` JSON column;
* ``tags()``, ``related_text(...)``: something any of the record's related rows has;
* ``exists``/``aggregate``/``last_date``: behaviour read from related rows (purchases,
  e-mails opened, activities...), as ``id IN (SELECT <key> ...)`` for what the record has in a
  window of time (few rows: the planner starts from them, e.g. the purchases of the last 90
  days, instead of reading every record), ``EXISTS (...)`` for "has any at all" (most records:
  one probe each beats listing millions of rows) and ``NOT EXISTS (...)`` for what it lacks.

Relative dates are measured from ``condition.now``; calendar days are the installation's.
"""

import datetime
import json
from dataclasses import replace

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Left
from django.db.models.lookups import (
    Contains,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone

from clientela.core.choices import CustomFieldType as CF

from .catalogue import BOOLEAN, CHOICE, DATE, NUMBER, TAG, TEXT

GROUP_KEY = "rule_group_key"
_COMPARE = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
_EXPRESSION_LOOKUPS = {
    "eq": Exact,
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "lt": LessThan,
    "lte": LessThanOrEqual,
}


def day_start(day):
    """The first moment of ``day`` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _cutoff(condition, day_column):
    days = datetime.timedelta(days=condition.value)
    if day_column:
        return timezone.localdate(condition.now) - days
    return condition.now - days


def _bounds(condition, day_column):
    """``(from, until)`` of a date operator's value: the day's first moment, and the next
    day's (dates for a date column)."""
    as_bound = (lambda d: d) if day_column else day_start
    value = condition.value
    if condition.operator == "between":
        low, high = value
    else:
        low = high = value
    return as_bound(low), as_bound(high + datetime.timedelta(days=1))


def date_q(path, condition, *, day_column=False):
    """Q of a date operator on a date or date-time column at ``path``."""
    op = condition.operator
    if op in ("within_last_days", "not_within_last_days", "more_than_days_ago"):
        cutoff = _cutoff(condition, day_column)
        recent = Q(**{f"{path}__gte": cutoff})
        if op == "within_last_days":
            return recent
        if op == "not_within_last_days":
            return ~recent
        return Q(**{f"{path}__lt": cutoff})
    if op in ("is_empty", "is_not_empty"):
        empty = Q(**{f"{path}__isnull": True})
        return empty if op == "is_empty" else ~empty
    start, end = _bounds(condition, day_column)
    if op == "before":
        return Q(**{f"{path}__lt": start})
    if op == "after":
        return Q(**{f"{path}__gte": end})
    return Q(**{f"{path}__gte": start, f"{path}__lt": end})  # on, between


def value_q(path, condition, *, blank=True):
    """Q of any non-date operator on the column at ``path``; ``blank``: an empty string counts
    as empty (text and choice columns)."""
    op, value = condition.operator, condition.value
    if op == "eq":
        return Q(**{path: value})
    if op == "ne":
        return ~Q(**{path: value})
    if op in ("contains", "not_contains"):
        q = Q(**{f"{path}__icontains": value})
        return q if op == "contains" else ~q
    if op == "starts_with":
        return Q(**{f"{path}__istartswith": value})
    if op in ("in", "not_in"):
        q = Q(**{f"{path}__in": value})
        return q if op == "in" else ~q
    if op in _COMPARE:
        return Q(**{f"{path}__{_COMPARE[op]}": value})
    if op == "between":
        return Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
    if op in ("is_empty", "is_not_empty"):
        empty = Q(**{f"{path}__isnull": True})
        if blank:
            empty |= Q(**{path: ""})
        return empty if op == "is_empty" else ~empty
    if op in ("is_true", "is_false"):
        return Q(**{path: op == "is_true"})
    raise ValueError(op)  # pragma: no cover - the catalogue allows no other operator


def column(path, *, blank=True, few_values=False):
    """A column of the record (``path`` may follow foreign keys: ``company__industry``).
    ``few_values``: a handful of values, each held by a large share of the records (a lifecycle
    stage, a language)."""

    def build(condition):
        if condition.field.type == DATE:
            return date_q(path, condition, day_column=condition.field.day_column)
        if few_values and condition.operator in ("eq", "ne", "in", "not_in"):
            return _scanned(path, condition)
        return value_q(path, condition, blank=blank)

    return build


class _Unindexed(Func):
    """The column itself; on SQLite written ``+column``, which no index matches."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _scanned(path, condition):
    """``eq``/``in`` on a column of few values, read while scanning the table. SQLite would
    otherwise probe an index holding it and fetch a quarter of the table's rows one by one —
    five times as long as reading them all (1.15 s against 0.22 s on a million contacts)."""
    column = _Unindexed(F(path))
    op, value = condition.operator, condition.value
    q = Q(In(column, value)) if op in ("in", "not_in") else Q(Exact(column, value))
    return ~q if op in ("ne", "not_in") else q


def tags(model):
    """The record's tags, by name."""
    through = model.tags.through
    own = f"{model._meta.get_field('tags').m2m_field_name()}_id"

    def build(condition):
        def having(names):
            return Exists(through.objects.filter(**{own: OuterRef("pk"), "tag__name__in": names}))

        if condition.operator == "has_any":
            return Q(having(condition.value))
        if condition.operator == "has_none":
            return ~Q(having(condition.value))
        q = Q()
        for name in condition.value:  # has_all
            q &= Q(having([name]))
        return q

    return build


def related_text(rows, key, path):
    """A text on one of the record's related rows (e.g. any of a contact's e-mail addresses):
    positive operators ask for one row that matches, negative ones for none."""
    negatives = {"ne": "eq", "not_contains": "contains", "not_in": "in"}

    def build(condition):
        op = condition.operator
        if op in ("is_empty", "is_not_empty"):
            return has_any(rows(), key) if op == "is_not_empty" else absent(rows(), key)
        positive = replace(condition, operator=negatives.get(op, op))
        matching = rows().filter(value_q(path, positive, blank=False))
        return absent(matching, key) if op in negatives else present(matching, key)

    return build


# --- custom fields ------------------------------------------------------------------------------

CUSTOM_TYPES = {
    CF.TEXT: TEXT,
    CF.LONG_TEXT: TEXT,
    CF.URL: TEXT,
    CF.EMAIL: TEXT,
    CF.PHONE: TEXT,
    CF.INTEGER: NUMBER,
    CF.DECIMAL: NUMBER,
    CF.DATE: DATE,
    CF.DATETIME: DATE,
    CF.BOOLEAN: BOOLEAN,
    CF.CHOICE: CHOICE,
    CF.MULTI_CHOICE: TAG,
}


def custom(key, rule_type):
    """A custom field's value in the ``custom_fields`` JSON column (an empty value is no key:
    the services drop it)."""
    path = f"custom_fields__{key}"
    has_key = Q(**{"custom_fields__has_key": key})

    def build(condition):
        op, value = condition.operator, condition.value
        if op in ("is_empty", "is_not_empty"):
            return ~has_key if op == "is_empty" else has_key
        if rule_type == BOOLEAN:
            return Q(**{path: op == "is_true"})
        if rule_type == TAG:  # multiple choice: a JSON list of the chosen options

            def chose(option):
                return Q(Contains(KT(path), json.dumps(option, ensure_ascii=False)))

            if op == "has_all":
                return all_of(chose(v) for v in value)
            q = any_of(chose(v) for v in value)
            return q if op == "has_any" else ~q | ~has_key
        if rule_type == DATE:
            text = Left(KT(path), 10)  # a date, or the date part of a date and time
            low, high = _day_texts(condition)
            if op == "within_last_days":
                return Q(GreaterThanOrEqual(text, low))
            if op == "not_within_last_days":
                return ~Q(GreaterThanOrEqual(text, low)) | ~has_key
            if op in ("more_than_days_ago", "before"):
                return Q(LessThan(text, low))
            if op == "after":
                return Q(GreaterThan(text, high))
            return Q(GreaterThanOrEqual(text, low)) & Q(LessThanOrEqual(text, high))
        if rule_type == NUMBER:
            target = Cast(KT(path), DecimalField(max_digits=30, decimal_places=10))
        else:
            target = KT(path)
        if op in ("contains", "not_contains"):
            q = Q(**{f"{path}__icontains": value})
            return q if op == "contains" else ~q | ~has_key
        if op == "starts_with":
            return Q(**{f"{path}__istartswith": value})
        if op in ("in", "not_in"):
            q = Q(In(target, value))
            return q if op == "in" else ~q | ~has_key
        if op == "ne":
            return ~Q(Exact(target, value)) | ~has_key
        if op == "between":
            return Q(GreaterThanOrEqual(target, value[0])) & Q(LessThanOrEqual(target, value[1]))
        return Q(_EXPRESSION_LOOKUPS[op](target, value))

    return build


def _day_texts(condition):
    """ISO texts of the days a custom date condition compares with."""
    if condition.operator in ("within_last_days", "not_within_last_days", "more_than_days_ago"):
        day = timezone.localdate(condition.now) - datetime.timedelta(days=condition.value)
        return day.isoformat(), day.isoformat()
    if condition.operator == "between":
        return condition.value[0].isoformat(), condition.value[1].isoformat()
    return condition.value.isoformat(), condition.value.isoformat()


def any_of(qs):
    result = Q()
    for q in qs:
        result |= q
    return result


def all_of(qs):
    result = Q()
    for q in qs:
        result &= q
    return result


# --- behaviour: related rows --------------------------------------------------------------------


def present(rows, key):
    """Records with at least one of ``rows`` (``rows`` point to them through ``key``), as a
    list the query can start from: for rows narrowed to few records."""
    return Q(pk__in=rows.order_by().values(key))


def has_any(rows, key):
    """Records with at least one of ``rows``, probed record by record: for rows most records
    have (all of a contact's purchases), which would make a long list."""
    return Q(Exists(rows.order_by().filter(**{key: OuterRef("pk")})))


def absent(rows, key):
    """Records with none of ``rows``."""
    return ~Exists(rows.order_by().filter(**{key: OuterRef("pk")}))


def exists(rows, key):
    """A yes/no field: does the record have any of ``rows(condition)``?"""

    def build(condition):
        matching = rows(condition)
        return present(matching, key) if condition.operator == "is_true" else absent(matching, key)

    return build


class Aggregate:
    """A number computed over the record's rows (how many, how much). ``zero`` is its value
    for a record without rows (``None``: such a record never matches).

    Conditions of one group on numbers of the same rows ("five purchases or more, or more than
    1,500 spent") can share one grouping of those rows (``combined``): each grouping reads
    every row of the window, the slow part of such a rule."""

    def __init__(self, rows, key, expression, *, zero, rollup=None):
        self.rows, self.key, self.expression, self.zero = rows, key, expression, zero
        self.rollup = rollup

    def __call__(self, condition):
        if _reads_rollup(self.rollup, condition):
            return value_q(self.rollup, condition, blank=False)
        if self._means_none(condition):
            return absent(self.rows(condition), self.key)
        grouped, grouped_key = self._grouped(condition, {"result": self.expression})
        wanted = value_q("result", condition, blank=False)
        if self.zero is not None and _holds(condition, self.zero):
            # Records without rows match too: all but those whose rows fail.
            failing = grouped.filter(~wanted).values(grouped_key)
            return absent(failing, self.key)
        return Q(pk__in=grouped.filter(wanted).values(grouped_key))

    def shared_by(self, condition):
        """What conditions must have in common to share a grouping (``None``: this one
        cannot: it reads a rollup column, or records without rows match it and it is
        written as their absence)."""
        if _reads_rollup(self.rollup, condition) or self._means_none(condition):
            return None
        if self.zero is not None and _holds(condition, self.zero):
            return None
        return (self.rows, self.key, json.dumps(condition.params, sort_keys=True, default=str))

    def _means_none(self, condition):
        """Whether the condition asks for no rows at all ("no purchase in the last year":
        a count equal to, or at most, zero): then no grouping is needed."""
        return (
            isinstance(self.expression, Count)
            and condition.operator in ("eq", "lt", "lte")
            and _holds(condition, 0)
            and not _holds(condition, 1)
        )

    @staticmethod
    def combined(conditions, op):
        """One ``IN (... GROUP BY ... HAVING a AND/OR b)`` for ``[(aggregate, condition)]``
        that all share a grouping."""
        first, condition = conditions[0]
        results = {f"result_{n}": a.expression for n, (a, _c) in enumerate(conditions)}
        grouped, grouped_key = first._grouped(condition, results)
        wanted = [
            value_q(name, c, blank=False) for name, (_a, c) in zip(results, conditions, strict=True)
        ]
        having = all_of(wanted) if op == "and" else any_of(wanted)
        return Q(pk__in=grouped.filter(having).values(grouped_key))

    def _grouped(self, condition, results):
        matching = self.rows(condition).order_by()
        if condition.params.get("days"):
            # Grouped by an expression no index is sorted on, so the planner reads the window
            # through the date index instead of every row in record order (SQLite).
            matching = matching.annotate(**{GROUP_KEY: F(self.key) + 0})
            grouped_key = GROUP_KEY
        else:
            grouped_key = self.key
        return matching.values(grouped_key).annotate(**results), grouped_key


def _reads_rollup(rollup, condition):
    """Whether a rule can read the record's ``rollup`` column (a total kept on the record over
    all its rows) rather than its rows: not when it asks for a window or a product."""
    return rollup is not None and not any(condition.params.values())


def _holds(condition, number):
    """Whether ``number`` satisfies a comparison condition (the value of "no rows")."""
    op, value = condition.operator, condition.value
    checks = {
        "eq": lambda: number == value,
        "ne": lambda: number != value,
        "gt": lambda: number > value,
        "gte": lambda: number >= value,
        "lt": lambda: number < value,
        "lte": lambda: number <= value,
        "between": lambda: value[0] <= number <= value[1],
    }
    return checks[op]()


def last_date(rows, key, path, *, rollup=None):
    """The date of the record's latest row (its last purchase, its last activity), as
    combinations of "has a row in this range" and "has none after it"; ``rollup``: a column
    of the record holding that date (see ``Aggregate``)."""

    def build(condition):
        if _reads_rollup(rollup, condition):
            return date_q(rollup, condition)
        all_rows = rows(condition)
        op = condition.operator
        if op in ("is_empty", "is_not_empty"):
            return absent(all_rows, key) if op == "is_empty" else has_any(all_rows, key)
        if op in ("within_last_days", "not_within_last_days", "more_than_days_ago"):
            since = all_rows.filter(**{f"{path}__gte": _cutoff(condition, False)})
            if op == "within_last_days":
                return present(since, key)
            if op == "not_within_last_days":
                return absent(since, key)
            return Q(LessThan(_latest(all_rows, key, path), _cutoff(condition, False)))
        start, end = _bounds(condition, False)
        later = absent(all_rows.filter(**{f"{path}__gte": end}), key)
        if op == "before":
            return has_any(all_rows, key) & absent(all_rows.filter(**{f"{path}__gte": start}), key)
        if op == "after":
            return present(all_rows.filter(**{f"{path}__gte": end}), key)
        in_range = all_rows.filter(**{f"{path}__gte": start, f"{path}__lt": end})
        return present(in_range, key) & later  # on, between

    return build


def _latest(rows, key, path):
    """The date of the record's latest row, ``NULL`` without rows: one probe of the index on
    (record, date) per record, where "has a row, and none since" took two."""
    latest = rows.filter(**{key: OuterRef("pk")}).order_by(f"-{path}")
    return Subquery(latest.values(path)[:1])


def within_days(rows, path, condition):
    """``rows`` narrowed to the condition's ``days`` window, when it has one."""
    days = condition.params.get("days")
    if days:
        rows = rows.filter(**{f"{path}__gte": condition.now - datetime.timedelta(days=days)})
    return rows
