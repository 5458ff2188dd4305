"""Forms of the deal pages. They validate input; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import CompanyChoiceField, OwnedRecordForm, companies_for

from . import money
from .models import Deal, Pipeline, Stage
from .services import DEAL_FIELDS


class DealForm(OwnedRecordForm):
    groups = [
        (
            _("Deal"),
            ["name", "company", "pipeline", "stage", "amount", "currency", "expected_close_date"],
        ),
        (_("Progress"), ["forecast_category", "next_step", "source", "source_detail"]),
        (_("Assignment"), ["owner", "team", "tags"]),
    ]

    currency = forms.ChoiceField(label=_("Currency"), choices=())
    company = CompanyChoiceField()

    class Meta:
        model = Deal
        fields = list(DEAL_FIELDS)
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies_for(self.user, self.instance.company_id)
        self.fields["currency"].choices = money.currency_choices()
        if not self.instance.pk:
            self.initial.setdefault("currency", money.base_currency())
        self.fields["pipeline"].queryset = Pipeline.objects.filter(archived=False)
        self.fields["pipeline"].required = False
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")
        self.fields["stage"].required = False
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} · {s}"
        self.fields["expected_close_date"].required = False
        self.fields["name"].widget.attrs["autofocus"] = True
