"""The form of an outgoing webhook: its address and the events it listens to, as checkboxes
grouped by record. The service checks the address itself (``outgoing.guard``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.event_types import grouped_choices

from .models.webhooks import MAX_URL


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=MAX_URL,
        widget=forms.URLInput(attrs={"placeholder": "https://", "spellcheck": "false"}),
        help_text=_("Clientela POSTs JSON here, signed with the webhook's secret."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=grouped_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
