"""A rule engine over any entity: JSON rule trees, validated against a catalogue of fields
declared in code, turned into one SQL query. Segments use it; workflow rules and the report
builder can too (nothing in this package knows about segments).

    from clientela.marketing import rules
    tree = rules.validate("contact", data)          # or RuleError, per rule
    contacts = rules.queryset("contact", tree)      # a QuerySet; one SQL query
    rules.describe("contact")                       # the catalogue, for a rule builder UI
"""

from .catalogue import OPERATOR_LABELS, OPERATOR_SHAPES, add_fields, entity, entity_names
from .describe import describe
from .engine import MAX_DEPTH, MAX_RULES, RuleError, empty_tree, queryset, to_q, validate

__all__ = [
    "MAX_DEPTH",
    "MAX_RULES",
    "OPERATOR_LABELS",
    "OPERATOR_SHAPES",
    "RuleError",
    "add_fields",
    "describe",
    "empty_tree",
    "entity",
    "entity_names",
    "queryset",
    "to_q",
    "validate",
]
