"""The filter of e-mail templates: the editor's list and ``/api/v1/email-templates/``."""

import django_filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clientela.core.filtersets import RecordFilterSet

from .choices import TemplatePurpose
from .models import EmailTemplate


class EmailTemplateFilterSet(RecordFilterSet):
    purpose = django_filters.ChoiceFilter(choices=TemplatePurpose.choices, label=_("Purpose"))
    language = django_filters.ChoiceFilter(
        field_name="variants__language", choices=settings.LANGUAGES, label=_("Written in")
    )

    class Meta:
        model = EmailTemplate
        fields = []

    def filter_search(self, queryset, name, value):
        # Templates are not in the search index (a team has tens of them): their name.
        value = " ".join(value.split())
        return queryset.filter(name__icontains=value) if value else queryset
