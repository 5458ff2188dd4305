"""A rule tree in words, for pages: "Autonomous community is Catalonia and (…)"."""

from django.utils.translation import gettext as _

from .catalogue import OPERATOR_LABELS, PARAM_LABELS, entity


def summary(entity_name, tree):
    """The tree as one sentence in the current language (unknown fields shown by name)."""
    fields = entity(entity_name).field_map()
    text = _group(fields, tree or {}, top=True)
    return text or _("Every record")


def _group(fields, node, top=False):
    parts = []
    for child in node.get("rules", []):
        if isinstance(child, dict) and "rules" in child:
            inner = _group(fields, child)
            if inner:
                parts.append(f"({inner})")
        elif isinstance(child, dict):
            parts.append(_rule(fields, child))
    joiner = f" {_('and') if node.get('op', 'and') == 'and' else _('or')} "
    return joiner.join(parts)


def _rule(fields, rule):
    field = fields.get(rule.get("field"))
    label = str(field.label) if field else str(rule.get("field"))
    operator = str(OPERATOR_LABELS.get(rule.get("operator"), rule.get("operator")))
    value = rule.get("value")
    choices = (
        dict((str(v), str(lbl)) for v, lbl in field.choices()) if field and field.choices else {}
    )
    if isinstance(value, list):
        shown = ", ".join(choices.get(str(v), str(v)) for v in value)
    elif value is None:
        shown = ""
    else:
        shown = choices.get(str(value), str(value))
    if "…" in operator:
        text = f"{label} {operator.replace('…', shown)}"
    else:
        text = f"{label} {operator} {shown}".rstrip()
    params = rule.get("params") or {}
    extras = []
    for name, param_value in params.items():
        param_label = str(PARAM_LABELS.get(name, name))
        if "…" in param_label:
            extras.append(param_label.replace("…", str(param_value)))
        else:
            param = next((p for p in field.params if p.name == name), None) if field else None
            names = dict((str(v), str(lbl)) for v, lbl in param.choices()) if param else {}
            extras.append(f"{param_label} {names.get(str(param_value), param_value)}")
    return f"{text} ({', '.join(extras)})" if extras else text
