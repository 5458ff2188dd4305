"""What happens as a case nears or misses its SLA: its assignee is told (one e-mail per person
and round, listing their cases), and on a breach the policy may name someone to take it over."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from clientela.core import events

from ..models import Case
from . import cases


def escalate_breached(case_ids):
    """Reassign each of ``case_ids`` (cases that have just breached) to its policy's
    ``escalate_to``, recorded in the case's history as an automatic change. Returns the ids
    reassigned."""
    moved = []
    breached = Case.objects.filter(pk__in=case_ids, sla_policy__escalate_to__isnull=False)
    for case in breached.select_related("sla_policy__escalate_to"):
        person = case.sla_policy.escalate_to
        if person.is_active and case.owner_id != person.pk:
            cases.assign_case(case, actor=None, owner=person)
            moved.append(case.pk)
    return moved


def alert_assignees(warned, breached):
    """E-mail each active assignee (with an address) their cases now due soon or breached,
    and publish ``case.sla_alerts`` (the bell's notifications); returns the number of e-mails
    sent."""
    if warned or breached:
        events.publish("case.sla_alerts", warned=list(warned), breached=list(breached), actor=None)
    found = Case.objects.filter(pk__in=[*warned, *breached]).select_related("owner")
    per_person = defaultdict(lambda: {"warned": [], "breached": []})
    breached = set(breached)
    for case in found.order_by("next_due", "id"):
        person = case.owner
        if person is None or not person.is_active or not person.email:
            continue
        per_person[person]["breached" if case.pk in breached else "warned"].append(case)
    for person, lists in per_person.items():
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {
                "person": person,
                "breached": _with_links(lists["breached"]),
                "warned": _with_links(lists["warned"]),
            }
            subject = render_to_string("support/email/sla_alert_subject.txt", context).strip()
            body = render_to_string("support/email/sla_alert.txt", context)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]).send()
    return len(per_person)


def _with_links(found):
    """``(case, address of its page)`` (a full address when ``BASE_URL`` is set)."""
    base = settings.BASE_URL.rstrip("/")
    return [(case, base + reverse("support:case_detail", args=[case.pk])) for case in found]
