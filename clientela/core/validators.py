"""Validation and normalisation of e-mails, phones and tax ids, shared by forms, API and imports."""

import re
from functools import lru_cache

import email_validator
import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_errors
from stdnum.es import cif, nie, nif
from stdnum.eu import vat

DEFAULT_PHONE_REGION = "ES"


# Imports check a million addresses: a plain ASCII address that email-validator would accept
# as it is (dot-atom local part, letter-digit-hyphen labels, an alphabetic top-level domain,
# within the length limits, no IDNA "xx--" label, no special-use domain) skips the library.
# Anything else takes the library's full path; a test holds the two to the same answers.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})",
    re.ASCII,
)
_SPECIAL_USE = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(value):
    match = _PLAIN_EMAIL.fullmatch(value)
    if match is None or len(value) > 254 or len(match["local"]) > 64:
        return None
    labels = match["domain"].split(".")
    if any(label[2:4] == "--" for label in labels) or labels[-1] in _SPECIAL_USE:
        return None
    return value


def normalize_email(value):
    """Return the address in canonical form, or raise ValidationError."""
    value = str(value or "").strip()
    plain = _plain_email(value.lower())
    if plain is not None:
        return plain
    try:
        info = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(_("Enter a valid e-mail address."), code="invalid_email") from error
    return info.normalized.lower()


# The common Spanish forms ("600 12 34 56", "+34 600-123-456", "0034600123456") skip
# phonenumbers' parser (the costly part); its validity check still decides.
_SPANISH_NUMBER = re.compile(r"(?:\+34|0034)?([6789]\d{8})")
_PHONE_PUNCTUATION = str.maketrans("", "", " .-()")


def _spanish_number(value, region):
    compact = value.translate(_PHONE_PUNCTUATION)
    match = _SPANISH_NUMBER.fullmatch(compact)
    if match is None or (region not in (None, "", "ES") and compact[0] != "+"):
        return None
    number = phonenumbers.PhoneNumber(country_code=34, national_number=int(match[1]))
    return f"+34{match[1]}" if phonenumbers.is_valid_number(number) else None


def normalize_phone(value, region=DEFAULT_PHONE_REGION):
    """Return the number in E.164 (``+34600123456``), or raise ValidationError."""
    value = str(value or "").strip()
    spanish = _spanish_number(value, region)
    if spanish is not None:
        return spanish
    try:
        number = phonenumbers.parse(value, region or DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def format_phone(e164):
    """Display form of a stored E.164 number (national for Spain, international otherwise)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 34
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def phone_search_words(e164):
    """How a stored number is written in the search index: the international digits and the
    national ones (``+34600123456`` -> ``["34600123456", "600123456"]``), so both are found."""
    digits = "".join(c for c in str(e164 or "") if c.isdigit())
    if len(digits) == 11 and digits.startswith("34"):
        return [digits, digits[2:]]  # Spain: no trunk prefix, the national number is the rest
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return [digits] if digits else []
    national = phonenumbers.national_significant_number(number)
    return [w for w in dict.fromkeys([digits, national]) if w]


def normalize_tax_id(value):
    """Validate a Spanish NIF/CIF/NIE or an EU VAT number; return it compact and upper-case."""
    value = str(value or "").strip()
    if not value:
        return ""
    for module in (nif, nie, cif, vat):
        try:
            return module.validate(value).upper()
        except stdnum_errors.ValidationError:
            continue
    raise ValidationError(
        _("Enter a valid Spanish NIF, NIE or CIF, or an EU VAT number."), code="invalid_tax_id"
    )
