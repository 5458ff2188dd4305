import django_filters
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel
from clientela.core.filtersets import RecordFilterSet

from .choices import ForecastCategory, StageKind
from .models import Deal, Pipeline, Stage


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
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))
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
