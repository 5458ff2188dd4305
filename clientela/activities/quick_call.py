"""Quick call logging: a one-step form beside each phone of a contact, company or deal page.

The form validates input (outcome, minutes, note, follow-up date); ``services.log_call`` writes
the call, and the follow-up task when a date is given, in one transaction.
"""

import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.contacts.models import Company, Contact, ContactPhone
from clientela.core import permissions
from clientela.core.prefetch import related
from clientela.core.validators import format_phone
from clientela.sales.models import Deal

from .choices import CallOutcome
from .services import LATEST, MAX_DURATION_SECONDS

LINKS = {"contact": Contact, "company": Company, "deal": Deal}
DETAIL_URLS = {
    "contact": "contacts:contact_detail",
    "company": "contacts:company_detail",
    "deal": "sales:deal_detail",
}
FOLLOW_UP_TIME = datetime.time(9, 0)  # a follow-up date is due at 9:00 that day
MAX_NOTE = 5000


class QuickCallForm(forms.Form):
    contact = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    company = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    deal = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    number = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, initial=CallOutcome.CONNECTED
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=0,
        max_value=MAX_DURATION_SECONDS // 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_on = forms.DateField(
        label=_("Follow-up task on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: a task for you, due that day."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_follow_up_on(self):
        day = self.cleaned_data.get("follow_up_on")
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        if day >= LATEST.date():
            raise forms.ValidationError(_("Choose a day before 2200."))
        return day

    def clean(self):
        data = super().clean()
        self.records = {}
        for name, model in LINKS.items():
            pk = data.get(name)
            if pk is None:
                continue
            found = permissions.visible(self.user, model.objects.filter(pk=pk)).first()
            if found is None:
                raise forms.ValidationError(_("The record of this call is not found."))
            self.records[name] = found
        if not self.records:
            raise forms.ValidationError(_("Say which record the call is about."))
        return data

    def about(self):
        """The page's record: the deal, else the company, else the contact."""
        return next(self.records[n] for n in ("deal", "company", "contact") if n in self.records)

    def about_url(self):
        name = next(n for n in ("deal", "company", "contact") if n in self.records)
        return reverse(DETAIL_URLS[name], args=[self.records[name].pk])

    def service_kwargs(self):
        data = self.cleaned_data
        number = data.get("number") or ""
        subject = (
            _("Call to %(number)s") % {"number": format_phone(number)} if number else _("Call")
        )
        minutes = data.get("duration_minutes")
        kwargs = {
            **self.records,
            "subject": str(subject),
            "outcome": data["outcome"],
            "direction": "out",
            "duration_seconds": None if minutes is None else minutes * 60,
            "body": data["note"],  # plain text; the service sanitises it
        }
        day = data.get("follow_up_on")
        if day is not None:
            kwargs["follow_up_at"] = _due(day)
            name = self.records.get("contact") or self.about()
            subject = _("Follow up the call with %(name)s") % {"name": name}
            kwargs["follow_up_subject"] = str(subject)
        return kwargs


def _due(day):
    """9:00 that day, or (today, after 9:00) the next full hour."""
    due = timezone.make_aware(datetime.datetime.combine(day, FOLLOW_UP_TIME))
    now = timezone.now()
    if due < now:
        due = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    return due


def targets(record, user):
    """``[(contact or None, number)]``: the numbers to call from ``record``'s page. A deal
    offers the phones of its contacts the user may see; a record without phones gets one form
    (no number)."""
    if isinstance(record, Deal):
        people = permissions.visible(user, Contact.objects.filter(deal_links__deal=record))
        phones = ContactPhone.objects.filter(contact__in=people).select_related("contact")
        found = [(p.contact, p.number) for p in phones.order_by("contact_id", "-is_primary", "id")]
    else:
        found = [(None, p.number) for p in related(record, "phones")]
    return found or [(None, "")]


def link_name(record):
    return next(name for name, model in LINKS.items() if isinstance(record, model))
