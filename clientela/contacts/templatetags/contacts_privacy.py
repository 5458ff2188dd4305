"""``{% privacy_panel record %}``: the consent log and privacy actions on a contact's page."""

from django import template

from clientela.core import permissions

from ..choices import ConsentPurpose
from ..models import ConsentRecord, PrivacyRequest
from ..privacy import consent, links
from ..privacy.forms import ConsentRecordForm

register = template.Library()

SHOWN = 50


@register.inclusion_tag("contacts/_privacy_panel_body.html", takes_context=True)
def privacy_panel(context, contact):
    user = context["request"].user
    can_change = permissions.can_change_record(user, contact)
    log = list(
        ConsentRecord.objects.filter(contact=contact)
        .select_related("text", "recorded_by")
        .order_by("-id")[:SHOWN]
    )
    current = consent.current_consents(contact)
    anonymised = contact.anonymised_at is not None
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "record": contact,
        "log": log,
        "current": [
            {"purpose": ConsentPurpose(purpose).label, "code": purpose, "record": record}
            for purpose, record in sorted(current.items())
        ],
        "can_change": can_change and not anonymised,
        "can_handle_privacy": permissions.can_handle_privacy_requests(user),
        "anonymised": anonymised,
        "consent_form": ConsentRecordForm() if can_change and not anonymised else None,
        "withdrawal_url": links.withdrawal_url(contact) if can_change and not anonymised else "",
        "requests": PrivacyRequest.objects.filter(contact_id=contact.pk).select_related(
            "requested_by"
        )[:10],
    }
