import django_filters
from django.utils.translation import gettext_lazy as _

from clientela.core.filtersets import IdFilter, RecordFilterSet

from .choices import ActivityKind, Priority
from .models import Activity


class ActivityFilterSet(RecordFilterSet):
    """Filters of the activity list and ``/api/v1/activities/``. Activities are not in the
    global search, so there is no ``q``."""

    q = None
    kind = django_filters.MultipleChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    contact = IdFilter(field_name="contact_id", label=_("Contact"))
    company = IdFilter(field_name="company_id", label=_("Company"))
    deal = IdFilter(field_name="deal_id", label=_("Deal"))
    done = django_filters.BooleanFilter(
        method="filter_done", label=_("Done (tasks)"), help_text=_("Tasks done or not yet.")
    )
    priority = django_filters.MultipleChoiceFilter(
        choices=Priority.choices, label=_("Priority (tasks)")
    )
    due_after = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="gte", label=_("Due from")
    )
    due_before = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="lt", label=_("Due before")
    )
    happened_after = django_filters.IsoDateTimeFilter(
        field_name="timeline_at", lookup_expr="gte", label=_("From")
    )
    happened_before = django_filters.IsoDateTimeFilter(
        field_name="timeline_at", lookup_expr="lt", label=_("Before")
    )

    class Meta:
        model = Activity
        fields = []

    def filter_done(self, queryset, name, value):
        return queryset.filter(kind=ActivityKind.TASK, done_at__isnull=not value)
