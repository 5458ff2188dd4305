"""Rule trees: validate them against an entity's catalogue, and turn them into one ``Q``.

A tree is ``{"op": "and"|"or", "rules": [rule | tree, ...]}``; a rule is ``{"field": ...,
"operator": ..., "value": ..., "params": {...}}`` (``value`` and ``params`` as the field and
operator need). Validation reports every problem at once, keyed by where it is
(``rules.0.rules.2.value``), and refuses trees deeper than ``MAX_DEPTH`` groups or with more
than ``MAX_RULES`` conditions. The ``Q`` is made of plain column filters and ``EXISTS`` /
``IN`` subqueries: a rule tree is one SQL query whatever it says.
"""

import datetime
import decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import values
from .builders import Aggregate, all_of, any_of
from .catalogue import DAYS_PARAM, OPERATOR_SHAPES, Condition, entity

MAX_DEPTH = 5
MAX_RULES = 50
GROUP_OPS = ("and", "or")
RULE_KEYS = {"field", "operator", "value", "params"}
GROUP_KEYS = {"op", "rules"}


class RuleError(ValidationError):
    """A tree that cannot be used; ``message_dict`` maps each place to its problems."""


def empty_tree():
    return {"op": "and", "rules": []}


def validate(entity_name, tree):
    """The tree, checked and normalised (values as JSON: numbers as text, dates ISO), or a
    ``RuleError``."""
    return _Checker(entity_name).check(tree)


def to_q(entity_name, tree, *, now=None):
    """A ``Q`` selecting the entity's records that match ``tree`` (validated here again: a
    stored tree may name a field or a product that is gone since)."""
    checker = _Checker(entity_name)
    checker.check(tree)
    now = now or timezone.now()
    return _compile(checker.conditions_tree, now)


def queryset(entity_name, tree, *, now=None, base=None):
    """The records matching ``tree`` (of ``base``, default every live record)."""
    model = entity(entity_name).model()
    base = model.objects.all() if base is None else base
    return base.filter(to_q(entity_name, tree, now=now))


class _Group(NamedTuple):
    op: str
    children: list


class _Rule(NamedTuple):
    field: object
    operator: str
    value: object
    params: dict


def _compile(node, now):
    if isinstance(node, _Group):
        parts, shared = [], {}
        for child in node.children:
            grouping = _grouping(child, now)
            if grouping is None:
                parts.append(_compile(child, now))
            else:
                shared.setdefault(grouping[0], []).append(grouping[1])
        parts += [Aggregate.combined(conditions, node.op) for conditions in shared.values()]
        return all_of(parts) if node.op == "and" else any_of(parts)
    return node.field.build(Condition(*node, now))


def _grouping(node, now):
    """``(what it shares, (aggregate, condition))`` for a rule on a number of related rows
    that may share their grouping with its siblings; else ``None``."""
    if not isinstance(node, _Rule) or not isinstance(node.field.build, Aggregate):
        return None
    condition = Condition(*node, now)
    shared = node.field.build.shared_by(condition)
    return None if shared is None else (shared, (node.field.build, condition))


class _Checker:
    def __init__(self, entity_name):
        try:
            self.entity = entity(entity_name)
        except KeyError:
            raise RuleError({"entity": [_("Unknown record type.")]}) from None
        self.fields = self.entity.field_map()
        self.errors = {}
        self.count = 0
        self.conditions_tree = None
        self._options = {}

    def check(self, tree):
        if not isinstance(tree, dict):
            raise RuleError({"rules": [_("Expected a group of rules.")]})
        cleaned, self.conditions_tree = self._group(tree, "rules", 1, root=True)
        if self.count > MAX_RULES:
            self.errors.setdefault("rules", []).append(
                _("At most %(n)d conditions.") % {"n": MAX_RULES}
            )
        if self.errors:
            raise RuleError(self.errors)
        return cleaned

    def _error(self, path, message):
        self.errors.setdefault(path, []).append(message)

    def _group(self, node, path, depth, root=False):
        if depth > MAX_DEPTH:
            self._error(path, _("Groups can be nested at most %(n)d deep.") % {"n": MAX_DEPTH})
            return None, None
        unknown = set(node) - GROUP_KEYS
        if unknown:
            self._error(path, _("Unknown keys: %(keys)s.") % {"keys": _keys(unknown)})
        op = node.get("op", "and")
        if op not in GROUP_OPS:
            self._error(f"{path}.op", _("Use “and” or “or”."))
        children = node.get("rules", [])
        if not isinstance(children, list):
            self._error(path, _("Expected a list of rules."))
            return None, None
        if not children and not root:
            self._error(path, _("A group needs at least one condition."))
        if len(children) > MAX_RULES:
            self.count += len(children)
            return None, None  # refused as a whole: do not look at thousands of items
        cleaned, compiled = [], []
        for index, child in enumerate(children):
            child_path = f"{path}.{index}" if root else f"{path}.rules.{index}"
            if self.count > MAX_RULES:
                break
            if isinstance(child, dict) and ("rules" in child or "op" in child):
                c, q = self._group(child, child_path, depth + 1)
            elif isinstance(child, dict):
                self.count += 1
                c, q = self._rule(child, child_path)
            else:
                self._error(child_path, _("Expected a rule or a group."))
                continue
            cleaned.append(c)
            compiled.append(q)
        return {"op": op, "rules": cleaned}, _Group(op, compiled)

    def _rule(self, rule, path):
        unknown = set(rule) - RULE_KEYS
        if unknown:
            self._error(path, _("Unknown keys: %(keys)s.") % {"keys": _keys(unknown)})
            return None, None
        name = rule.get("field")
        field = self.fields.get(name) if isinstance(name, str) else None
        if field is None:
            self._error(f"{path}.field", _("Unknown field."))
            return None, None
        operator = rule.get("operator")
        if not isinstance(operator, str) or operator not in field.allowed_operators:
            self._error(f"{path}.operator", _("This operator cannot be used with this field."))
            return None, None
        try:
            options = self._options_of(field) if OPERATOR_SHAPES[operator] != "nothing" else None
            value = values.for_operator(field, operator, rule.get("value"), options)
        except values.ValueProblem as problem:
            self._error(f"{path}.value", problem.message)
            return None, None
        params = self._params(field, rule.get("params"), f"{path}.params")
        if params is None:
            return None, None
        cleaned = {"field": name, "operator": operator}
        if value is not None:
            cleaned["value"] = _as_json(value)
        if params:
            cleaned["params"] = params
        return cleaned, _Rule(field, operator, value, params)

    def _options_of(self, field):
        if field.choices is None:
            return None
        if field.name not in self._options:
            self._options[field.name] = {str(v) for v, _label in field.choices()}
        return self._options[field.name]

    def _params(self, field, raw, path):
        if raw in (None, {}):
            return {}
        if not isinstance(raw, dict):
            self._error(path, _("Expected an object."))
            return None
        allowed = {p.name: p for p in field.params}
        unknown = set(raw) - set(allowed)
        if unknown:
            self._error(path, _("Unknown keys: %(keys)s.") % {"keys": _keys(unknown)})
            return None
        cleaned = {}
        for name, value in raw.items():
            if value in (None, ""):
                continue
            param = allowed[name]
            try:
                if name == DAYS_PARAM:
                    cleaned[name] = values.whole_number(value)
                else:
                    options = {str(v) for v, _label in param.choices()}
                    cleaned[name] = values._record_id(value, options)
            except values.ValueProblem as problem:
                self._error(f"{path}.{name}", problem.message)
                return None
        return cleaned


def _keys(names):
    return ", ".join(sorted(str(n)[:40] for n in names)[:5])


def _as_json(value):
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
