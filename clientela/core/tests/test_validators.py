import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from clientela.core.validators import (
    format_phone,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
    phone_search_words,
)


def test_email_is_normalised_to_lower_case():
    assert normalize_email("  Ana.García@Example.ES ") == "ana.garcía@example.es"


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "@x.es", "a b@x.es", None, "x" * 300 + "@x.es"])
def test_invalid_email_is_refused(bad):
    with pytest.raises(ValidationError) as caught:
        normalize_email(bad)
    assert caught.value.code == "invalid_email"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("600 12 34 56", "ES", "+34600123456"),
        ("+34 600-123-456", "ES", "+34600123456"),
        ("0034 972 12 34 56", "ES", "+34972123456"),
        ("020 7183 8750", "GB", "+442071838750"),
        ("600123456", "", "+34600123456"),
        ("600123456", None, "+34600123456"),
    ],
)
def test_phone_is_normalised_to_e164(raw, region, expected):
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize("bad", ["", "12", "abc", "+34 12", "6" * 300, None])
def test_invalid_phone_is_refused(bad):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(bad)
    assert caught.value.code == "invalid_phone"


def test_spanish_phone_displays_national_and_foreign_international():
    assert format_phone("+34600123456") == "600 12 34 56"
    assert format_phone("+442071838750") == "+44 20 7183 8750"
    assert format_phone("garbage") == "garbage"


def test_phone_search_words_hold_international_and_national_digits():
    assert phone_search_words("+34600123456") == ["34600123456", "600123456"]
    assert phone_search_words("+442071838750") == ["442071838750", "2071838750"]
    assert phone_search_words("") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345678z", "12345678Z"),
        ("x-1234567-l", "X1234567L"),
        ("b58378431", "B58378431"),
        ("ES B58378431", "B58378431"),
        ("de 136 695 976", "DE136695976"),
        ("", ""),
    ],
)
def test_tax_id_is_validated_and_compacted(raw, expected):
    assert normalize_tax_id(raw) == expected


@pytest.mark.parametrize("bad", ["12345678A", "B58378432", "XX123", "ñ" * 50])
def test_invalid_tax_id_is_refused(bad):
    with pytest.raises(ValidationError) as caught:
        normalize_tax_id(bad)
    assert caught.value.code == "invalid_tax_id"


# --- the fast paths give the libraries' answers -------------------------------------------------

_LOCAL = st.text(alphabet="abcXYZ019._-+!#$%&'*/=?^`{|}~\"é@ ", min_size=0, max_size=70)
_DOMAIN = st.text(alphabet="abcXYZ019.-_é", min_size=0, max_size=70)
_TLD = st.sampled_from(["es", "cat", "com", "test", "local", "c", "123", "xn--p1ai", "museum"])


def _library_email(value):
    try:
        info = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return info.normalized.lower()


def _ours_email(value):
    try:
        return normalize_email(value)
    except ValidationError:
        return None


@settings(max_examples=3000, deadline=None)
@given(local=_LOCAL, domain=_DOMAIN, tld=_TLD)
def test_plain_email_fast_path_agrees_with_email_validator(local, domain, tld):
    value = f"{local}@{domain}.{tld}"
    assert _ours_email(value) == _library_email(value)


@pytest.mark.parametrize(
    "value",
    [
        "a..b@x.es",
        "a@-x.es",
        "a@x-.es",
        "ab@ab--cd.es",
        "a@x.localhost",
        "a" * 65 + "@x.es",
        "a@" + "b" * 64 + ".es",
        "A@X.ES",
        "a@x.es.",
        ".a@x.es",
        "a.@x.es",
    ],
)
def test_plain_email_edge_cases_agree_with_email_validator(value):
    assert _ours_email(value) == _library_email(value)


def _library_phone(value, region):
    try:
        number = phonenumbers.parse(value, region or "ES")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours_phone(value, region):
    try:
        return normalize_phone(value, region)
    except ValidationError:
        return None


@settings(max_examples=3000, deadline=None)
@given(
    prefix=st.sampled_from(["", "+34", "0034", "+34 ", "(+34) ", "+33", "00"]),
    digits=st.text(alphabet="0123456789 .-()", min_size=0, max_size=14),
    region=st.sampled_from([None, "", "ES", "FR", "PT"]),
)
def test_spanish_phone_fast_path_agrees_with_phonenumbers(prefix, digits, region):
    value = prefix + digits
    assert _ours_phone(value, region) == _library_phone(value, region)
