"""What a rule may say: value types, their operators, and the fields of each entity.

An entity ("contact", "company", "deal") is a model and a list of ``Field`` declared in code
(``entities.py``); each field names its type, its label, how a condition on it becomes a
Django ``Q`` (``build``) and, for behaviour ("bought in the last N days"), the parameters it
takes. Nothing here knows about segments: workflow rules and reports use the same catalogue.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# --- types and operators -----------------------------------------------------------------------

TEXT, NUMBER, MONEY, DATE, CHOICE, BOOLEAN, TAG, USER, TEAM = (
    "text",
    "number",
    "money",
    "date",
    "choice",
    "boolean",
    "tag",
    "user",
    "team",
)
TYPES = (TEXT, NUMBER, MONEY, DATE, CHOICE, BOOLEAN, TAG, USER, TEAM)

OPERATOR_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "starts_with": _("starts with"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "gt": _("is more than"),
    "gte": _("is at least"),
    "lt": _("is less than"),
    "lte": _("is at most"),
    "between": _("is between"),
    "within_last_days": _("in the last … days"),
    "not_within_last_days": _("not in the last … days"),
    "more_than_days_ago": _("more than … days ago"),
    "before": _("before"),
    "after": _("after"),
    "on": _("on"),
    "is_empty": _("is empty"),
    "is_not_empty": _("is not empty"),
    "is_true": _("yes"),
    "is_false": _("no"),
    "has_any": _("has any of"),
    "has_all": _("has all of"),
    "has_none": _("has none of"),
}

# How an operator takes its value: one value of the field's type, a list, a pair, a number of
# days, or nothing.
SCALAR, LIST, PAIR, DAYS, NOTHING = "scalar", "list", "pair", "days", "nothing"
OPERATOR_SHAPES = {
    "eq": SCALAR,
    "ne": SCALAR,
    "contains": SCALAR,
    "not_contains": SCALAR,
    "starts_with": SCALAR,
    "gt": SCALAR,
    "gte": SCALAR,
    "lt": SCALAR,
    "lte": SCALAR,
    "before": SCALAR,
    "after": SCALAR,
    "on": SCALAR,
    "in": LIST,
    "not_in": LIST,
    "has_any": LIST,
    "has_all": LIST,
    "has_none": LIST,
    "between": PAIR,
    "within_last_days": DAYS,
    "not_within_last_days": DAYS,
    "more_than_days_ago": DAYS,
    "is_empty": NOTHING,
    "is_not_empty": NOTHING,
    "is_true": NOTHING,
    "is_false": NOTHING,
}
_EMPTY = ("is_empty", "is_not_empty")
_COMPARE = ("eq", "ne", "gt", "gte", "lt", "lte", "between")
TYPE_OPERATORS = {
    TEXT: ("eq", "ne", "contains", "not_contains", "starts_with", "in", "not_in", *_EMPTY),
    NUMBER: (*_COMPARE, *_EMPTY),
    MONEY: (*_COMPARE, *_EMPTY),
    DATE: (
        "within_last_days",
        "not_within_last_days",
        "more_than_days_ago",
        "before",
        "after",
        "on",
        "between",
        *_EMPTY,
    ),
    CHOICE: ("eq", "ne", "in", "not_in", *_EMPTY),
    BOOLEAN: ("is_true", "is_false"),
    TAG: ("has_any", "has_all", "has_none"),
    USER: ("eq", "ne", "in", "not_in", *_EMPTY),
    TEAM: ("eq", "ne", "in", "not_in", *_EMPTY),
}
# Aggregates of related rows (how many purchases, how much) always have a value (0 when none).
AGGREGATE_OPERATORS = _COMPARE

# --- parameters of behaviour fields ------------------------------------------------------------

DAYS_PARAM, PRODUCT_PARAM, CAMPAIGN_PARAM, FORM_PARAM = "days", "product", "campaign", "form"
PARAM_LABELS = {
    DAYS_PARAM: _("in the last … days"),
    PRODUCT_PARAM: _("product"),
    CAMPAIGN_PARAM: _("campaign"),
    FORM_PARAM: _("form"),
}


@dataclass(frozen=True)
class Param:
    """An extra input of a behaviour field: ``days`` (a window), or a record to narrow it to
    (``product``, ``campaign``, ``form``) chosen among ``choices()``."""

    name: str
    label: object
    choices: Callable | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Condition:
    """One validated rule, ready to become SQL: ``now`` is when the query runs (relative dates
    are measured from it)."""

    field: "Field"
    operator: str
    value: object
    params: dict
    now: object


@dataclass(frozen=True)
class Field:
    """A field of an entity that rules can test.

    ``build(condition) -> Q`` makes the filter; ``choices()`` lists ``(value, label)`` for
    choice fields (read when validating and when drawing the rule builder); ``params`` are the
    extra inputs of a behaviour field (``days``, ``product``...); ``day_column`` says the column
    holds dates, not moments.
    """

    name: str
    label: object
    type: str
    build: Callable = field(repr=False, compare=False)
    group: object = ""
    choices: Callable | None = field(default=None, repr=False, compare=False)
    params: tuple = ()
    operators: tuple | None = None
    day_column: bool = False

    @property
    def allowed_operators(self):
        return self.operators or TYPE_OPERATORS[self.type]


@dataclass
class Entity:
    """A kind of record rules select: its model and its fields (``fields()`` is called on each
    use, so custom fields defined a moment ago are there), with those other apps add."""

    name: str
    label: object
    model: Callable
    own_fields: Callable
    added: list = field(default_factory=list)

    def fields(self):
        return [*self.own_fields(), *(f for more in self.added for f in more())]

    def field_map(self):
        return {f.name: f for f in self.fields()}


_ENTITIES = {}


def register(entity):
    _ENTITIES[entity.name] = entity
    return entity


def entity(name):
    from . import entities  # noqa: F401  (registers the built-in entities)

    return _ENTITIES[name]


def add_fields(entity_name, fields):
    """Have ``fields()`` (a list of ``Field``) tested by rules on ``entity_name`` too: apps with
    facts of their own about a record (analytics' customer scores) call it from
    ``AppConfig.ready``."""
    added = entity(entity_name).added
    if fields not in added:
        added.append(fields)


def entity_names():
    from . import entities  # noqa: F401

    return list(_ENTITIES)
