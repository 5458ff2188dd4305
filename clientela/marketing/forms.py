from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import OwnedRecordForm
from clientela.core.pickers import visible_or_current

from .models import Campaign, EmailTemplate, Segment
from .services.campaigns import EDITABLE_STATUSES, FORM_FIELDS, LIVE_FIELDS


class CampaignForm(OwnedRecordForm):
    groups = [
        (_("Campaign"), ["name", "kind", "description"]),
        (_("Audience and message"), ["segment", "template"]),
        (_("Sender"), ["from_name", "from_email", "reply_to", "rate_per_minute"]),
        (_("Tracking"), ["track_opens", "track_clicks", "utm_tagging", "utm_campaign"]),
        (_("Money"), ["budget", "cost"]),
        (_("Assignment"), ["owner", "team", "tags"]),
    ]
    wide_fields = ["description"]

    class Meta:
        model = Campaign
        fields = list(FORM_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "utm_campaign": _("Made from the name when left empty."),
            "rate_per_minute": _("Empty: as fast as the mail server allows."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = visible_or_current(
            self.user, Segment, self.instance.segment_id
        )
        self.fields["template"].queryset = visible_or_current(
            self.user, EmailTemplate, self.instance.template_id
        )
        if self.instance.pk and self.instance.status not in EDITABLE_STATUSES:
            # Who gets it and what it says are fixed once the campaign started.
            for name, field in self.fields.items():
                if name in self._meta.fields and name not in LIVE_FIELDS:
                    field.disabled = True

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        return {
            k: v
            for k, v in kwargs.items()
            if k not in self._meta.fields or not self.fields[k].disabled
        }


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
