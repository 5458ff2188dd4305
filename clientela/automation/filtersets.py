"""One filterset per model, for the pages and the API alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus
from .models import WebhookDelivery


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    """A webhook's delivery log by status (an unknown status is a 400, never ignored)."""

    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = WebhookDelivery
        fields = []
