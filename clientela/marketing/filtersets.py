"""One filterset per model, for the pages and the API alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from clientela.core.filtersets import IdFilter, RecordFilterSet

from .choices import CampaignKind, CampaignStatus, SegmentKind, SequenceStatus, SequenceTrigger
from .models import Campaign, LoyaltyAccount, LoyaltyTier, Segment, Sequence


class CampaignFilterSet(RecordFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CampaignStatus.choices, label=_("Status"))
    kind = django_filters.MultipleChoiceFilter(choices=CampaignKind.choices, label=_("Type"))
    started_after = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", label=_("Started from")
    )
    started_before = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", label=_("Started until")
    )

    class Meta:
        model = Campaign
        fields = []

    def filter_search(self, queryset, name, value):
        # Campaigns are few and not in the global search: their names are searched directly.
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


class LoyaltyAccountFilterSet(django_filters.FilterSet):
    """The members list and ``/api/v1/loyalty-accounts/``."""

    tier = django_filters.ModelChoiceFilter(
        queryset=LoyaltyTier.objects.all(), null_label=_("No tier"), label=_("Tier")
    )
    contact = IdFilter(field_name="contact_id", label=_("Contact"))

    class Meta:
        model = LoyaltyAccount
        fields = []


class SegmentFilterSet(RecordFilterSet):
    """Segments by name (segments are not in the global search), type, owner, team, tags."""

    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Name"), max_length=200
    )
    kind = django_filters.ChoiceFilter(choices=SegmentKind.choices, label=_("Type"))

    class Meta:
        model = Segment
        fields = []


class SequenceFilterSet(RecordFilterSet):
    """Sequences by name (not in the global search), status, trigger, owner, team, tags."""

    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Name"), max_length=200
    )
    status = django_filters.MultipleChoiceFilter(choices=SequenceStatus.choices, label=_("Status"))
    trigger = django_filters.ChoiceFilter(choices=SequenceTrigger.choices, label=_("Starts when"))

    class Meta:
        model = Sequence
        fields = []
