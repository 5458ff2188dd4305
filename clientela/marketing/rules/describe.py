"""The catalogue as data: what a rule builder (the page's script, an API client) offers."""

from .catalogue import OPERATOR_LABELS, OPERATOR_SHAPES, entity


def describe(entity_name, *, with_choices=True):
    """``{"entity", "label", "fields": [{name, label, type, group, operators, choices, params}],
    "operators": {name: {label, shape}}}`` in the current language."""
    described = entity(entity_name)
    fields = []
    for field in described.fields():
        item = {
            "name": field.name,
            "label": str(field.label),
            "type": field.type,
            "group": str(field.group),
            "operators": list(field.allowed_operators),
            "params": [
                {
                    "name": p.name,
                    "label": str(p.label),
                    "choices": _choices(p.choices) if with_choices and p.choices else None,
                }
                for p in field.params
            ],
        }
        if with_choices and field.choices is not None:
            item["choices"] = _choices(field.choices)
        fields.append(item)
    return {
        "entity": described.name,
        "label": str(described.label),
        "fields": fields,
        "operators": {
            name: {"label": str(label), "shape": OPERATOR_SHAPES[name]}
            for name, label in OPERATOR_LABELS.items()
        },
    }


def _choices(choices):
    return [[str(value), str(label)] for value, label in choices()]
