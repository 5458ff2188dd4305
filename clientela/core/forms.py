"""Forms of the core pages: sign-in steps, account, API tokens and the settings pages.

Forms validate and return errors; the writes happen in ``settings_services`` / ``tokens``.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clientela.core import customfields
from clientela.core.choices import AccessLevel, Area, CustomFieldType, Language, RecordScope
from clientela.core.models import CustomField, Role, Team, User
from clientela.core.models.customfields import key_validator

CHOICE_TYPES = (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)
NUMBER_TYPES = (CustomFieldType.INTEGER, CustomFieldType.DECIMAL)
MAX_CHOICES = 200


def add_service_errors(form, error):
    """Put a service's ``ValidationError`` on ``form``: each message on the field of the same
    name, the rest (and errors without fields) at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        min_length=6,
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("Enter the six digits from your app."))],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"\d{6}",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Accounting sync”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise ValidationError(_("Choose a date after today."))
        return day

    def expires_at(self):
        """The end of the chosen day in the current time zone, or ``None``."""
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


class PasswordConfirmForm(forms.Form):
    """Asks for the current password before a sensitive change (turning off two-factor)."""

    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."))
        return password


# --- users ----------------------------------------------------------------------------------


class UserForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[User.username_validator],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": instance.username,
                    "first_name": instance.first_name,
                    "last_name": instance.last_name,
                    "email": instance.email,
                    "role": instance.role_id,
                    "teams": list(instance.teams.values_list("id", flat=True)),
                    "language": instance.language,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        taken = User.objects.filter(username__iexact=username)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("A user with this username already exists."))
        return username


class UserCreateForm(UserForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own validator descriptions (HTML it builds and escapes), in today's language.
        self.fields["password1"].help_text = mark_safe(  # noqa: S308
            str(password_validation.password_validators_help_text_html())
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


# --- teams ----------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    handle = forms.SlugField(
        label=_("Handle"),
        max_length=40,
        help_text=_("Used for @mentions: letters, digits, hyphens and underscores."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "handle": instance.handle,
                    "description": instance.description,
                    "members": list(instance.members.values_list("id", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)

    def _unique(self, field, value, message):
        taken = Team.objects.filter(**{f"{field}__iexact": value})
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(message)
        return value

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        return self._unique("name", name, _("A team with this name already exists."))

    def clean_handle(self):
        handle = self.cleaned_data["handle"].lower()
        return self._unique("handle", handle, _("Another team uses this handle."))


# --- roles ----------------------------------------------------------------------------------


class RoleForm(forms.Form):
    """The scope of a role plus one access level per area (``access_<area>`` fields)."""

    scope = forms.ChoiceField(label=_("Record scope"), choices=RecordScope.choices)

    def __init__(self, *args, role, **kwargs):
        self.role = role
        initial = {"scope": role.scope}
        initial.update({f"access_{a}": role.access.get(a, AccessLevel.NONE) for a in Area.values})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for value, label in Area.choices:
            self.fields[f"access_{value}"] = forms.ChoiceField(
                label=label, choices=AccessLevel.choices
            )

    def access(self):
        return {a: self.cleaned_data[f"access_{a}"] for a in Area.values}


# --- custom fields --------------------------------------------------------------------------


def record_type_choices():
    return [
        (name, model._meta.verbose_name.capitalize())
        for name, model in customfields.record_types().items()
    ]


class CustomFieldForm(forms.Form):
    record_type = forms.ChoiceField(label=_("Record type"), choices=record_type_choices)
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        validators=[key_validator],
        help_text=_("Used in the API and imports. Record type, key and type cannot change later."),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    default = forms.CharField(
        label=_("Default value"),
        max_length=255,
        required=False,
        help_text=_("Used for new records. For multiple choice, one option per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=10000,
        help_text=_("For choice fields: one option per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    min_value = forms.DecimalField(
        label=_("Minimum"), required=False, max_digits=20, decimal_places=6
    )
    max_value = forms.DecimalField(
        label=_("Maximum"), required=False, max_digits=20, decimal_places=6
    )
    max_length = forms.IntegerField(
        label=_("Maximum length"), required=False, min_value=1, max_value=10000
    )
    pattern = forms.CharField(
        label=_("Pattern (regular expression)"),
        max_length=200,
        required=False,
        help_text=_("The whole value must match, e.g. [A-Z]{3}-\\d{4}."),
    )
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10000, initial=0)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            default = instance.default
            if isinstance(default, list):
                default = "\n".join(str(v) for v in default)
            kwargs.setdefault(
                "initial",
                {
                    "record_type": instance.content_type.model,
                    "key": instance.key,
                    "label": instance.label,
                    "field_type": instance.field_type,
                    "required": instance.required,
                    "default": "" if default is None else str(default),
                    "choices": "\n".join(instance.choices),
                    "min_value": instance.min_value,
                    "max_value": instance.max_value,
                    "max_length": instance.max_length,
                    "pattern": instance.pattern,
                    "help_text": instance.help_text,
                    "position": instance.position,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            # Values on records are filed under key and type; changing them would orphan data.
            for name in ("record_type", "key", "field_type"):
                self.fields[name].disabled = True

    def content_type(self):
        model = customfields.record_types()[self.cleaned_data["record_type"]]
        return ContentType.objects.get_for_model(model)

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines()]
        options = list(dict.fromkeys(line for line in lines if line))
        if len(options) > MAX_CHOICES:
            raise ValidationError(_("At most %(n)d options.") % {"n": MAX_CHOICES})
        if any(len(option) > 100 for option in options):
            raise ValidationError(_("Each option may have at most 100 characters."))
        return options

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        if pattern:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValidationError(
                    _("This is not a valid regular expression: %(error)s") % {"error": error}
                ) from error
        return pattern

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("field_type")
        if self.instance is None and cleaned.get("key") and cleaned.get("record_type"):
            taken = CustomField.objects.filter(content_type=self.content_type(), key=cleaned["key"])
            if taken.exists():
                self.add_error("key", _("This record type already has a field with this key."))
        if kind in CHOICE_TYPES and not cleaned.get("choices"):
            self.add_error("choices", _("Choice fields need at least one option."))
        if kind not in CHOICE_TYPES:
            cleaned["choices"] = []
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The maximum must not be below the minimum."))
        if not self.errors and kind:
            cleaned["default"] = self._clean_default(cleaned)
        return cleaned

    def _clean_default(self, cleaned):
        """The default, validated exactly as a record's value would be."""
        raw = cleaned.get("default", "").strip()
        if not raw:
            return None
        if cleaned["field_type"] == CustomFieldType.MULTI_CHOICE:
            raw = [line.strip() for line in raw.splitlines() if line.strip()]
        probe = CustomField(
            field_type=cleaned["field_type"],
            required=False,
            choices=cleaned["choices"],
            min_value=cleaned.get("min_value"),
            max_value=cleaned.get("max_value"),
            max_length=cleaned.get("max_length"),
            pattern=cleaned.get("pattern", ""),
        )
        try:
            return customfields.clean_value(probe, raw)
        except ValidationError as error:
            self.add_error("default", error)
            return None

    def values(self):
        """Keyword arguments for ``settings_services`` (without record type and key)."""
        names = (
            "label",
            "field_type",
            "required",
            "default",
            "choices",
            "min_value",
            "max_value",
            "max_length",
            "pattern",
            "help_text",
            "position",
        )
        return {name: self.cleaned_data[name] for name in names}
