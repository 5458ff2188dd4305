"""The assignment rule form. Lists (sources, countries...) are typed comma-separated."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel
from clientela.core.models import Team, User

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
