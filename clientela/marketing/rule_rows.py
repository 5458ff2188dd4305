"""The rule builder without JavaScript: a rule tree as rows of plain form inputs, and back.

Each row is a condition: field, operator, value (a list is comma-separated, a range is
``from, to``), an optional window in days and an optional record (a product, campaign or
form). A row may belong to a group (A, B or C) whose conditions are joined by the group's own
"and"/"or"; the groups and the loose rows are joined by the top-level choice. Deeper trees
(which the page's script builds) are edited as JSON in the same form.
"""

import json

from django.utils.translation import gettext as _

from . import rules

GROUPS = ("A", "B", "C")
EXTRA_ROWS = 3
MAX_ROWS = rules.MAX_RULES
MAX_JSON = 64 * 1024
RECORD_PARAMS = ("product", "campaign", "form")


class RowsProblem(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def tree_from_post(data):
    """The rule tree a POSTed form describes: its JSON box when filled, else its rows."""
    raw = (data.get("rules_json") or "").strip()
    if raw:
        if len(raw) > MAX_JSON:
            raise RowsProblem(_("The rules are too long."))
        try:
            tree = json.loads(raw)
        except ValueError:
            raise RowsProblem(_("The rules are not valid JSON.")) from None
        if not isinstance(tree, dict):
            raise RowsProblem(_("Expected a group of rules."))
        return tree
    return _tree_from_rows(data)


def _tree_from_rows(data):
    top = _op(data.get("match"))
    loose, groups, order = [], {g: [] for g in GROUPS}, []
    for index in range(_row_count(data)):
        prefix = f"r{index}-"
        field = (data.get(prefix + "field") or "").strip()
        if not field:
            continue
        rule = {"field": field[:100], "operator": (data.get(prefix + "operator") or "")[:40]}
        value = _value(rule["operator"], data.get(prefix + "value") or "")
        if value is not None:
            rule["value"] = value
        params = _params(data.get(prefix + "days"), data.get(prefix + "record"))
        if params:
            rule["params"] = params
        group = data.get(prefix + "group") or ""
        if group in GROUPS:
            if not groups[group]:
                order.append(group)
                loose.append(group)  # the group's place among the loose rows
            groups[group].append(rule)
        else:
            loose.append(rule)
    children = [
        {"op": _op(data.get(f"group_op_{item}")), "rules": groups[item]}
        if isinstance(item, str)
        else item
        for item in loose
    ]
    return {"op": top, "rules": children}


def _row_count(data):
    try:
        count = int(data.get("rows") or 0)
    except (TypeError, ValueError):
        count = 0
    return max(0, min(count, MAX_ROWS + EXTRA_ROWS))


def _op(value):
    return value if value in ("and", "or") else "and"


def _value(operator, raw):
    shape = rules.OPERATOR_SHAPES.get(operator)
    raw = raw.strip()[:10_000]
    if shape == "nothing" or (not raw and shape != "scalar"):
        return None
    if shape == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if shape == "pair":
        return [part.strip() for part in raw.split(",")][:3]
    return raw


def _params(days, record):
    params = {}
    if days and days.strip():
        params["days"] = days.strip()[:10]
    kind, _sep, pk = (record or "").partition(":")
    if kind in RECORD_PARAMS and pk:
        params[kind] = pk[:20]
    return params


# --- tree -> rows ---------------------------------------------------------------------------------


def rows_of(tree):
    """``(match, group ops, rows)`` to fill the form from a stored tree, or ``None`` when the
    tree is deeper than rows can show (then it is edited as JSON)."""
    tree = tree or rules.empty_tree()
    rows, group_ops = [], {}
    free = list(GROUPS)
    for child in tree.get("rules", []):
        if "rules" in child:
            if not free or any("rules" in grandchild for grandchild in child["rules"]):
                return None
            letter = free.pop(0)
            group_ops[letter] = child.get("op", "and")
            rows.extend(_row(rule, letter) for rule in child["rules"])
        else:
            rows.append(_row(child, ""))
    rows.extend(_row({}, "") for _n in range(EXTRA_ROWS))
    return tree.get("op", "and"), group_ops, rows


def _row(rule, group):
    value = rule.get("value")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    params = rule.get("params") or {}
    record = next((f"{k}:{params[k]}" for k in RECORD_PARAMS if params.get(k)), "")
    return {
        "field": rule.get("field", ""),
        "operator": rule.get("operator", ""),
        "value": "" if value is None else str(value),
        "days": params.get("days", ""),
        "record": record,
        "group": group,
    }


def posted_rows(data):
    """The rows as typed (to show them again with the errors)."""
    rows = []
    for index in range(_row_count(data)):
        prefix = f"r{index}-"
        rows.append(
            {
                name: (data.get(prefix + name) or "")[:300]
                for name in ("field", "operator", "value", "days", "record", "group")
            }
        )
    return rows


def builder_context(entity, tree, *, data=None, extra=0, rule_errors=None):
    """What ``marketing/_rule_rows.html`` needs to draw the rule builder of ``entity`` for
    ``tree`` (``data``: the POSTed form, whose rows are shown again as typed when the tree
    could not be read from them)."""
    layout = rows_of(tree) if tree is not None else None
    if data is not None and (data.get("rules_json") or "").strip():
        layout = None
    if layout is None:
        match, group_ops, rows = "and", {}, posted_rows(data or {})
    else:
        match, group_ops, rows = layout
    rows = rows + [_row({}, "") for _n in range(extra)]
    catalogue = rules.describe(entity)
    return {
        "rows": rows,
        "match": match,
        "group_ops": [(g, group_ops.get(g, "and")) for g in GROUPS],
        "groups": GROUPS,
        "rules_json": json.dumps(tree) if tree is not None and layout is None else "",
        "catalogue": catalogue,
        "tree": tree if tree is not None else rules.empty_tree(),
        "operators": [(k, str(v)) for k, v in rules.OPERATOR_LABELS.items()],
        "record_options": _record_options(catalogue),
        "rule_errors": error_lines(rule_errors or {}),
        "rule_entity": rules.entity(entity),
    }


def _record_options(catalogue):
    """``(group label, [(value, label)])`` of the records a behaviour condition may name."""
    seen, groups = set(), []
    for field in catalogue["fields"]:
        for param in field["params"]:
            if param["choices"] is None or param["name"] in seen:
                continue
            seen.add(param["name"])
            groups.append(
                (param["label"], [(f"{param['name']}:{v}", label) for v, label in param["choices"]])
            )
    return groups


def error_lines(errors):
    """``["Condition 2.1, value: Enter a number."]`` from ``{"rules.1.rules.0.value": [...]}``."""
    lines = []
    for key, items in errors.items():
        parts = key.split(".")[1:]
        numbers = [str(int(p) + 1) for p in parts if p.isdigit()]
        where = _("Condition %(n)s") % {"n": ".".join(numbers)} if numbers else _("Rules")
        part = parts[-1] if parts and not parts[-1].isdigit() else ""
        labels = {"field": _("field"), "operator": _("operator"), "value": _("value")}
        prefix = f"{where}, {labels.get(part, part)}" if part and part != "rules" else where
        lines.extend(f"{prefix}: {message}" for message in items)
    return lines
