"""Webhook deliveries: made from domain events, sent by jobs, retried with back-off, logged.

After an event's commit, ``queue_event`` records one delivery per active webhook listening to it
(the record serialised once) and enqueues a job per delivery. ``deliver`` claims the delivery
with a conditional UPDATE (a lease), so two workers never send it at once, posts it and records
the outcome: delivered, or failed with the next try set by ``RETRY_DELAYS`` (with jitter), or
given up after ``MAX_ATTEMPTS``. The sweep (``send_due``, every minute) sends what is due.
A crash between the claim and the outcome leaves the lease to lapse and the delivery is sent
again: receivers get each event at least once and recognise repeats by ``Clientela-Delivery``.
"""

import datetime
import logging
import random
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core import events

from ..choices import TO_SEND, DeliveryStatus
from ..models import OutgoingWebhook, WebhookDelivery
from ..models.webhooks import MAX_ERROR, MAX_RESPONSE_EXCERPT
from ..outgoing import payloads, sender, signing
from . import interest

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd... failed attempt; the attempt after the last wait is the last one.
RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=12),
    datetime.timedelta(hours=24),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # 8
JITTER = 0.1  # each wait is up to 10 % longer or shorter, so retries do not come in waves
LEASE = datetime.timedelta(seconds=sender.TOTAL_TIMEOUT * 6)  # a sender's claim lapses after
DISABLE_AFTER = 50  # failed attempts in a row (across deliveries) turn a webhook off
SWEEP_BATCH = 500


# --- from events to deliveries --------------------------------------------------------------------


@events.subscribe("*", wants=interest.wants)
def queue_event(event, *, record, actor=None, changes=None, **_extra):
    """After an event's commit: a delivery for each active webhook listening to it."""
    if event not in interest.wanted_events():
        return []
    webhooks = [w for w in OutgoingWebhook.objects.filter(active=True) if event in w.events]
    if not webhooks:
        return []
    data = payloads.record_data(record)
    return _queue(webhooks, event, data, changes)


def queue_to(webhook, event, record, changes=None):
    """A delivery of ``event`` about ``record`` to ``webhook`` whatever events it listens to
    (a workflow rule's "call webhook" action)."""
    return _queue([webhook], event, payloads.record_data(record), changes)[0]


def send_test_event(webhook, *, actor):
    """A ``ping`` delivery to ``webhook`` (sent even while it is off), to try the receiver."""
    data = {
        "webhook": {"id": webhook.pk, "name": webhook.name},
        "message": "Clientela says hello: this is a test delivery.",
    }
    return _queue([webhook], payloads.PING, data, None)[0]


@transaction.atomic
def _queue(webhooks, event, data, changes):
    now = timezone.now()
    deliveries = []
    for webhook in webhooks:
        event_id = uuid.uuid4()
        deliveries.append(
            WebhookDelivery(
                webhook=webhook,
                event=event,
                event_id=event_id,
                body=payloads.body(event_id, event, now, data, changes),
                created_at=now,
                next_attempt_at=now,
            )
        )
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _enqueue_after_commit(delivery.pk)
    return deliveries


def _enqueue_after_commit(delivery_pk):
    from .. import jobs

    transaction.on_commit(lambda: jobs.deliver_webhook.enqueue(delivery_pk))


# --- sending --------------------------------------------------------------------------------------


def unsigned_headers(delivery):
    """The request headers every attempt shares (``sender`` adds the User-Agent)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "Clientela-Event": delivery.event,
        "Clientela-Delivery": str(delivery.event_id),
    }


def headers(delivery, secret, timestamp=None):
    """The request headers of one attempt (the signature's time is the attempt's)."""
    signature = signing.header(secret, delivery.body.encode(), timestamp)
    return {**unsigned_headers(delivery), "Clientela-Signature": signature}


def claim(delivery_pk, now):
    """Take the delivery for one attempt if it is due, its webhook on (or it is a test) and
    nobody holds it; returns whether.

    The UPDATE's conditions are on the delivery's own columns only: with a join Django would
    write ``id IN (SELECT ...)``, which PostgreSQL does not check again once a concurrent claim
    commits, and both senders would win.
    """
    row = WebhookDelivery.objects.filter(pk=delivery_pk).values("event", "webhook__active")
    row = row.first()
    if row is None or not (row["webhook__active"] or row["event"] == payloads.PING):
        return False
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    return bool(
        WebhookDelivery.objects.filter(
            free, pk=delivery_pk, status__in=TO_SEND, next_attempt_at__lte=now
        ).update(locked_until=now + LEASE, attempts=F("attempts") + 1, last_attempt_at=now)
    )


def deliver(delivery_pk, *, now=None):
    """One attempt at delivery ``delivery_pk`` (the job's work). Returns ``"succeeded"``,
    ``"failed"``, ``"gave_up"`` or ``"skipped"`` (not due, done, held by another sender, or its
    webhook is off)."""
    now = now or timezone.now()
    if not claim(delivery_pk, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_pk)
    webhook = delivery.webhook
    outcome = sender.post(webhook.url, delivery.body.encode(), headers(delivery, webhook.secret))
    return _record(delivery, outcome, now)


@transaction.atomic
def _record(delivery, outcome, now):
    if outcome.ok:
        status, next_attempt = DeliveryStatus.SUCCEEDED, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        status, next_attempt = DeliveryStatus.GAVE_UP, None
    else:
        status, next_attempt = DeliveryStatus.FAILED, now + retry_delay(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        next_attempt_at=next_attempt,
        locked_until=None,
        response_status=outcome.status,
        response_excerpt=outcome.body[:MAX_RESPONSE_EXCERPT].decode("utf-8", "replace"),
        last_error=outcome.error[:MAX_ERROR],
        duration_ms=outcome.duration_ms,
        delivered_at=now if outcome.ok else None,
    )
    if delivery.event != payloads.PING:  # a test of the receiver says nothing of its health
        _count(delivery.webhook, outcome.ok, now)
    return status


def retry_delay(attempts):
    """The wait after ``attempts`` failed attempts, give or take ``JITTER``."""
    base = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (not a secret)


def _count(webhook, ok, now):
    webhooks = OutgoingWebhook.objects.filter(pk=webhook.pk)
    if ok:
        webhooks.update(consecutive_failures=0, last_success_at=now)
        return
    webhooks.update(consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("%(n)d attempts in a row failed.") % {"n": DISABLE_AFTER}
    turned_off = webhooks.filter(active=True, consecutive_failures__gte=DISABLE_AFTER).update(
        active=False, disabled_reason=reason, version=F("version") + 1, updated_at=now
    )
    if turned_off:
        interest.changed()
        logger.warning("webhook turned off after failures", extra={"webhook": webhook.pk})
        _tell_creator(webhook, reason)


def _tell_creator(webhook, reason):
    """E-mail whoever created the webhook, in their language, once the change is committed."""
    user = webhook.created_by
    if user is None or not user.email:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Webhook “%(name)s” was turned off") % {"name": webhook.name}
        body = _(
            "Clientela stopped sending events to %(url)s: %(reason)s Its deliveries wait in the "
            "log. Fix the receiver, turn the webhook back on and redeliver what it missed."
        ) % {"url": webhook.url, "reason": reason}
        if settings.BASE_URL:
            path = reverse("automation:webhook_detail", args=[webhook.pk])
            body += "\n\n" + settings.BASE_URL.rstrip("/") + path
    address = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address], fail_silently=True))


def send_due(now=None, *, limit=SWEEP_BATCH):
    """Enqueue a job for each delivery whose (re)try is due, oldest first; returns how many.
    A delivery enqueued twice is sent once: the job claims it."""
    from .. import jobs

    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            status__in=TO_SEND, next_attempt_at__lte=now, webhook__active=True
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    due = list(due)
    for pk in due:
        jobs.deliver_webhook.enqueue(pk)
    return len(due)


@transaction.atomic
def redeliver(delivery, *, actor):
    """Send a delivery again now (same id, same body, a new attempt), whatever came of it
    before; ``False`` while a sender holds it. It counts as one more attempt: one that gave up
    gives up again if this one fails too."""
    now = timezone.now()
    taken = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, locked_until=None, delivered_at=None
        )
    )
    if taken:
        _enqueue_after_commit(delivery.pk)
    return bool(taken)
