"""Custom field values: validation of every type, defaults, required, partial updates, filters."""

import datetime
import decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from clientela.contacts import services
from clientela.contacts.models import Contact
from clientela.core.choices import CustomFieldType as T
from clientela.core.customfields import (
    clean_value,
    clean_values,
    display_value,
    filter_lookup,
    form_field,
)
from clientela.core.models import CustomField


def field(kind, **options):
    return CustomField(key="f", label="F", field_type=kind, **options)


def error_codes(definition, value):
    with pytest.raises(ValidationError) as caught:
        clean_value(definition, value)
    return [e.code for e in caught.value.error_list]


VALID = [
    (field(T.TEXT), "  Hola  ", "Hola"),
    (field(T.TEXT), 42, "42"),
    (field(T.LONG_TEXT), "line 1\nline 2", "line 1\nline 2"),
    (field(T.INTEGER), "  -42 ", -42),
    (field(T.INTEGER), 7, 7),
    (field(T.INTEGER), 7.0, 7),
    (field(T.DECIMAL), "12,50", "12.5"),
    (field(T.DECIMAL), "1200.00", "1200"),
    (field(T.DECIMAL), 0.1, "0.1"),
    (field(T.DECIMAL), decimal.Decimal("-0.000"), "0"),
    (field(T.DECIMAL), ".5", "0.5"),
    (field(T.DATE), "2024-02-29", "2024-02-29"),
    (field(T.DATE), datetime.date(2024, 1, 2), "2024-01-02"),
    (field(T.DATETIME), "2024-05-01T10:00:00+02:00", "2024-05-01T10:00:00+02:00"),
    (field(T.DATETIME), "2024-05-01 10:00", "2024-05-01T10:00:00+02:00"),  # Madrid, summer
    (field(T.BOOLEAN), True, True),
    (field(T.BOOLEAN), "sí", True),
    (field(T.BOOLEAN), "No", False),
    (field(T.BOOLEAN), "0", False),
    (field(T.CHOICE, choices=["gold", "silver"]), " gold ", "gold"),
    (field(T.MULTI_CHOICE, choices=["a", "b", "c"]), ["c", "a", "c"], ["c", "a"]),
    (field(T.MULTI_CHOICE, choices=["a", "b"]), "b", ["b"]),
    (field(T.URL), "https://example.es/x?y=1", "https://example.es/x?y=1"),
    (field(T.EMAIL), " Ana@Example.ES ", "ana@example.es"),
    (field(T.PHONE), "600 12 34 56", "+34600123456"),
    (field(T.PHONE), "+44 20 7183 8750", "+442071838750"),
]


@pytest.mark.parametrize(("definition", "raw", "expected"), VALID)
def test_valid_values_are_stored_in_canonical_form(definition, raw, expected):
    assert clean_value(definition, raw) == expected


INVALID = [
    (field(T.TEXT), True, "invalid"),
    (field(T.TEXT), {"a": 1}, "invalid"),
    (field(T.TEXT), "x" * 256, "max_length"),
    (field(T.TEXT, max_length=3), "abcd", "max_length"),
    (field(T.TEXT, pattern=r"[A-Z]{3}"), "abc", "pattern"),
    (field(T.TEXT), "nul\x00byte", "invalid"),
    (field(T.LONG_TEXT), "x" * 10_001, "max_length"),
    (field(T.INTEGER), "4.5", "invalid"),
    (field(T.INTEGER), 4.5, "invalid"),
    (field(T.INTEGER), "1_000", "invalid"),
    (field(T.INTEGER), "٣", "invalid"),
    (field(T.INTEGER), True, "invalid"),
    (field(T.INTEGER), "9" * 5000, "invalid"),
    (field(T.INTEGER), 2**60, "max_value"),
    (field(T.INTEGER, min_value=1), 0, "min_value"),
    (field(T.INTEGER, max_value=10), 11, "max_value"),
    (field(T.DECIMAL), "1e5", "invalid"),
    (field(T.DECIMAL), "NaN", "invalid"),
    (field(T.DECIMAL), float("inf"), "invalid"),
    (field(T.DECIMAL), "1.234,56", "invalid"),
    (field(T.DECIMAL), True, "invalid"),
    (field(T.DECIMAL), "0." + "1" * 40, "max_digits"),
    (field(T.DECIMAL), "1" * 16, "max_value"),
    (field(T.DECIMAL, min_value=decimal.Decimal("0.5")), "0.49", "min_value"),
    (field(T.DATE), "2024-02-30", "invalid"),
    (field(T.DATE), "30/02/2024", "invalid"),
    (field(T.DATETIME), "2024-13-01T10:00", "invalid"),
    (field(T.DATETIME), "tomorrow", "invalid"),
    (field(T.BOOLEAN), "maybe", "invalid"),
    (field(T.CHOICE, choices=["gold"]), "platinum", "invalid_choice"),
    (field(T.CHOICE, choices=["gold"]), ["gold"], "invalid_choice"),
    (field(T.MULTI_CHOICE, choices=["a"]), ["a", "z"], "invalid_choice"),
    (field(T.MULTI_CHOICE, choices=["a"]), [{"x": 1}], "invalid_choice"),
    (field(T.URL), "javascript:alert(1)", "invalid"),
    (field(T.URL), "ftp://example.es", "invalid"),
    (field(T.EMAIL), "not-an-email", "invalid_email"),
    (field(T.PHONE), "12", "invalid_phone"),
    (field("nonsense"), "x", "invalid"),
]


@pytest.mark.parametrize(("definition", "raw", "code"), INVALID)
def test_invalid_values_are_refused_with_a_code(definition, raw, code):
    assert error_codes(definition, raw) == [code]


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_empty_values_are_none_unless_required(empty):
    assert clean_value(field(T.TEXT), empty) is None
    assert error_codes(field(T.TEXT, required=True), empty) == ["required"]


def test_zero_and_false_are_values_not_empty():
    assert clean_value(field(T.INTEGER, required=True), 0) == 0
    assert clean_value(field(T.BOOLEAN, required=True), False) is False


def test_broken_pattern_from_the_settings_does_not_break_saving():
    assert clean_value(field(T.TEXT, pattern="[unclosed"), "abc") == "abc"


# --- clean_values -----------------------------------------------------------------------------


@pytest.fixture
def definitions():
    return [
        CustomField(key="code", label="Code", field_type=T.TEXT, required=True),
        CustomField(key="tier", label="Tier", field_type=T.CHOICE, choices=["a", "b"], default="a"),
        CustomField(key="budget", label="Budget", field_type=T.DECIMAL),
    ]


def test_create_applies_defaults_and_requires_required_fields(definitions):
    assert clean_values(Contact, {"code": "X1"}, definitions=definitions) == {
        "code": "X1",
        "tier": "a",
    }
    with pytest.raises(ValidationError) as caught:
        clean_values(Contact, {"budget": "abc"}, definitions=definitions)
    assert caught.value.message_dict == {
        "code": ["This field is required."],
        "budget": ["Enter a number."],
    }


def test_unknown_keys_and_non_objects_are_refused(definitions):
    with pytest.raises(ValidationError) as caught:
        clean_values(Contact, {"code": "X", "nope": 1}, definitions=definitions)
    assert caught.value.message_dict == {"nope": ["Unknown custom field."]}
    with pytest.raises(ValidationError) as caught:
        clean_values(Contact, ["code"], definitions=definitions)
    assert caught.value.message_dict == {"custom_fields": ["Expected an object."]}


def test_partial_update_validates_only_the_given_keys(definitions):
    current = {"tier": "b", "budget": "10", "legacy": "kept"}  # no "code": made required later
    assert clean_values(Contact, {"budget": "12,5"}, current=current, definitions=definitions) == {
        "tier": "b",
        "budget": "12.5",
        "legacy": "kept",
    }


def test_partial_update_with_an_empty_value_removes_the_key(definitions):
    current = {"code": "X", "budget": "10"}
    assert clean_values(Contact, {"budget": ""}, current=current, definitions=definitions) == {
        "code": "X"
    }
    with pytest.raises(ValidationError):
        clean_values(Contact, {"code": " "}, current=current, definitions=definitions)


def test_partial_update_does_not_mutate_the_stored_values(definitions):
    current = {"code": "X"}
    clean_values(Contact, {"budget": "1"}, current=current, definitions=definitions)
    assert current == {"code": "X"}


# --- filters, forms, display ----------------------------------------------------------------------


@pytest.mark.django_db
def test_filter_lookups_find_stored_values(admin_user):
    content_type = ContentType.objects.get_for_model(Contact)
    for key, kind, extra in [
        ("budget", T.DECIMAL, {}),
        ("vip", T.BOOLEAN, {}),
        ("code", T.TEXT, {}),
        ("langs", T.MULTI_CHOICE, {"choices": ["es", "ca", "en"]}),
        ("seats", T.INTEGER, {}),
    ]:
        CustomField.objects.create(
            content_type=content_type, key=key, label=key, field_type=kind, **extra
        )
    ana = services.create_contact(
        actor=admin_user,
        first_name="Ana",
        custom_fields={"budget": "12.50", "vip": True, "code": "Abc", "langs": ["ca"], "seats": 3},
    )
    services.create_contact(
        actor=admin_user,
        first_name="Pau",
        custom_fields={"budget": "13", "vip": False, "code": "x", "langs": ["es"], "seats": 30},
    )
    by_key = {d.key: d for d in CustomField.objects.all()}

    def found(key, raw):
        return [c.first_name for c in Contact.objects.filter(**filter_lookup(by_key[key], raw))]

    assert found("budget", "12,5") == ["Ana"]
    assert found("vip", "yes") == ["Ana"]
    assert found("code", "ABC") == ["Ana"]
    assert found("langs", "ca") == ["Ana"]
    assert found("seats", "3") == ["Ana"]
    assert filter_lookup(by_key["seats"], "three") is None
    assert Contact.objects.get(pk=ana.pk).custom_fields["budget"] == "12.5"


def test_form_fields_match_the_type():
    assert form_field(field(T.INTEGER)).__class__.__name__ == "IntegerField"
    assert form_field(field(T.BOOLEAN, required=True)).required is False
    assert form_field(field(T.CHOICE, choices=["a"])).choices == [("", "---------"), ("a", "a")]


def test_display_values_are_readable():
    assert display_value(field(T.BOOLEAN), True) == "Yes"
    assert display_value(field(T.MULTI_CHOICE), ["a", "b"]) == "a, b"
    assert display_value(field(T.TEXT), None) == ""
