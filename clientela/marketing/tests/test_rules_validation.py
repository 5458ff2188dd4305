"""What the rule engine refuses, and how it says so: per rule, translatable, before any SQL."""

import pytest
from django.utils import translation

from clientela.marketing import rules

from . import world as w

pytestmark = pytest.mark.django_db


def errors(tree, entity="contact"):
    with pytest.raises(rules.RuleError) as caught:
        rules.validate(entity, tree)
    return caught.value.message_dict


def rule(field, operator, value=None, **extra):
    item = {"field": field, "operator": operator, **extra}
    if value is not None:
        item["value"] = value
    return item


def test_each_problem_is_reported_where_it_is():
    tree = {
        "op": "and",
        "rules": [
            rule("region", "eq", "Girona"),
            rule("nope", "eq", "x"),
            rule("region", "gt", "x"),
            rule("completeness", "gt", "lots"),
            {
                "op": "or",
                "rules": [rule("created_at", "on", "2026-02-30"), rule("tags", "has_any", [])],
            },
            rule("language", "eq", "klingon"),
            rule("purchases.total", "gt", 1, params={"days": 0}),
            rule("purchases.total", "gt", 1, params={"color": "red"}),
            rule("region", "is_empty", "something"),
            rule("region", "eq", "x", extra=1),
            "a string",
        ],
    }
    assert errors(tree) == {
        "rules.1.field": ["Unknown field."],
        "rules.2.operator": ["This operator cannot be used with this field."],
        "rules.3.value": ["Enter a number (at most 6 decimals)."],
        "rules.4.rules.0.value": ["Enter a date as YYYY-MM-DD."],
        "rules.4.rules.1.value": ["Give a list of values."],
        "rules.5.value": ["Choose one of the options."],
        "rules.6.params.days": ["Enter a number from 1 to 36500."],
        "rules.7.params": ["Unknown keys: color."],
        "rules.8.value": ["This condition takes no value."],
        "rules.9": ["Unknown keys: extra."],
        "rules.10": ["Expected a rule or a group."],
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "Enter a number."),
        ("1e9", "Enter a number (at most 6 decimals)."),
        ("NaN", "Enter a number (at most 6 decimals)."),
        ("9" * 16, "The number is too large."),
        ({"$gt": 1}, "Enter a number (at most 6 decimals)."),
        ([1], "Enter a number (at most 6 decimals)."),
        (None, "Enter a number (at most 6 decimals)."),
    ],
)
def test_numbers_must_be_plain_numbers(value, message):
    tree = {"op": "and", "rules": [{"field": "completeness", "operator": "gt", "value": value}]}
    assert errors(tree) == {"rules.0.value": [message]}


def test_text_values_are_bounded_and_clean():
    long = {"op": "and", "rules": [rule("region", "eq", "x" * 256)]}
    assert errors(long) == {"rules.0.value": ["At most 255 characters."]}
    nul = {"op": "and", "rules": [rule("region", "eq", "a\x00b")]}
    assert errors(nul) == {"rules.0.value": ["Enter text."]}
    many = {"op": "and", "rules": [rule("region", "in", [str(n) for n in range(101)])]}
    assert errors(many) == {"rules.0.value": ["At most 100 values."]}
    pair = {"op": "and", "rules": [rule("completeness", "between", [9, 1])]}
    assert errors(pair) == {"rules.0.value": ["The first value must not be after the second."]}


def test_depth_over_five_is_refused():
    tree = {"op": "and", "rules": [rule("region", "eq", "x")]}
    for _level in range(5):
        tree = {"op": "or", "rules": [tree]}
    assert errors(tree) == {
        "rules.0.rules.0.rules.0.rules.0.rules.0": ["Groups can be nested at most 5 deep."]
    }
    assert rules.validate("contact", tree["rules"][0])  # one level less is fine


def test_more_than_fifty_conditions_are_refused_without_reading_them_all():
    tree = {"op": "and", "rules": [rule("region", "eq", "x")] * 51}
    assert errors(tree) == {"rules": ["At most 50 conditions."]}
    spread = {"op": "and", "rules": [{"op": "or", "rules": [rule("region", "eq", "x")] * 30}] * 2}
    assert errors(spread) == {"rules": ["At most 50 conditions."]}
    huge = {"op": "and", "rules": [rule("region", "eq", "x")] * 200_000}
    assert errors(huge) == {"rules": ["At most 50 conditions."]}


def test_empty_nested_groups_and_bad_shapes():
    assert errors({"op": "and", "rules": [{"op": "or", "rules": []}]}) == {
        "rules.0": ["A group needs at least one condition."]
    }
    assert errors({"op": "xor", "rules": []}) == {"rules.op": ["Use “and” or “or”."]}
    assert errors([]) == {"rules": ["Expected a group of rules."]}
    assert errors({"op": "and", "rules": "all"}) == {"rules": ["Expected a list of rules."]}
    assert errors({"op": "and", "rules": [], "drop": "table"}) == {"rules": ["Unknown keys: drop."]}
    with pytest.raises(rules.RuleError) as caught:
        rules.validate("planet", {"op": "and", "rules": []})
    assert caught.value.message_dict == {"entity": ["Unknown record type."]}


def test_records_named_by_params_must_exist():
    product = w.product("Shoes")
    ok = {"op": "and", "rules": [rule("purchases.count", "gt", 0, params={"product": product.pk})]}
    assert rules.validate("contact", ok)["rules"][0]["params"] == {"product": product.pk}
    bad = {"op": "and", "rules": [rule("purchases.count", "gt", 0, params={"product": 999999})]}
    assert errors(bad) == {"rules.0.params.product": ["Choose one of the options."]}


def test_sql_looking_values_are_only_ever_values():
    w.contact("Ana", region="Girona")
    evil = "Girona' OR '1'='1"
    tree = {"op": "or", "rules": [rule("region", "eq", evil), rule("region", "contains", "%")]}
    assert rules.queryset("contact", tree).count() == 0
    w.contact("Pct", region="100% Girona")
    assert list(rules.queryset("contact", tree).values_list("first_name", flat=True)) == ["Pct"]


def test_validation_normalises_values_to_json():
    tree = {
        "op": "and",
        "rules": [
            rule("completeness", "between", [" 10 ", 20.5]),
            rule("created_at", "on", "2026-01-05"),
            rule("region", "in", ["A", "A", "B"]),
            rule("purchases.total", "gt", "1,50", params={"days": "30", "product": ""}),
        ],
    }
    assert rules.validate("contact", tree)["rules"] == [
        {"field": "completeness", "operator": "between", "value": ["10", "20.5"]},
        {"field": "created_at", "operator": "on", "value": "2026-01-05"},
        {"field": "region", "operator": "in", "value": ["A", "B"]},
        {"field": "purchases.total", "operator": "gt", "value": "1.5", "params": {"days": 30}},
    ]


def test_messages_are_translated():
    with translation.override("es"):
        message = errors({"op": "and", "rules": [rule("nope", "eq", 1)]})["rules.0.field"][0]
    assert message == "Campo desconocido."
