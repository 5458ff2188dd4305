"""The activity form: one form whose fields follow the kind being logged. It validates input;
``activities.services`` writes (and checks the rest: dates, durations, sizes)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import CompanyChoiceField, OwnedRecordForm, companies_for
from clientela.contacts.models import Contact
from clientela.core.models import User
from clientela.core.pickers import SearchedChoiceField, visible_or_current
from clientela.sales.models import Deal

from . import richtext
from .choices import ActivityKind, Direction, Priority, Recurrence
from .models import Activity
from .services import KIND_FIELDS, MAX_DURATION_SECONDS

K = ActivityKind


def _datetime_local():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# The form's own fields per kind (the model's kind fields, with minutes for a call's duration).
FORM_KIND_FIELDS = {
    K.CALL: ["timeline_at", "direction", "duration_minutes", "outcome"],
    K.MEETING: ["starts_at", "ends_at", "place", "attendees"],
    K.EMAIL: ["timeline_at", "direction", "from_address", "to_text"],
    K.NOTE: ["timeline_at"],
    K.TASK: ["due_at", "priority", "remind_at", "recurrence"],
}
ALL_KIND_FIELDS = {name for names in FORM_KIND_FIELDS.values() for name in names}


class ActivityForm(OwnedRecordForm):
    """Subject, the fields of the kind, the description, what it is about (pickers, preset
    from the page the activity is logged from), then the assignment."""

    wide_fields = ["subject", "body"]

    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=0,
        max_value=MAX_DURATION_SECONDS // 60,
    )
    to_text = forms.CharField(
        label=_("To"),
        required=False,
        max_length=5000,
        help_text=_("E-mail addresses, separated by commas."),
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = SearchedChoiceField(
        Contact,
        "contact",
        "full_name",
        label=_("Contact"),
        error_messages={
            "not_found": _("No contact called “%(text)s” that you can see."),
            "ambiguous": _("Several contacts are called “%(text)s”; choose one."),
        },
    )
    company = CompanyChoiceField()
    deal = SearchedChoiceField(
        Deal,
        "deal",
        "name",
        label=_("Deal"),
        error_messages={
            "not_found": _("No deal called “%(text)s” that you can see."),
            "ambiguous": _("Several deals are called “%(text)s”; choose one."),
        },
    )
    body = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=richtext.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text, or simple HTML (bold, italics, lists, links)."),
    )

    class Meta:
        model = Activity
        fields = [
            "subject",
            "timeline_at",
            "direction",
            "outcome",
            "starts_at",
            "ends_at",
            "place",
            "from_address",
            "due_at",
            "priority",
            "remind_at",
            "recurrence",
            "contact",
            "company",
            "deal",
            "owner",
            "team",
        ]
        widgets = {
            "timeline_at": _datetime_local(),
            "starts_at": _datetime_local(),
            "ends_at": _datetime_local(),
            "due_at": _datetime_local(),
            "remind_at": _datetime_local(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        activity = self.instance
        self.kind = K(activity.kind)
        for name in ALL_KIND_FIELDS - set(FORM_KIND_FIELDS[self.kind]):
            self.fields.pop(name, None)
        self.groups = [
            (self.kind.label, ["subject", *FORM_KIND_FIELDS[self.kind], "body"]),
            (_("About"), ["contact", "company", "deal"]),
            (_("Assignment"), ["owner", "team", "tags"]),
        ]
        self._limit_links(activity)
        if self.kind == K.MEETING:
            self.fields["attendees"].queryset = User.objects.filter(
                Q(is_active=True) | Q(pk__in=activity.attendees.all() if activity.pk else [])
            )
            if activity.pk:
                self.initial["attendees"] = list(activity.attendees.all())
        for name, choices, default in (
            ("direction", Direction.choices, Direction.OUTBOUND),
            ("priority", Priority.choices, Priority.NORMAL),
            ("recurrence", Recurrence.choices, Recurrence.NONE),
        ):
            if name in self.fields:
                self.fields[name] = forms.ChoiceField(
                    label=self.fields[name].label, choices=choices
                )
                if not self.initial.get(name):
                    self.initial[name] = default
        if self.kind == K.TASK:
            self.fields["owner"].label = _("Assigned to")
            self.fields["due_at"].help_text = _("Not before now.")
            self.fields["remind_at"].help_text = _("You get an e-mail and a note on My day.")
        else:
            self.fields["owner"].label = _("Done by")
        if "timeline_at" in self.fields:
            self.fields["timeline_at"].label = _("When")
            self.fields["timeline_at"].required = False
            self.fields["timeline_at"].help_text = _("Leave empty for now.")
        if self.kind == K.MEETING:
            self.fields["starts_at"].required = True
        if activity.pk:
            self.initial["body"] = richtext.for_editing(activity.body)
            if self.kind == K.CALL:
                self.initial["duration_minutes"] = activity.duration_minutes
            if self.kind == K.EMAIL:
                self.initial["to_text"] = ", ".join(activity.to_addresses or [])
        self.fields["subject"].widget.attrs["autofocus"] = True

    def _limit_links(self, activity):
        """Links only to records the user may see (the current ones always stay)."""
        user = self.user
        self.fields["contact"].queryset = visible_or_current(user, Contact, activity.contact_id)
        self.fields["company"].queryset = companies_for(user, activity.company_id)
        self.fields["deal"].queryset = visible_or_current(user, Deal, activity.deal_id)

    def clean_to_text(self):
        text = self.cleaned_data.get("to_text") or ""
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            name: data[name]
            for name in ("subject", "body", "owner", "team", "contact", "deal")
            if name in data
        }
        if data.get("company") is not None or self.instance.pk:
            kwargs["company"] = data.get("company")
        for name in KIND_FIELDS[self.kind]:
            if name in data and name in self.fields:
                kwargs[name] = data[name]
        if "timeline_at" in self.fields and data.get("timeline_at"):
            kwargs["timeline_at"] = data["timeline_at"]
        if self.kind == K.CALL:
            minutes = data.get("duration_minutes")
            kwargs["duration_seconds"] = None if minutes is None else minutes * 60
        if self.kind == K.EMAIL:
            kwargs["to_addresses"] = data.get("to_text", [])
        if self.kind == K.MEETING:
            kwargs["attendees"] = list(data.get("attendees") or [])
        kwargs["tags"] = data["tags"]
        kwargs["custom_fields"] = self.custom_values()
        return kwargs
