import django_filters
from django.db import connection
from django.db.models import BooleanField, F, Func, Q
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from clientela.core.filtersets import IdFilter, RecordFilterSet

from .choices import (
    CompanySize,
    ConsentStatus,
    Industry,
    LeadStatus,
    LifecycleStage,
    SourceChannel,
)
from .models import Company, Contact

# Each "missing" choice is read from an index in name order: a partial one (``*_no_*_idx``)
# for e-mail and phone, the "null" range of the owner and company indexes for the others.
MISSING = {
    "email": (_("E-mail"), Q(has_email=False)),
    "phone": (_("Phone"), Q(has_phone=False)),
    "owner": (_("Owner"), Q(owner__isnull=True)),
    "company": (_("Company"), Q(company__isnull=True)),
}
CONTACT_MISSING = ("email", "phone", "owner", "company")
COMPANY_MISSING = ("phone", "owner")


def _missing_filter(keys):
    return django_filters.MultipleChoiceFilter(
        choices=[(key, MISSING[key][0]) for key in keys],
        method="filter_missing",
        label=_("Missing"),
    )


# Fewer matches than this and a "completeness below" list is read from the completeness index
# and sorted; more, and walking the list's own order finds a page of them soon enough.
FEW_MATCHES = 5000


class _Rare(Func):
    """SQLite's ``likelihood(condition, 0.001)``: tells its planner, which has no histogram of
    the score, that few rows match (the condition's index stays usable)."""

    template = "likelihood(%(expressions)s, 0.001)"
    output_field = BooleanField()


class _Common(_Rare):
    """``likelihood(condition, 0.9)``: most rows match, walk the list's order instead."""

    template = "likelihood(%(expressions)s, 0.9)"


class QualityFilters(django_filters.FilterSet):
    """``missing=email&missing=phone`` (records lacking all of them) and
    ``completeness_below=N`` (score under N, 0-100)."""

    completeness_below = django_filters.NumberFilter(
        method="filter_completeness_below",
        min_value=0,
        max_value=101,
        label=_("Completeness below"),
    )

    def filter_completeness_below(self, queryset, name, value):
        below = LessThan(F("completeness"), int(value))
        if connection.vendor == "sqlite":
            # PostgreSQL's statistics see how many records are below; SQLite's do not, and
            # it may walk a million rows in name order for a handful of matches.
            matches = queryset.filter(below).values("pk")[:FEW_MATCHES].count()
            return queryset.filter(_Rare(below) if matches < FEW_MATCHES else _Common(below))
        return queryset.filter(below)

    def filter_missing(self, queryset, name, values):
        for key in values:
            queryset = queryset.filter(MISSING[key][1])
        return queryset


class CompanyFilterSet(QualityFilters, RecordFilterSet):
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"))
    size = django_filters.MultipleChoiceFilter(choices=CompanySize.choices, label=_("Size"))
    country = django_filters.CharFilter(lookup_expr="iexact", max_length=2, label=_("Country"))
    region = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("Region"))
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("City"))
    tax_id = django_filters.CharFilter(lookup_expr="iexact", max_length=20, label=_("Tax id"))
    missing = _missing_filter(COMPANY_MISSING)

    class Meta:
        model = Company
        fields = []


class ContactFilterSet(QualityFilters, RecordFilterSet):
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
    company = IdFilter(field_name="company_id", label=_("Company"))
    country = django_filters.CharFilter(lookup_expr="iexact", max_length=2, label=_("Country"))
    region = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("Region"))
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, label=_("City"))
    email = django_filters.CharFilter(
        field_name="emails__email", lookup_expr="iexact", max_length=254, label=_("E-mail")
    )
    missing = _missing_filter(CONTACT_MISSING)

    class Meta:
        model = Contact
        fields = []
