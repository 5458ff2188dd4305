"""The recipients' rows as a work queue shared by every sender.

A sender claims a batch for ``LEASE`` (status ``claimed``, its name, a deadline). The claim is
one short transaction: rows locked by another sender are skipped on PostgreSQL, and SQLite
runs write transactions one at a time. A row whose lease ran out goes back to the queue —
its sender died or stalled before the message was recorded as sent; ``sending`` only
succeeds for the sender that still holds the row, so a stalled sender cannot send it too.
"""

import contextlib
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..choices import RecipientStatus
from ..models import CampaignRecipient

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5
MAX_ERROR = 500


def claim(campaign_id, sender, size, *, now=None):
    """Claim up to ``size`` waiting recipients (lowest ids first) for ``sender``."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = CampaignRecipient.objects.filter(
            campaign_id=campaign_id, status=RecipientStatus.QUEUED
        ).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        ids = list(waiting.values_list("id", flat=True)[:size])
        if not ids:
            return []
        CampaignRecipient.objects.filter(id__in=ids).update(
            status=RecipientStatus.CLAIMED,
            claimed_by=sender,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    return list(
        CampaignRecipient.objects.filter(id__in=ids, claimed_by=sender)
        .select_related("contact__company", "contact__owner")
        .order_by("id")
    )


def requeue_expired(campaign_id=None, *, now=None):
    """Put back in the queue the rows whose lease ran out; returns how many."""
    rows = CampaignRecipient.objects.filter(
        status=RecipientStatus.CLAIMED, lease_until__lt=now or timezone.now()
    )
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    return rows.update(status=RecipientStatus.QUEUED, claimed_by="", lease_until=None)


@contextlib.contextmanager
def sending(recipient_id, sender, message_id):
    """Record the message as sent if ``sender`` still holds the row (the block is told
    whether it does), in a transaction committed as the block ends. The block writes the
    final dot: the commit follows it with nothing to wait for in between (see decisions)."""
    with transaction.atomic(durable=True):
        yield bool(
            CampaignRecipient.objects.filter(
                id=recipient_id, status=RecipientStatus.CLAIMED, claimed_by=sender
            ).update(
                status=RecipientStatus.SENT,
                sent_at=timezone.now(),
                message_id=message_id,
                lease_until=None,
                error="",
            )
        )


def mark_failed(recipient_id, error):
    """The message will not be sent (a permanent refusal, or too many tries)."""
    CampaignRecipient.objects.filter(id=recipient_id).update(
        status=RecipientStatus.FAILED, sent_at=None, lease_until=None, error=str(error)[:MAX_ERROR]
    )


def retry_later(recipient, error, *, delay, now=None):
    """Try again after ``delay`` (a temporary refusal): the row stays claimed by nobody until
    the delay is over, then ``requeue_expired`` puts it back. After ``MAX_ATTEMPTS`` it fails."""
    if recipient.attempts >= MAX_ATTEMPTS:
        mark_failed(recipient.pk, error)
        return
    CampaignRecipient.objects.filter(id=recipient.pk).update(
        status=RecipientStatus.CLAIMED,
        claimed_by="",
        sent_at=None,
        lease_until=(now or timezone.now()) + delay,
        error=str(error)[:MAX_ERROR],
    )


def release(recipient_ids, sender):
    """Give back rows this sender claimed but did not get to (the connection broke)."""
    CampaignRecipient.objects.filter(
        id__in=recipient_ids, status=RecipientStatus.CLAIMED, claimed_by=sender
    ).update(
        status=RecipientStatus.QUEUED,
        claimed_by="",
        lease_until=None,
        attempts=F("attempts") - 1,
    )


def in_hand(campaign_id):
    """Whether any recipient waits, or is held by a sender (alive, or dead until its lease
    runs out) — not counting those waiting to be tried again later."""
    return (
        CampaignRecipient.objects.filter(campaign_id=campaign_id)
        .filter(
            Q(status=RecipientStatus.QUEUED)
            | (Q(status=RecipientStatus.CLAIMED) & ~Q(claimed_by=""))
        )
        .exists()
    )


def unfinished(campaign_id):
    """Whether any recipient still waits or is being sent."""
    return CampaignRecipient.objects.filter(
        campaign_id=campaign_id, status__in=[RecipientStatus.QUEUED, RecipientStatus.CLAIMED]
    ).exists()


def held(campaign_id, *, now=None):
    """Whether a sender holds rows of the campaign under a running lease (it is alive, or
    died less than ``LEASE`` ago)."""
    return (
        CampaignRecipient.objects.filter(
            campaign_id=campaign_id,
            status=RecipientStatus.CLAIMED,
            lease_until__gte=now or timezone.now(),
        )
        .exclude(claimed_by="")
        .exists()
    )
