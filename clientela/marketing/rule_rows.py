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
