import django_filters
from django.utils.translation import gettext_lazy as _

from clientela.core import search
from clientela.core.filtersets import IdFilter, RecordFilterSet, StrictBooleanFilter

from .choices import ACTIVE_STATUSES, CaseChannel, CasePriority, CaseStatus, SlaState
from .models import Article, ArticleCategory, ArticleStatus, Case, CaseCategory

QUEUES = [
    ("mine", _("My cases")),
    ("unassigned", _("Unassigned")),
    ("team", _("My teams")),
    ("breaching", _("Breaching soon")),
    ("active", _("All active")),
]


class CaseFilterSet(RecordFilterSet):
    """Cases for the queues and the API: ``queue`` picks a working list (active cases only),
    the other filters narrow any list."""

    queue = django_filters.ChoiceFilter(choices=QUEUES, method="filter_queue", label=_("Queue"))
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, label=_("Status"))
    priority = django_filters.MultipleChoiceFilter(
        choices=CasePriority.choices, label=_("Priority")
    )
    channel = django_filters.MultipleChoiceFilter(choices=CaseChannel.choices, label=_("Channel"))
    sla_state = django_filters.MultipleChoiceFilter(choices=SlaState.choices, label=_("SLA"))
    category = django_filters.ModelChoiceFilter(
        queryset=CaseCategory.objects.all(), label=_("Category")
    )
    contact = IdFilter(field_name="contact_id", label=_("Contact"))
    company = IdFilter(field_name="company_id", label=_("Company"))

    class Meta:
        model = Case
        fields = []

    def filter_queue(self, queryset, name, value):
        active = queryset.filter(status__in=ACTIVE_STATUSES)
        user = getattr(self.request, "user", None)
        if value == "mine":
            return active.filter(owner_id=user.pk if user else None)
        if value == "unassigned":
            return active.filter(owner__isnull=True)
        if value == "team":
            teams = list(user.teams.values_list("pk", flat=True)) if user else []
            return active.filter(team_id__in=teams)
        if value == "breaching":  # only active cases whose clock runs have a due moment
            return queryset.filter(next_due__isnull=False)
        return active


# --- knowledge base (the team's article list and the API) ---


class ArticleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)
    language = django_filters.ChoiceFilter(
        choices=Article._meta.get_field("language").choices, label=_("Language")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=ArticleCategory.objects.all(), label=_("Category")
    )
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices, label=_("Status"))
    internal = StrictBooleanFilter(label=_("Internal only"))

    class Meta:
        model = Article
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(pk__in=search.matching_ids(Article, value))
