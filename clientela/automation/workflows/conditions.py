"""Conditions: a ``marketing.rules`` tree over the record (or its contact), compiled once per
rule into a ``Q`` and evaluated in memory when it only reads the record's own columns, else with
one ``EXISTS`` query.

The in-memory reading follows what the SQL does, NULLs included: Django writes ``~Q(x=1)`` so
that a NULL ``x`` passes, and a comparison with NULL is false.
"""

import datetime
import decimal
import operator
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from . import records

_LOOKUPS = {"exact", "icontains", "istartswith", "in", "gt", "gte", "lt", "lte", "isnull"}


class NotInMemory(Exception):
    """The ``Q`` reads something beyond the record's own columns."""


@dataclass
class Compiled:
    """A rule's conditions ready to test: ``q`` (``None``: no conditions), whether it can be
    read in memory, and the model it applies to."""

    q: Q | None
    in_memory: bool
    model: type

    def __post_init__(self):
        # Each event is tested against a hundred rules: their columns are found and their
        # values converted once, here, not per event.
        self.test = predicate(self.q, self.model) if self.q is not None and self.in_memory else None

    def matches(self, record):
        if self.q is None:
            return True
        if record is None:
            return False
        if self.test is not None:
            return self.test(record)
        known = partly(self.q, record)  # often the record's own columns settle it already
        if known is not None:
            return known
        return self.model._default_manager.filter(pk=record.pk).filter(self.q).exists()


def is_empty(tree):
    return not tree or not tree.get("rules")


def compile_conditions(entity, tree, *, now=None):
    """``Compiled`` for ``entity``'s rule tree (raises ``RuleError`` when it no longer fits)."""
    from clientela.marketing import rules

    kind = records.KINDS[entity]
    model = kind.condition_model()
    if is_empty(tree):
        return Compiled(None, True, model)
    q = rules.to_q(kind.condition_entity, tree, now=now or timezone.now())
    return Compiled(q, readable_in_memory(q, model), model)


def readable_in_memory(q, model):
    try:
        _walk(q, model)
    except NotInMemory:
        return False
    return True


def _walk(q, model):
    for child in q.children:
        if isinstance(child, Q):
            _walk(child, model)
        elif isinstance(child, tuple):
            _column(model, child[0])
        else:
            raise NotInMemory


def _column(model, path):
    name, _sep, lookup = path.partition("__")
    lookup = lookup or "exact"
    if lookup not in _LOOKUPS:
        raise NotInMemory
    try:
        field = model._meta.get_field(name)
    except Exception:
        field = next((f for f in model._meta.concrete_fields if f.attname == name), None)
    if field is None or not field.concrete or field.many_to_many or field.name == "custom_fields":
        raise NotInMemory
    return field, lookup


def evaluate(q, record):
    """What ``Model.objects.filter(q)`` would say of ``record``, from its attributes."""
    return predicate(q, type(record))(record)


def predicate(q, model):
    """``evaluate(q, ·)`` for records of ``model``, as a function."""
    tests = [
        predicate(child, model) if isinstance(child, Q) else _leaf_test(model, *child)
        for child in q.children
    ]
    combine = all if q.connector == Q.AND else any
    if q.negated:
        return lambda record: not combine(test(record) for test in tests)
    return lambda record: combine(test(record) for test in tests)


def partly(q, record):
    """``evaluate`` in three-valued logic: ``None`` where only the database can tell (an
    ``EXISTS``, a related row), ``True``/``False`` where the record's columns settle it."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            result = partly(child, record)
        elif isinstance(child, tuple):
            try:
                result = _leaf(record, *child)
            except NotInMemory:
                result = None
        else:
            result = None
        if result is (q.connector != Q.AND):  # False settles an AND, True an OR
            return (not result) if q.negated else result
        results.append(result)
    if None in results:
        return None
    result = q.connector == Q.AND
    return not result if q.negated else result


def _leaf(record, path, value):
    return _leaf_test(type(record), path, value)(record)


_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _leaf_test(model, path, value):
    """The test of one column lookup (``NotInMemory`` when it is not a column of ``model``)."""
    field, lookup = _column(model, path)
    attname = field.attname
    if lookup == "isnull":
        return lambda record: (getattr(record, attname) is None) == bool(value)
    if lookup in ("icontains", "istartswith"):
        part = str(value).casefold()

        def test(record):
            current = getattr(record, attname)
            if current is None:
                return False
            text = str(current).casefold()
            return part in text if lookup == "icontains" else text.startswith(part)

        return test
    held = {}  # the value as the column holds it, by the type of what it holds

    def as_held(current):
        kind = type(current)
        if kind not in held:
            if lookup == "in":
                held[kind] = {_same_type(field, current, v) for v in value}
            else:
                held[kind] = _same_type(field, current, value)
        return held[kind]

    if lookup == "in":

        def test(record):
            current = getattr(record, attname)
            return current is not None and current in as_held(current)

        return test
    compare = _COMPARE[lookup]

    def test(record):
        current = getattr(record, attname)
        if current is None:
            return False
        wanted = as_held(current)
        return wanted is not None and compare(current, wanted)

    return test


def _same_type(field, current, value):
    """``value`` as the column holds it (rules give ids and numbers as given, dates as dates,
    moments as aware date-times)."""
    if isinstance(current, datetime.datetime) and isinstance(value, datetime.date):
        if not isinstance(value, datetime.datetime):
            value = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        return value
    if isinstance(current, decimal.Decimal | int) and not isinstance(current, bool):
        try:
            return (
                decimal.Decimal(str(value)) if isinstance(current, decimal.Decimal) else int(value)
            )
        except (ValueError, decimal.InvalidOperation, TypeError):
            return None
    if isinstance(current, datetime.date) and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return value
