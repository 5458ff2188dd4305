"""Forms of the contact and company pages. They validate input; services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions
from clientela.core.models import Team
from clientela.core.pickers import RecordChoiceField
from clientela.core.validators import normalize_email, normalize_phone
from clientela.core.views.records import RecordForm

from .choices import EmailKind, PhoneKind
from .models import Company, Contact
from .services import COMPANY_FIELDS, CONTACT_FIELDS
from .social import PROFILE_FIELDS

ADDRESS_FIELDS = ["street", "postcode", "city", "region", "country"]
MAX_ROWS = 20


def _datetime_local():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CompanyChoiceField(RecordChoiceField):
    """A company picker, not a <select>: there may be 100,000 companies."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Company"))
        super().__init__(
            Company.objects.none(), sort_key_field="sort_name", entity="company", **kwargs
        )
        self.error_messages.update(
            not_found=_(
                "No company called “%(text)s” that you can see. Choose one from the "
                "suggestions or create it first."
            ),
            ambiguous=_(
                "Several companies are called “%(text)s”; choose one from the suggestions."
            ),
        )


def companies_for(user, current_id=None):
    """The companies ``user`` may link a record to; the current one stays acceptable even when
    it is out of their scope."""
    return Company.objects.filter(
        Q(pk__in=permissions.visible(user, Company.objects.all()).values("pk"))
        | Q(pk=current_id or 0)
    )


def profile_inputs(form):
    """Profile fields take an address or a handle; the service checks and rewrites them."""
    for name in PROFILE_FIELDS:
        field = form.fields.get(name)
        if field is not None and name != "website":
            field.help_text = _("The address, or just the handle (@name).")
            field.widget.attrs.update(autocomplete="off", spellcheck="false")


class OwnedRecordForm(RecordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.all()
        self.fields["owner"].empty_label = _("Unassigned")
        self.fields["team"].empty_label = _("No team")


class ContactForm(OwnedRecordForm):
    groups = [
        (_("Identity"), ["first_name", "last_name", "second_last_name", "job_title", "company"]),
        (_("Address"), ADDRESS_FIELDS),
        (_("Online"), list(PROFILE_FIELDS)),
        (
            _("Lifecycle"),
            ["lifecycle_stage", "lead_status", "source", "source_detail", "language"],
        ),
        (
            _("Marketing consent"),
            ["consent_status", "consent_at", "consent_method", "consent_proof"],
        ),
        (_("Assignment"), ["owner", "team", "tags"]),
        (_("Notes"), ["notes"]),
    ]
    wide_fields = ["consent_proof", "notes"]
    company = CompanyChoiceField()
    # Set by the page after it warned of a likely duplicate: the next "Save" creates anyway.
    save_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)
        widgets = {
            "consent_at": _datetime_local(),
            "consent_proof": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_for(self.user, self.instance.company_id)
        self.fields["first_name"].widget.attrs["autofocus"] = True
        profile_inputs(self)


class CompanyForm(OwnedRecordForm):
    groups = [
        (_("Identity"), ["name", "legal_name", "tax_id", "industry", "size"]),
        (_("Online"), ["domain", *PROFILE_FIELDS]),
        (_("Address"), ADDRESS_FIELDS),
        (_("Assignment"), ["owner", "team", "tags"]),
        (_("Description"), ["description"]),
    ]
    wide_fields = ["description"]
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )

    class Meta:
        model = Company
        fields = list(COMPANY_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        profile_inputs(self)


# --- e-mail and phone rows -----------------------------------------------------------------------


class EmailRowForm(forms.Form):
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=EmailKind.choices, initial=EmailKind.WORK)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        return normalize_email(value) if value else ""


class PhoneRowForm(forms.Form):
    number = forms.CharField(label=_("Phone"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PhoneKind.choices, initial=PhoneKind.MOBILE)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region

    def clean_number(self):
        value = self.cleaned_data["number"].strip()
        return normalize_phone(value, self.region) if value else ""


class RowFormSet(forms.BaseFormSet):
    """Rows of a small list (e-mails, phones); blank rows are ignored."""

    value_field = ""
    legend = ""

    def service_rows(self):
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get(self.value_field):
                rows.append(
                    {
                        self.value_field: data[self.value_field],
                        "kind": data["kind"],
                        "is_primary": data["is_primary"],
                    }
                )
        return rows

    def clean(self):
        values = [
            form.cleaned_data.get(self.value_field)
            for form in self.forms
            if getattr(form, "cleaned_data", None)
        ]
        values = [v for v in values if v]
        if len(values) != len(set(values)):
            raise ValidationError(_("The same value appears twice."))


class EmailFormSetBase(RowFormSet):
    value_field = "email"
    legend = _("E-mails")


class PhoneFormSetBase(RowFormSet):
    value_field = "number"
    legend = _("Phones")


EmailFormSet = forms.formset_factory(
    EmailRowForm, formset=EmailFormSetBase, extra=2, max_num=MAX_ROWS, validate_max=True
)
PhoneFormSet = forms.formset_factory(
    PhoneRowForm, formset=PhoneFormSetBase, extra=2, max_num=MAX_ROWS, validate_max=True
)


def email_formset(data, contact):
    rows = contact.emails.all() if contact else []
    initial = [{"email": e.email, "kind": e.kind, "is_primary": e.is_primary} for e in rows]
    return EmailFormSet(data, initial=initial, prefix="emails")


def phone_formset(data, record, region=None):
    rows = record.phones.all() if record else []
    initial = [{"number": p.number, "kind": p.kind, "is_primary": p.is_primary} for p in rows]
    return PhoneFormSet(data, initial=initial, prefix="phones", form_kwargs={"region": region})


def region_from(data, record):
    """The country that phone numbers without a prefix belong to (as the service uses it)."""
    source = data if data is not None else {"country": record.country if record else ""}
    country = source.get("country", "").strip().upper()
    return country if len(country) == 2 and country.isalpha() else None
