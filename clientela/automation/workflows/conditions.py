"""Conditions: a ``marketing.rules`` tree over the record (or its contact), compiled once per
rule into a ``Q`` and evaluated in memory when it only reads the record's own columns, else with
one ``EXISTS`` query.

The in-memory reading follows what the SQL does, NULLs included: Django writes ``~Q(x=1)`` so
that a NULL ``x`` passes, and a comparison with NULL is false.
"""

import datetime
import decimal
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

    def matches(self, record):
        if self.q is None:
            return True
        if record is None:
            return False
        if self.in_memory:
            return evaluate(self.q, record)
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
    results = (
        evaluate(child, record) if isinstance(child, Q) else _leaf(record, *child)
        for child in q.children
    )
    result = all(results) if q.connector == Q.AND else any(results)
    return not result if q.negated else result


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
    field, lookup = _column(type(record), path)
    current = getattr(record, field.attname)
    if lookup == "isnull":
        return (current is None) == bool(value)
    if current is None:
        return False
    if lookup == "in":
        return current in {_same_type(field, current, v) for v in value}
    if lookup in ("icontains", "istartswith"):
        text, part = str(current).casefold(), str(value).casefold()
        return part in text if lookup == "icontains" else text.startswith(part)
    value = _same_type(field, current, value)
    if value is None:
        return False
    if lookup == "exact":
        return current == value
    return {
        "gt": current > value,
        "gte": current >= value,
        "lt": current < value,
        "lte": current <= value,
    }[lookup]


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
