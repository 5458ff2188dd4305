import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel
from clientela.core.filtersets import IdFilter, RecordFilterSet

from .choices import ForecastCategory, PurchaseChannel, PurchaseStatus, StageKind
from .models import Deal, Pipeline, Product, Purchase, Stage


class DealFilterSet(RecordFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=StageKind.choices, label=_("Status"))
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.filter(archived=False), label=_("Pipeline")
    )
    stage = django_filters.ModelChoiceFilter(queryset=Stage.objects.all(), label=_("Stage"))
    forecast_category = django_filters.MultipleChoiceFilter(
        choices=ForecastCategory.choices, label=_("Forecast category")
    )
    source = django_filters.MultipleChoiceFilter(choices=SourceChannel.choices, label=_("Source"))
    company = IdFilter(field_name="company_id", label=_("Company"))
    closing_after = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="gte", label=_("Closing from")
    )
    closing_before = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="lte", label=_("Closing until")
    )
    min_amount = django_filters.NumberFilter(
        field_name="amount_base", lookup_expr="gte", label=_("Amount from (base currency)")
    )

    class Meta:
        model = Deal
        fields = []


class PurchaseFilterSet(RecordFilterSet):
    channel = django_filters.MultipleChoiceFilter(
        choices=PurchaseChannel.choices, label=_("Channel")
    )
    status = django_filters.MultipleChoiceFilter(choices=PurchaseStatus.choices, label=_("Status"))
    contact = IdFilter(field_name="contact_id", label=_("Contact"))
    company = IdFilter(field_name="company_id", label=_("Company"))
    source = django_filters.CharFilter(label=_("Source"), max_length=50)
    external_id = django_filters.CharFilter(label=_("External id"), max_length=100)
    purchased_after = django_filters.DateFilter(
        field_name="purchased_at", lookup_expr="date__gte", label=_("Bought from")
    )
    purchased_before = django_filters.DateFilter(
        field_name="purchased_at", lookup_expr="date__lte", label=_("Bought until")
    )

    class Meta:
        model = Purchase
        fields = []


class ProductFilterSet(django_filters.FilterSet):
    """The catalogue: by SKU or name, active or not, currency."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"), max_length=100)
    active = django_filters.BooleanFilter(label=_("Active"))
    currency = django_filters.CharFilter(label=_("Currency"), max_length=3)

    class Meta:
        model = Product
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sku__istartswith=value) | Q(name__icontains=value))
