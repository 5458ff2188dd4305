"""Filter machinery shared by every record filterset (UI lists and API alike)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core import customfields, search
from clientela.core.models import Tag, Team

CUSTOM_PREFIX = "cf_"
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}
MAX_ID = 2**63 - 1


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``, ``yes``/``no``); anything else is a 400, never a
    filter silently left out."""

    widget = forms.TextInput

    def to_python(self, value):
        raw = str(value if value is not None else "").strip().lower()
        if raw in TRUE_VALUES:
            return True
        if raw in FALSE_VALUES:
            return None if raw == "" else False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number within the column's range (``1e30`` or ``1.5`` is a 400,
    never a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class RecordFilterSet(django_filters.FilterSet):
    """Search, owner, team, tags, dates and ``cf_<key>`` custom-field filters for CrmRecords.

    ``owner=me`` means the requesting user and ``owner=none`` unassigned records.
    """

    q = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)
    owner = django_filters.CharFilter(method="filter_owner", label=_("Owner"), max_length=20)
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    tag = django_filters.ModelMultipleChoiceFilter(
        field_name="tags__name",
        to_field_name="name",
        queryset=Tag.objects.all(),
        label=_("Tags"),
        conjoined=True,
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )
    updated_after = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte", label=_("Updated from")
    )

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(id__in=search.matching_ids(queryset.model, value))

    def filter_owner(self, queryset, name, value):
        value = value.strip().lower()
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(owner_id=user.pk if user else None)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset.none()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        wanted = {
            k[len(CUSTOM_PREFIX) :]: v
            for k, v in self.data.items()
            if k.startswith(CUSTOM_PREFIX) and v not in ("", None)
        }
        if not wanted:
            return queryset
        for definition in customfields.definitions_for(queryset.model):
            if definition.key in wanted:
                lookup = customfields.filter_lookup(definition, wanted[definition.key])
                queryset = queryset.filter(**lookup) if lookup else queryset.none()
        return queryset


def owner_choices(people):
    """Choices of the owner filter: me, nobody, then ``people`` (the active users)."""
    return [("me", _("Me")), ("none", _("Unassigned"))] + [(str(u.pk), str(u)) for u in people]
