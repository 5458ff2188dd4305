"""The forms of the intake pages: assignment rules (lists typed comma-separated), web forms
and their fields, webhooks (the mapping typed one “key = field” per line)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel
from clientela.core.models import Team, User

from .choices import DuplicatePolicy, ImportKind, WebhookKind
from .models import AssignmentRule

LIST_HELP = _("Comma-separated; leave empty for any.")


class AssignmentRuleForm(forms.ModelForm):
    sources = forms.MultipleChoiceField(
        label=_("Source channels"),
        choices=SourceChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for any source."),
    )
    countries = forms.CharField(
        label=_("Countries"), required=False, max_length=1000, help_text=_("e.g. ES, AD, FR")
    )
    regions = forms.CharField(
        label=_("Regions / provinces"), required=False, max_length=2000, help_text=LIST_HELP
    )
    postcode_prefixes = forms.CharField(
        label=_("Postcodes starting with"),
        required=False,
        max_length=2000,
        help_text=_("e.g. 08, 17, 25, 43 for Catalonia"),
    )

    class Meta:
        model = AssignmentRule
        fields = [
            "name",
            "record_type",
            "active",
            "position",
            "sources",
            "countries",
            "regions",
            "postcode_prefixes",
            "field",
            "field_value",
            "strategy",
            "user",
            "team",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("countries", "regions", "postcode_prefixes"):
            if self.instance.pk:
                self.initial[name] = ", ".join(getattr(self.instance, name))
        self.fields["user"].queryset = User.objects.filter(is_active=True)
        self.fields["team"].queryset = Team.objects.all()
        self.fields["field"].help_text = _(
            "Optional: a field name (lead_status, industry...) or cf_<key> of a custom field."
        )

    def rule_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WebFormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    double_opt_in = forms.BooleanField(
        label=_("Confirm marketing consent by e-mail (double opt-in)"),
        required=False,
        initial=True,
    )
    consent_en = forms.CharField(
        label=_("Consent checkbox (English)"), required=False, max_length=500
    )
    consent_es = forms.CharField(
        label=_("Consent checkbox (Spanish)"), required=False, max_length=500
    )
    consent_ca = forms.CharField(
        label=_("Consent checkbox (Catalan)"), required=False, max_length=500
    )
    success_message = forms.CharField(label=_("Thank-you message"), required=False, max_length=500)
    redirect_url = forms.URLField(
        label=_("Or send people to"), required=False, max_length=500, assume_scheme="https"
    )

    def options(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "active": data["active"],
            "double_opt_in": data["double_opt_in"],
            "success_message": data["success_message"],
            "redirect_url": data["redirect_url"],
            "consent_text": {
                code: data[f"consent_{code}"]
                for code in ("en", "es", "ca")
                if data[f"consent_{code}"]
            },
        }


class FormFieldRow(forms.Form):
    name = forms.ChoiceField(label=_("Field"), choices=(), required=False)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [("", "—"), *targets]


FormFieldRows = forms.formset_factory(FormFieldRow, extra=3, max_num=30, validate_max=True)


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Receives"), choices=WebhookKind.choices)
    source = forms.ChoiceField(
        label=_("Source channel of new contacts"),
        choices=[("", _("Phone for calls, social network for leads")), *SourceChannel.choices],
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    mapping = forms.CharField(
        label=_("Field mapping"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
        help_text=_(
            "One per line: the key in what is sent = the contact field it fills, e.g. "
            "“answers.empresa = company”. Usual names (email, phone_number, full_name, "
            "company_name, city…) need no line."
        ),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # what a webhook receives is fixed: its sender is set up for it
            self.fields["kind"].disabled = True

    def clean_mapping(self):
        mapping = {}
        for number, line in enumerate(self.cleaned_data["mapping"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, target = line.rpartition("=")
            if not sep or not key.strip() or not target.strip():
                raise forms.ValidationError(
                    _("Line %(n)d: write “key = field”.") % {"n": number}, code="invalid"
                )
            mapping[key.strip()] = target.strip()
        return mapping


def mapping_text(mapping):
    return "\n".join(f"{key} = {target}" for key, target in mapping.items())


# --- imports --------------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (any delimiter, any encoding), Excel (.xlsx) or vCard (.vcf)."),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file (the field it fills), then how to treat records that
    already exist."""

    on_duplicate = forms.ChoiceField(
        label=_("When a record already exists"), choices=DuplicatePolicy.choices
    )
    match_on = forms.MultipleChoiceField(
        label=_("Same record when these match"),
        choices=[("email", _("E-mail")), ("phone", _("Phone")), ("tax_id", _("Tax id"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row and write nothing"), required=False
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_("To use it again for the next file from the same tool."),
    )

    def __init__(self, *args, job, targets, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— ignore —"))] + [(t.name, t.label) for t in targets]
        self.columns = []
        for n, header in enumerate(job.header):
            name = f"column_{n}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("(no name)"), choices=choices, required=False
            )
            self.initial.setdefault(name, job.mapping[n] if n < len(job.mapping) else "")
            samples = [row[n] for row in job.sample if n < len(row) and row[n]]
            self.columns.append((self[name], samples[:3]))

    def mapping(self):
        return [self.cleaned_data[f"column_{n}"] for n in range(len(self.columns))]
