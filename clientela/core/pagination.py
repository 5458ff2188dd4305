"""Keyset (cursor) pagination for UI lists and the API.

A page is read with ``WHERE (sort columns) > (last row's values) ORDER BY ... LIMIT n+1`` on an
index, so page 10,000 costs what page 1 costs, and no page ever counts the whole table. Orderings
end with ``id`` so every position is unique; sort columns must be non-null.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.db.models import Q


class InvalidCursor(ValueError):
    pass


@dataclass
class Page:
    items: list
    next_cursor: str | None
    previous_cursor: str | None


def _json_default(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)  # Decimal, UUID


def encode_cursor(values, direction):
    raw = json.dumps({"v": values, "d": direction}, separators=(",", ":"), default=_json_default)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor):
    if len(cursor) > 1000:
        raise InvalidCursor("cursor too long")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values, direction = data["v"], data["d"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise InvalidCursor("malformed cursor") from error
    if direction not in ("next", "prev") or not isinstance(values, list):
        raise InvalidCursor("malformed cursor")
    return values, direction


def _typed(field, value):
    """The cursor value as the field's Python type; anything odd is an ``InvalidCursor``
    (never a database error): nulls, nested JSON, NUL bytes, numbers out of the column range."""
    if value is None or isinstance(value, list | dict):
        raise InvalidCursor("malformed cursor value")
    if isinstance(value, str) and "\x00" in value:
        raise InvalidCursor("malformed cursor value")
    try:
        typed = field.to_python(value)
        field.run_validators(typed)
    except Exception as error:  # any conversion failure is a bad cursor
        raise InvalidCursor("malformed cursor value") from error
    if typed is None:
        raise InvalidCursor("malformed cursor value")
    return typed


def _after(model, ordering, values, reverse=False):
    """Rows strictly after ``values`` in ``ordering`` (before, with ``reverse``)."""
    if len(values) != len(ordering):
        raise InvalidCursor("cursor does not match the ordering")
    names, typed = [], []
    for term, value in zip(ordering, values, strict=True):
        field = model._meta.get_field(term.lstrip("-"))
        names.append(field.attname)
        typed.append(_typed(field, value))
    condition = Q()
    for i in range(len(ordering) - 1, -1, -1):
        descending = ordering[i].startswith("-") != reverse
        step = Q(**{f"{names[i]}__{'lt' if descending else 'gt'}": typed[i]})
        condition = (
            step if i == len(ordering) - 1 else step | (Q(**{names[i]: typed[i]}) & condition)
        )
    if len(ordering) > 1:
        # Redundant bound on the first column: without it SQLite scans the index from its start
        # for the OR above (page 10,000 cost 10x page 1); with it, it seeks.
        descending = ordering[0].startswith("-") != reverse
        condition = Q(**{f"{names[0]}__{'lte' if descending else 'gte'}": typed[0]}) & condition
    return condition


def _values_of(item, ordering):
    meta = item._meta
    return [getattr(item, meta.get_field(term.lstrip("-")).attname) for term in ordering]


def _flip(ordering):
    return [t[1:] if t.startswith("-") else f"-{t}" for t in ordering]


def paginate(queryset, ordering, cursor=None, page_size=50):
    """One page of ``queryset`` in ``ordering`` (a list of field names, ``-`` for descending,
    ending with ``id`` or ``-id``), starting after/before the position in ``cursor``.

    Raises ``InvalidCursor`` for a cursor that was not made by this function for this
    ordering. A cursor whose neighbours were deleted meanwhile gives an empty page that still
    links back to where the reader came from.
    """
    ordering = list(ordering)
    direction, values = "next", None
    if cursor:
        values, direction = decode_cursor(cursor)
        queryset = queryset.filter(
            _after(queryset.model, ordering, values, reverse=direction == "prev")
        )
    if direction == "prev":
        rows = list(queryset.order_by(*_flip(ordering))[: page_size + 1])
        items = list(reversed(rows[:page_size]))
        has_next, has_previous = True, len(rows) > page_size
    else:
        rows = list(queryset.order_by(*ordering)[: page_size + 1])
        items = rows[:page_size]
        has_next, has_previous = len(rows) > page_size, bool(cursor)
    if not items:
        if values is None:
            return Page([], None, None)
        back = "next" if direction == "prev" else "prev"
        cursors = {"next": None, "prev": None, back: encode_cursor(values, back)}
        return Page([], cursors["next"], cursors["prev"])
    next_cursor = encode_cursor(_values_of(items[-1], ordering), "next") if has_next else None
    previous_cursor = (
        encode_cursor(_values_of(items[0], ordering), "prev") if has_previous else None
    )
    return Page(items, next_cursor, previous_cursor)
