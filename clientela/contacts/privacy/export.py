"""A data-access export (GDPR Art. 15 and 20): everything held about one person, as JSON.

Read straight from the tables (not through the user's record scope): a request is answered
completely, which is why only roles allowed to handle privacy requests (all records in scope)
may ask for one. Each export is audited in ``PrivacyRequest``.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.models import ChangeRecord

from ..choices import PrivacyRequestKind
from ..models import ConsentRecord, Contact, ContactEmail, ContactPhone, Employment
from .audit import audit_request, clean_reason

FORMAT_VERSION = 1
_INTERNAL = {"sort_name", "version", "owner", "team", "tags", "custom_fields", "company"}


@transaction.atomic
def export_contact_data(contact, *, actor, reason=""):
    """``(data, audit)``: everything held about ``contact`` as JSON-ready values, and the
    ``PrivacyRequest`` recording who exported it and why."""
    reason = clean_reason(reason)
    contact = Contact.all_objects.get(pk=contact.pk)
    if contact.anonymised_at is not None:
        raise ValidationError(_("This contact was anonymised: nothing personal is left."))
    data = contact_data(contact)
    audit = audit_request(
        PrivacyRequestKind.ACCESS_EXPORT,
        contact.pk,
        actor=actor,
        reason=reason,
        outcome={k: len(v) for k, v in data.items() if isinstance(v, list)},
    )
    data["export"] = {"request": audit.pk, "format_version": FORMAT_VERSION}
    return data, audit


def contact_data(contact):
    return {
        "exported_at": timezone.now().isoformat(),
        "contact": _contact_fields(contact),
        "emails": list(
            ContactEmail.objects.filter(contact=contact).values("email", "kind", "is_primary")
        ),
        "phones": list(
            ContactPhone.objects.filter(contact=contact).values("number", "kind", "is_primary")
        ),
        "custom_fields": dict(contact.custom_fields or {}),
        "tags": sorted(contact.tags.values_list("name", flat=True)),
        "company_links": list(
            Employment.objects.filter(contact=contact).values(
                "company__name", "role", "is_current", "started_on", "ended_on"
            )
        ),
        "activities": _activities(contact),
        "deals": _deals(contact),
        "purchases": _purchases(contact),
        "form_submissions": _submissions(contact),
        "lead_deliveries": _deliveries(contact),
        "consents": _consents(contact),
        "history": _history(contact),
    }


def _contact_fields(contact):
    fields = {"id": contact.pk}
    for field in contact._meta.concrete_fields:
        if field.primary_key or field.name in _INTERNAL:
            continue
        fields[field.name] = field.value_from_object(contact)
    fields["company"] = contact.company.name if contact.company_id else ""
    fields["owner"] = str(contact.owner) if contact.owner_id else ""
    return fields


def _activities(contact):
    from clientela.activities.models import Activity

    rows = Activity.all_objects.filter(contact=contact) | Activity.all_objects.filter(
        attendee_contacts=contact
    )
    return list(
        rows.distinct()
        .order_by("timeline_at", "id")
        .values(
            "id",
            "kind",
            "subject",
            "body",
            "timeline_at",
            "direction",
            "duration_seconds",
            "outcome",
            "starts_at",
            "ends_at",
            "place",
            "from_address",
            "to_addresses",
            "due_at",
            "done_at",
        )
    )


def _deals(contact):
    from clientela.sales.models import DealContact

    return list(
        DealContact.objects.filter(contact=contact)
        .order_by("deal_id")
        .values(
            "role",
            "deal__name",
            "deal__amount",
            "deal__currency",
            "deal__status",
            "deal__stage__name",
            "deal__created_at",
            "deal__closed_at",
        )
    )


def _purchases(contact):
    from clientela.sales.models import Purchase, PurchaseItem

    purchases = list(
        Purchase.all_objects.filter(contact=contact)
        .order_by("purchased_at", "id")
        .values(
            "id",
            "number",
            "purchased_at",
            "channel",
            "status",
            "currency",
            "net_amount",
            "tax_amount",
            "total_amount",
            "note",
        )
    )
    items = {}
    for item in PurchaseItem.objects.filter(purchase_id__in=[p["id"] for p in purchases]).values(
        "purchase_id", "description", "sku", "quantity", "unit_price"
    ):
        items.setdefault(item.pop("purchase_id"), []).append(item)
    for purchase in purchases:
        purchase["items"] = items.get(purchase["id"], [])
    return purchases


def _submissions(contact):
    from clientela.intake.models import FormSubmission

    return list(
        FormSubmission.objects.filter(contact=contact)
        .order_by("created_at", "id")
        .values("id", "form__name", "data", "context", "created_at")
    )


def _deliveries(contact):
    from clientela.intake.models import WebhookDelivery

    return list(
        WebhookDelivery.objects.filter(contact=contact)
        .order_by("received_at", "id")
        .values("id", "webhook__name", "payload", "received_at")
    )


def _consents(contact):
    return [
        {
            "purpose": record.purpose,
            "action": record.action,
            "lawful_basis": record.lawful_basis,
            "recorded_at": record.recorded_at,
            "source": record.source,
            "text": record.text.text if record.text_id else "",
            "text_version": record.text.version if record.text_id else None,
            "ip_address": record.ip_address,
            "user_agent": record.user_agent,
            "form_submission": record.form_submission_id,
            "note": record.note,
        }
        for record in ConsentRecord.objects.filter(contact=contact)
        .select_related("text")
        .order_by("id")
    ]


def _history(contact):
    return list(
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_id=contact.pk
        )
        .order_by("id")
        .values("created_at", "action", "source", "changes")
    )


class ExportEncoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as text."""


def export_filename(contact):
    return f"contact-{contact.pk}-data.json"
