"""The catalogue of domain events other systems may subscribe to (outgoing webhooks, workflow
rules): each event's name, what it means, and the record it carries.

The services publish them through ``core.events`` after commit, each with ``record`` (the
instance), ``actor`` (the user, or ``None`` for the system, a form or an import) and, for
changes, ``changes`` (``{field: [before, after]}``, as the history records them). Events not
listed here (``contact.restored``, ``campaign.updated``...) are published too but are internal.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class EventType:
    name: str
    label: str
    model: str  # "app_label.ModelName" of the record the event carries
    group: str  # what the event is about, to group the events in forms and docs


# The record each kind of event carries, and the heading its events are listed under.
RECORDS = {
    "contact": ("contacts.Contact", _("Contacts")),
    "company": ("contacts.Company", _("Companies")),
    "deal": ("sales.Deal", _("Deals")),
    "purchase": ("sales.Purchase", _("Purchases")),
    "case": ("support.Case", _("Cases")),
    "form": ("intake.FormSubmission", _("Web forms")),
    "activity": ("activities.Activity", _("Activities")),
}


def _event(name, label):
    model, group = RECORDS[name.partition(".")[0]]
    return EventType(name, label, model, group)


EVENT_TYPES = [
    _event("contact.created", _("A contact was created")),
    _event("contact.updated", _("A contact was changed")),
    _event("contact.deleted", _("A contact was moved to the trash")),
    _event("company.created", _("A company was created")),
    _event("company.updated", _("A company was changed")),
    _event("company.deleted", _("A company was moved to the trash")),
    _event("deal.created", _("A deal was created")),
    _event("deal.updated", _("A deal was changed")),
    _event("deal.deleted", _("A deal was moved to the trash")),
    _event("deal.stage_changed", _("A deal moved to another stage")),
    _event("deal.won", pgettext_lazy("event", "A deal was won")),
    _event("deal.lost", pgettext_lazy("event", "A deal was lost")),
    _event("purchase.created", _("A purchase was recorded")),
    _event("case.created", _("A case was opened")),
    _event("case.updated", _("A case was changed")),
    _event("case.status_changed", _("A case changed status")),
    _event("case.resolved", _("A case was resolved or closed")),
    _event("form.submitted", _("A web form was filled in")),
    _event("activity.created", _("An activity was logged (task, call, meeting, e-mail, note)")),
]
EVENTS = {event.name: event for event in EVENT_TYPES}


def grouped_choices():
    """``[(group, [(name, label), ...]), ...]`` in catalogue order, for grouped checkboxes."""
    groups = {}
    for event in EVENT_TYPES:
        groups.setdefault(event.group, []).append((event.name, event.label))
    return list(groups.items())
