"""Custom fields: from an administrator's definition to form fields, API validation, filters and
export columns. Values are stored as JSON in the record's ``custom_fields`` column."""

import datetime
import decimal
import re

from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from clientela.core import settings_cache
from clientela.core.choices import CustomFieldType as T
from clientela.core.models import CrmRecord, CustomField
from clientela.core.validators import normalize_email, normalize_phone

MAX_TEXT = 255
MAX_LONG_TEXT = 10000


def record_types():
    """``{"activity": Activity, "case": Case, ...}``: every model that carries custom field
    values, by the name the settings page and the API give it."""
    models = [m for m in apps.get_models() if issubclass(m, CrmRecord)]
    return {m._meta.model_name: m for m in sorted(models, key=lambda m: m._meta.model_name)}


def definitions_for(model):
    """The custom field definitions of ``model``, in display order (from memory while fresh,
    else one query)."""
    content_type = ContentType.objects.get_for_model(model)
    return list(
        settings_cache.get(
            ("custom fields", content_type.pk),
            lambda: list(CustomField.objects.filter(content_type=content_type)),
        )
    )


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
MAX_DECIMAL_DIGITS = 28


def _to_decimal(value):
    """A plain decimal ("12,5" and "12.5" alike); no exponents, no NaN, at most 28 digits."""
    if isinstance(value, int | float | decimal.Decimal):
        number = decimal.Decimal(str(value))  # str() so 0.1 stays 0.1, not its binary value
    else:
        text = str(value).strip()
        if not _DECIMAL.fullmatch(text):
            raise ValidationError(_("Enter a number."), code="invalid")
        number = decimal.Decimal(text.replace(",", "."))
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if len(number.as_tuple().digits) > MAX_DECIMAL_DIGITS:
        raise ValidationError(_("The number has too many digits."), code="max_digits")
    return number


def _decimal_json(number):
    """Canonical text of a decimal, so equal numbers are stored (and filtered) equally:
    12.50 -> "12.5", 1E+2 -> "100", -0 -> "0"."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _check_range(definition, number):
    if definition.min_value is not None and number < definition.min_value:
        raise ValidationError(
            _("Must be at least %(min)s.") % {"min": definition.min_value}, code="min_value"
        )
    if definition.max_value is not None and number > definition.max_value:
        raise ValidationError(
            _("Must be at most %(max)s.") % {"max": definition.max_value}, code="max_value"
        )


def _clean_text(definition, value, limit):
    if isinstance(value, bool) or not isinstance(value, str | int | float | decimal.Decimal):
        raise ValidationError(_("Enter text."), code="invalid")
    value = str(value).strip()
    if "\x00" in value:
        raise ValidationError(_("Enter text."), code="invalid")
    max_length = min(definition.max_length or limit, limit)
    if len(value) > max_length:
        raise ValidationError(_("At most %(n)d characters.") % {"n": max_length}, code="max_length")
    if definition.pattern and value:
        try:
            matches = re.fullmatch(definition.pattern, value)
        except re.error:  # a broken pattern from the settings must not break every save
            matches = True
        if not matches:
            raise ValidationError(_("Does not have the expected format."), code="pattern")
    return value


def _is_empty(value):
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def clean_value(definition, value):
    """Validate one value and return its JSON form (``None`` for empty, including blanks)."""
    if _is_empty(value):
        if definition.required:
            raise ValidationError(_("This field is required."), code="required")
        return None
    kind = definition.field_type
    if kind == T.TEXT:
        return _clean_text(definition, value, MAX_TEXT)
    if kind == T.LONG_TEXT:
        return _clean_text(definition, value, MAX_LONG_TEXT)
    if kind == T.INTEGER:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(_("Enter a whole number."), code="invalid")
        text = str(value).strip()
        if not _INTEGER.fullmatch(text) or len(text) > 20:
            raise ValidationError(_("Enter a whole number."), code="invalid")
        number = int(text)
        if abs(number) > 2**53:
            raise ValidationError(_("The number is too large."), code="max_value")
        _check_range(definition, number)
        return number
    if kind == T.DECIMAL:
        if isinstance(value, bool):
            raise ValidationError(_("Enter a number."), code="invalid")
        number = _to_decimal(value)
        if abs(number) >= 10**15:
            raise ValidationError(_("The number is too large."), code="max_value")
        _check_range(definition, number)
        return _decimal_json(number)
    if kind == T.DATE:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            parsed = value.date()
        elif isinstance(value, datetime.date):
            parsed = value
        else:
            try:
                parsed = parse_date(str(value).strip())
            except ValueError:  # well-formed but impossible, e.g. 2024-02-30
                parsed = None
        if parsed is None:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid")
        return parsed.isoformat()
    if kind == T.DATETIME:
        try:
            parsed = (
                value
                if isinstance(value, datetime.datetime)
                else parse_datetime(str(value).strip())
            )
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(_("Enter a date and time."), code="invalid")
        if timezone.is_naive(parsed):  # a wall-clock time in the installation's time zone
            parsed = timezone.make_aware(parsed)
        return parsed.isoformat()
    if kind == T.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on", "si", "sí"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise ValidationError(_("Enter yes or no."), code="invalid")
    if kind == T.CHOICE:
        value = value.strip() if isinstance(value, str) else value
        if value not in definition.choices:
            raise ValidationError(_("Choose one of the options."), code="invalid_choice")
        return value
    if kind == T.MULTI_CHOICE:
        values = value if isinstance(value, list | tuple) else [value]
        values = [v.strip() if isinstance(v, str) else v for v in values]
        if any(v not in definition.choices for v in values):
            raise ValidationError(_("Choose among the options."), code="invalid_choice")
        return list(dict.fromkeys(values))
    if kind == T.URL:
        text = _clean_text(definition, value, 300)
        URLValidator(schemes=["http", "https"])(text)
        return text
    if kind == T.EMAIL:
        return normalize_email(str(value))
    if kind == T.PHONE:
        return normalize_phone(str(value))
    raise ValidationError(_("Unknown field type."), code="invalid")


def clean_values(model, data, *, current=None, definitions=None):
    """Validate a mapping of custom values for ``model``.

    On create (``current`` is ``None``) every defined field is validated and missing keys take
    the field's default. On update ``current`` (the stored values) is the base and only the keys
    in ``data`` are validated, so an edit never fails on a field it does not touch (e.g. one
    made required after the record was created); an empty value removes the key. Unknown keys
    are an error. Raises a ``ValidationError`` whose message dict is keyed by field key.
    """
    definitions = definitions if definitions is not None else definitions_for(model)
    by_key = {d.key: d for d in definitions}
    if not isinstance(data, dict):
        raise ValidationError({"custom_fields": [_("Expected an object.")]})
    errors = {key: [_("Unknown custom field.")] for key in data if key not in by_key}
    result = dict(current or {})
    for key, definition in by_key.items():
        if key in data:
            raw = data[key]
        elif current is None:
            raw = definition.default
        else:
            continue
        try:
            value = clean_value(definition, raw)
        except ValidationError as error:
            errors[key] = error.messages
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    if errors:
        raise ValidationError(errors)
    return result


def form_field(definition):
    """A Django form field for the definition (the value is re-validated by ``clean_value``)."""
    common = {
        "label": definition.label,
        "required": definition.required,
        "help_text": definition.help_text,
    }
    kind = definition.field_type
    options = [(c, c) for c in definition.choices]
    if kind == T.LONG_TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_LONG_TEXT, **common
        )
    if kind == T.INTEGER:
        return forms.IntegerField(**common)
    if kind == T.DECIMAL:
        return forms.DecimalField(**common)
    if kind == T.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == T.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    if kind == T.BOOLEAN:
        return forms.BooleanField(**{**common, "required": False})
    if kind == T.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *options], **common)
    if kind == T.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == T.URL:
        return forms.URLField(max_length=300, assume_scheme="https", **common)
    if kind == T.EMAIL:
        return forms.EmailField(**common)
    return forms.CharField(max_length=MAX_TEXT, **common)


def display_value(definition, value):
    if value is None:
        return ""
    if definition.field_type == T.BOOLEAN:
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def filter_lookup(definition, raw):
    """The ORM filter for ``?cf_<key>=raw`` (exact match; contains for multi-choice)."""
    key = f"custom_fields__{definition.key}"
    if definition.field_type == T.MULTI_CHOICE:
        return {f"{key}__icontains": str(raw)[:100]}
    try:
        value = clean_value(definition, raw)
    except ValidationError:
        return None
    if definition.field_type in (T.TEXT, T.LONG_TEXT):
        return {f"{key}__iexact": value}
    return {key: value}
