import django_filters
from django.utils.translation import gettext_lazy as _

from clientela.core.filtersets import RecordFilterSet

from .choices import (
    CompanySize,
    ConsentStatus,
    Industry,
    LeadStatus,
    LifecycleStage,
    SourceChannel,
)
from .models import Company, Contact


class CompanyFilterSet(RecordFilterSet):
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"))
    size = django_filters.MultipleChoiceFilter(choices=CompanySize.choices, label=_("Size"))
    country = django_filters.CharFilter(lookup_expr="iexact", max_length=2, label=_("Country"))
    region = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("Region"))
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("City"))
    tax_id = django_filters.CharFilter(lookup_expr="iexact", max_length=20, label=_("Tax id"))

    class Meta:
        model = Company
        fields = []


class ContactFilterSet(RecordFilterSet):
    lifecycle_stage = django_filters.MultipleChoiceFilter(
        choices=LifecycleStage.choices, label=_("Lifecycle stage")
    )
    lead_status = django_filters.MultipleChoiceFilter(
        choices=LeadStatus.choices, label=_("Lead status")
    )
    source = django_filters.MultipleChoiceFilter(choices=SourceChannel.choices, label=_("Source"))
    consent_status = django_filters.MultipleChoiceFilter(
        choices=ConsentStatus.choices, label=_("Marketing consent")
    )
    language = django_filters.ChoiceFilter(
        choices=[("es", _("Spanish")), ("ca", _("Catalan")), ("en", _("English"))],
        label=_("Language"),
    )
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
    country = django_filters.CharFilter(lookup_expr="iexact", max_length=2, label=_("Country"))
    region = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("Region"))
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("City"))
    email = django_filters.CharFilter(
        field_name="emails__email", lookup_expr="iexact", max_length=254, label=_("E-mail")
    )

    class Meta:
        model = Contact
        fields = []
