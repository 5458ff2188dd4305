"""Outgoing webhooks: create, change, delete, and their signing secret.

The address is checked when saved (``outgoing.guard``: http(s), no credentials, a host that
resolves to public addresses unless private ones are allowed) and again before every attempt.
The events are names of ``core.event_types``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.event_types import EVENTS
from clientela.core.models import User
from clientela.core.records import lock_current

from ..models import OutgoingWebhook
from ..models.webhooks import MAX_EVENTS
from ..outgoing import guard, signing
from . import interest

WEBHOOK_FIELDS = ("name", "url", "events", "active")


@transaction.atomic
def create_webhook(*, actor, name, url, events, active=True):
    """A new webhook with a new secret (``webhook.secret``, to give to the receiver)."""
    webhook = OutgoingWebhook(
        name=name,
        url=url,
        events=events,
        active=active,
        secret=signing.new_secret(),
        created_by=actor if isinstance(actor, User) and actor.pk else None,
    )
    _clean(webhook)
    webhook.save()
    interest.changed()
    return webhook


@transaction.atomic
def update_webhook(webhook, *, actor, expected_version=None, **fields):
    """Change a webhook; ``expected_version`` (an ``If-Match``) must be the stored version.
    Turning it back on clears the failure count and why it was turned off."""
    unknown = set(fields) - set(WEBHOOK_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    webhook = lock_current(OutgoingWebhook.objects, webhook, expected_version)
    was_active = webhook.active
    for name, value in fields.items():
        setattr(webhook, name, value)
    _clean(webhook, check_url="url" in fields)
    if webhook.active and not was_active:
        webhook.consecutive_failures, webhook.disabled_reason = 0, ""
    webhook.version += 1
    webhook.updated_at = timezone.now()
    webhook.save()
    interest.changed()
    return webhook


@transaction.atomic
@transaction.atomic
def delete_webhook(webhook, *, actor, expected_version=None):
    """Remove a webhook and its delivery log (what was sent stays with the receiver)."""
    lock_current(OutgoingWebhook.objects, webhook, expected_version).delete()
    interest.changed()


@transaction.atomic
def rotate_secret(webhook, *, actor):
    """A new signing secret (the old one may have leaked); the old one stops at once."""
    OutgoingWebhook.objects.filter(pk=webhook.pk).update(
        secret=signing.new_secret(), version=F("version") + 1, updated_at=timezone.now()
    )
    return OutgoingWebhook.objects.get(pk=webhook.pk)


def _clean(webhook, *, check_url=True):
    errors = {}
    webhook.name = " ".join(str(webhook.name or "").split())
    if not webhook.name:
        errors["name"] = [_("Give the webhook a name.")]
    elif len(webhook.name) > OutgoingWebhook._meta.get_field("name").max_length:
        errors["name"] = [_("At most 100 characters.")]
    webhook.url = str(webhook.url or "").strip()
    if check_url:
        try:
            guard.check(webhook.url)
        except guard.UnsafeTarget as error:
            errors["url"] = [str(error)]
    events = webhook.events
    if not isinstance(events, list | tuple) or not all(isinstance(e, str) for e in events):
        errors["events"] = [_("Give a list of event names.")]
    else:
        unknown = sorted({e for e in events if e not in EVENTS})[:10]
        if unknown:
            errors["events"] = [
                _("Unknown events: %(names)s.") % {"names": ", ".join(n[:60] for n in unknown)}
            ]
        elif not events:
            errors["events"] = [_("Choose at least one event.")]
        elif len(set(events)) > MAX_EVENTS:
            errors["events"] = [_("Too many events.")]
        else:
            webhook.events = [e for e in EVENTS if e in set(events)]  # catalogue order, once
    if not isinstance(webhook.active, bool):
        errors["active"] = [_("Use true or false.")]
    if errors:
        raise ValidationError(errors)
