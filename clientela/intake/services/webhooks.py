"""Webhooks: their definitions, and what an authentic call does.

A phone system's call is logged on the timeline of the contact whose number called (or was
called), a new contact being made for a number nobody has. A lead — a Facebook or Instagram
Lead Ads lead (``field_data``) or any JSON — goes the way of every lead (``leads``). Calls are
signed (HMAC-SHA256 of the body with the webhook's secret); one sent twice with the same id is
done once. Every authentic call is kept with its outcome, so errors can be seen and fixed.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.activities.choices import CallOutcome, Direction
from clientela.contacts.choices import SourceChannel
from clientela.core.models import User
from clientela.core.validators import normalize_phone

from ..choices import DeliveryStatus, WebhookKind
from ..models import Webhook, WebhookDelivery
from . import leads

MAX_MAPPING = 100
# The usual names of lead fields (Facebook Lead Ads' standard questions among them); a
# webhook's own mapping comes on top.
LEAD_KEYS = {
    "email": "email",
    "e-mail": "email",
    "phone": "phone",
    "phone_number": "phone",
    "first_name": "first_name",
    "last_name": "last_name",
    "company": "company",
    "company_name": "company",
    "job_title": "job_title",
    "city": "city",
    "state": "region",
    "province": "region",
    "region": "region",
    "zip_code": "postcode",
    "post_code": "postcode",
    "postcode": "postcode",
    "country": "country",
    "message": "notes",
    "notes": "notes",
}
OUTCOMES = {
    "answered": CallOutcome.CONNECTED,
    "completed": CallOutcome.CONNECTED,
    "connected": CallOutcome.CONNECTED,
    "no_answer": CallOutcome.NO_ANSWER,
    "no-answer": CallOutcome.NO_ANSWER,
    "missed": CallOutcome.NO_ANSWER,
    "busy": CallOutcome.BUSY,
    "voicemail": CallOutcome.VOICEMAIL,
}
MAX_CALL_SECONDS = 24 * 3600
DEFAULT_SOURCES = {WebhookKind.CALL: SourceChannel.PHONE, WebhookKind.LEAD: SourceChannel.SOCIAL}
ID_KEYS = ("id", "call_id", "leadgen_id")


# --- definitions ---------------------------------------------------------------------------------


@transaction.atomic
def create_webhook(*, actor, name, kind, source="", mapping=None, active=True):
    webhook = Webhook(
        name=(name or "").strip(),
        kind=kind,
        source=source
        or (SourceChannel.PHONE if kind == WebhookKind.CALL else SourceChannel.SOCIAL),
        mapping=_clean_mapping(mapping),
        active=active,
        token=secrets.token_urlsafe(32),
        secret=secrets.token_hex(32),
    )
    webhook.full_clean(validate_constraints=False)
    webhook.save()
    return webhook


@transaction.atomic
def update_webhook(webhook, *, actor, **fields):
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if "mapping" in fields:
        fields["mapping"] = _clean_mapping(fields["mapping"])
    if fields.get("source") == "":
        fields["source"] = DEFAULT_SOURCES[webhook.kind]
    for name, value in fields.items():
        setattr(webhook, name, value)
    webhook.full_clean(validate_constraints=False)
    webhook.save()
    return webhook


@transaction.atomic
def delete_webhook(webhook, *, actor):
    """Remove a webhook and its log of calls; what the calls logged stays on the timelines."""
    webhook.delete()


@transaction.atomic
def new_secret(webhook, *, actor):
    """Replace the signing secret (when the old one may have leaked)."""
    webhook.secret = secrets.token_hex(32)
    webhook.save(update_fields=["secret"])
    return webhook


def _clean_mapping(mapping):
    mapping = mapping or {}
    if not isinstance(mapping, dict) or len(mapping) > MAX_MAPPING:
        raise ValidationError({"mapping": [_("At most %(n)d keys.") % {"n": MAX_MAPPING}]})
    cleaned, errors = {}, []
    for key, target in mapping.items():
        key, target = str(key).strip()[:200], str(target).strip()
        if not leads.is_target(target):
            errors.append(_("“%(name)s” is not a field a lead can fill.") % {"name": target})
        elif key:
            cleaned[key] = target
    if errors:
        raise ValidationError({"mapping": errors})
    return cleaned


# --- calls ---------------------------------------------------------------------------------------


def signature_is_valid(webhook, body, header):
    """``header`` is ``sha256=<hex>`` (GitHub's and Facebook's form) or the bare hex digest."""
    expected = hmac.new(webhook.secret.encode(), body, hashlib.sha256).hexdigest()
    given = (header or "").strip().removeprefix("sha256=")
    return hmac.compare_digest(expected, given)


def receive(webhook, payload):
    """Do what an authentic call to ``webhook`` asks; returns its ``WebhookDelivery``, whose
    status says whether it was done, refused (with ``errors``) or a repeat."""
    if not isinstance(payload, dict):
        return _refused(webhook, payload, {"payload": [_("Send a JSON object.")]})
    handle = _call if webhook.kind == WebhookKind.CALL else _lead
    external_id = str(
        payload.get("id") or payload.get("call_id") or payload.get("leadgen_id") or ""
    )
    external_id = external_id[:200]
    if external_id and _done(webhook, external_id):
        return _repeat(webhook, payload, external_id)
    try:
        with transaction.atomic():
            contact = handle(webhook, payload)
            return WebhookDelivery.objects.create(
                webhook=webhook,
                external_id=external_id,
                status=DeliveryStatus.DONE,
                payload=payload,
                contact=contact,
            )
    except ValidationError as error:
        return _refused(webhook, payload, error.message_dict, external_id)
    except IntegrityError:  # the same call, done meanwhile by another process
        return _repeat(webhook, payload, external_id)


def _done(webhook, external_id):
    return webhook.deliveries.filter(external_id=external_id, status=DeliveryStatus.DONE).first()


def _repeat(webhook, payload, external_id):
    earlier = _done(webhook, external_id)
    return WebhookDelivery.objects.create(
        webhook=webhook,
        external_id=external_id,
        status=DeliveryStatus.DUPLICATE,
        payload=payload,
        contact=earlier.contact if earlier else None,
    )


def _refused(webhook, payload, errors, external_id=""):
    return WebhookDelivery.objects.create(
        webhook=webhook,
        external_id=external_id,
        status=DeliveryStatus.REFUSED,
        errors=errors,
        payload=payload if isinstance(payload, dict) else {"payload": payload},
    )


def _call(webhook, payload):
    direction = (
        Direction.OUTBOUND
        if str(payload.get("direction", "")).lower().startswith(("out", "saliente", "sortint"))
        else Direction.INBOUND
    )
    their_key = "to" if direction == Direction.OUTBOUND else "from"
    try:
        number = normalize_phone(payload.get(their_key))
    except ValidationError as error:
        raise ValidationError({their_key: error.messages}) from error
    duration = payload.get("duration", 0) or 0
    if type(duration) is not int or not 0 <= duration <= MAX_CALL_SECONDS:  # not True either
        raise ValidationError({"duration": [_("Seconds, from 0 to 86400.")]})
    when = payload.get("started_at") or payload.get("timestamp")
    started = parse_datetime(when) if isinstance(when, str) else None
    if when and started is None:
        raise ValidationError({"started_at": [_("Use an ISO 8601 date and time.")]})
    if started and timezone.is_naive(started):
        started = timezone.make_aware(started)
    recording = str(payload.get("recording_url") or "")
    if recording and not recording.startswith(("https://", "http://")):
        raise ValidationError({"recording_url": [_("Use an http or https address.")]})
    contact, _created = leads.upsert_contact(
        {"phone": number},
        source=webhook.source,
        source_detail=webhook.name,
        language=settings.LANGUAGE_CODE[:2],
    )
    agent_email = str(payload.get("agent") or "").strip()[:254]
    agent = (
        User.objects.filter(email__iexact=agent_email, is_active=True).order_by("id").first()
        if agent_email
        else None  # users without an address must not pass for the agent
    )
    subject = (
        _("Call to %(number)s") if direction == Direction.OUTBOUND else _("Call from %(number)s")
    ) % {"number": number}
    body = _("Recording: %(link)s") % {"link": recording[:2000]} if recording else ""
    activity_services.log_activity(
        actor=None,
        kind="call",
        subject=subject,
        body=body,
        contact=contact,
        owner=agent or contact.owner,
        team=contact.team,
        direction=direction,
        duration_seconds=duration,
        outcome=OUTCOMES.get(str(payload.get("status", "")).lower(), ""),
        timeline_at=started or timezone.now(),
    )
    return contact


# --- leads ---------------------------------------------------------------------------------------


def lead_fields(webhook, payload):
    """The payload as ``target -> text``: Lead Ads' ``field_data`` list or any JSON object
    (nested objects read as ``outer.inner``), keys renamed by the usual names and the
    webhook's mapping; ``full_name`` split into first and last name."""
    if isinstance(payload.get("field_data"), list):
        flat = {
            str(item.get("name")): ", ".join(map(str, item.get("values") or []))
            for item in payload["field_data"]
            if isinstance(item, dict)
        }
    else:
        flat = dict(_flatten(payload))
    names = {**LEAD_KEYS, **webhook.mapping}
    fields = {}
    for key, value in flat.items():
        last = key.rsplit(".", 1)[-1].lower()  # "contact.email" is an e-mail address too
        target = names.get(key) or names.get(key.lower()) or names.get(last)
        if target and value and target not in fields:
            fields[target] = value
    full_name = flat.get("full_name") or flat.get("name")
    if full_name and not (fields.get("first_name") or fields.get("last_name")):
        first, _sep, rest = str(full_name).strip().partition(" ")
        fields.update(first_name=first, last_name=rest)
    return fields


def _flatten(data, prefix="", depth=0):
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 3:
            yield from _flatten(value, f"{name}.", depth + 1)
        elif isinstance(value, list):
            yield name, ", ".join(str(v) for v in value if not isinstance(v, (dict, list)))
        elif value is not None:
            yield name, str(value)


def _lead(webhook, payload):
    fields = lead_fields(webhook, payload)
    if not fields:
        raise ValidationError({"payload": [_("No lead fields in it.")]})
    values = leads.clean_values(fields)
    where = {"source": webhook.source, "source_detail": webhook.name, "actor": None}
    contact, created = leads.upsert_contact(values, language=settings.LANGUAGE_CODE[:2], **where)
    leads.open_deal(
        contact,
        values,
        default_name=_("%(source)s: %(name)s") % {"source": webhook.name, "name": contact},
        **where,
    )
    activity_services.log_activity(
        actor=None,
        kind="note",
        subject=_("Lead from “%(source)s”") % {"source": webhook.name},
        body="\n".join(f"{key}: {value}" for key, value in fields.items()),
        contact=contact,
        owner=contact.owner,
        team=contact.team,
    )
    leads.tell_owner(contact, created, webhook.name)
    return contact
