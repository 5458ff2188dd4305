"""Checking a rule's value against its field's type and its operator's shape.

Each function returns the value in the form the builders use (``Decimal``, ``date``, ``int``,
``str``) or raises ``ValueProblem`` with a translatable message. Values are only ever handed
to the ORM as parameters; nothing here builds SQL.
"""

import datetime
import decimal
import re

from django.utils.translation import gettext as _

from .catalogue import (
    BOOLEAN,
    CHOICE,
    DATE,
    DAYS,
    LIST,
    MONEY,
    NOTHING,
    NUMBER,
    OPERATOR_SHAPES,
    PAIR,
    TAG,
    TEAM,
    TEXT,
    USER,
)

MAX_TEXT = 255
MAX_LIST = 100
MAX_DAYS = 36_500  # a hundred years
MAX_NUMBER = decimal.Decimal(10) ** 15
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,16}(?:\.[0-9]{0,6})?|\.[0-9]{1,6})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ValueProblem(Exception):
    """A value that does not fit; ``message`` is for the person who wrote the rule."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def whole_number(value, *, low=1, high=MAX_DAYS):
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueProblem(_("Enter a whole number."))
    if isinstance(value, str):
        if not value.strip().isdigit() or len(value.strip()) > 6:
            raise ValueProblem(_("Enter a whole number."))
        value = int(value.strip())
    if not low <= value <= high:
        raise ValueProblem(
            _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return value


def _number(value):
    if isinstance(value, bool):
        raise ValueProblem(_("Enter a number."))
    if isinstance(value, int | float | decimal.Decimal):
        value = str(value)
    if not isinstance(value, str) or not _NUMBER.fullmatch(value.strip().replace(",", ".")):
        raise ValueProblem(_("Enter a number (at most 6 decimals)."))
    number = decimal.Decimal(value.strip().replace(",", "."))
    if abs(number) >= MAX_NUMBER:
        raise ValueProblem(_("The number is too large."))
    return number


def _date(value):
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueProblem(_("Enter a date as YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueProblem(_("Enter a date as YYYY-MM-DD.")) from None


def _text(value):
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem(_("Enter text."))
    text = str(value).strip()
    if not text:
        raise ValueProblem(_("Enter a value."))
    if len(text) > MAX_TEXT:
        raise ValueProblem(_("At most %(n)d characters.") % {"n": MAX_TEXT})
    if "\x00" in text:
        raise ValueProblem(_("Enter text."))
    return text


def _choice(value, options):
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueProblem(_("Choose one of the options."))
    value = str(value)
    if value not in options:
        raise ValueProblem(_("Choose one of the options."))
    return value


def _record_id(value, options):
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueProblem(_("Choose one of the options."))
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18 or text not in options:
        raise ValueProblem(_("Choose one of the options."))
    return int(text)


def scalar(field, value, options):
    """One value of ``field``'s type. ``options``: the allowed values of choice, user and team
    fields (as text), ``None`` for other types."""
    kind = field.type
    if kind in (NUMBER, MONEY):
        return _number(value)
    if kind == DATE:
        return _date(value)
    if kind == CHOICE:
        return _choice(value, options)
    if kind in (USER, TEAM):
        return _record_id(value, options)
    if kind == TAG:  # tag names, or the options of a multiple-choice field
        return _choice(value, options) if options is not None else _text(value)[:50]
    if kind == BOOLEAN:
        raise ValueProblem(_("This condition takes no value."))
    if kind == TEXT:
        return _text(value)
    raise ValueProblem(_("Unknown field type."))  # pragma: no cover - catalogue error


def for_operator(field, operator, value, options):
    """The value an operator of ``field`` takes, checked and converted."""
    shape = OPERATOR_SHAPES[operator]
    if shape == NOTHING:
        if value not in (None, "", []):
            raise ValueProblem(_("This condition takes no value."))
        return None
    if shape == DAYS:
        return whole_number(value)
    if shape == LIST:
        if not isinstance(value, list) or not value:
            raise ValueProblem(_("Give a list of values."))
        if len(value) > MAX_LIST:
            raise ValueProblem(_("At most %(n)d values.") % {"n": MAX_LIST})
        return list(dict.fromkeys(scalar(field, item, options) for item in value))
    if shape == PAIR:
        if not isinstance(value, list) or len(value) != 2:
            raise ValueProblem(_("Give two values: from and to."))
        low, high = (scalar(field, item, options) for item in value)
        if low > high:
            raise ValueProblem(_("The first value must not be after the second."))
        return [low, high]
    return scalar(field, value, options)
