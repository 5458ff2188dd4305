"""Outgoing webhooks: addresses of other systems (a shop, an ERP) told of domain events, and the
log of every delivery with its outcome."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import DeliveryStatus

MAX_URL = 2000
MAX_EVENTS = 50
MAX_ERROR = 500
MAX_RESPONSE_EXCERPT = 2000


class OutgoingWebhook(models.Model):
    """An address Clientela POSTs JSON to when one of ``events`` happens, each delivery signed
    with ``secret`` (HMAC-SHA256). Turned off automatically (``disabled_reason`` says why) after
    too many failed attempts in a row; ``version`` is its ETag."""

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("address (URL)"), max_length=MAX_URL)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    disabled_reason = models.CharField(_("turned off because"), max_length=300, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("outgoing webhook")
        verbose_name_plural = _("outgoing webhooks")

    def __str__(self):
        return self.name

    @property
    def etag(self):
        return f'"{self.pk}-{self.version}"'


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook. ``body`` is the JSON exactly as sent, so
    every attempt carries the same bytes; ``event_id`` is its idempotency key (the
    ``Clientela-Delivery`` header), the same on every attempt and redelivery.

    A sender claims a delivery by setting ``locked_until`` with a conditional UPDATE, so two
    workers never send it at once; the claim lapses if the sender dies.
    """

    webhook = models.ForeignKey(
        OutgoingWebhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=60)
    event_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("request body"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)
    last_error = models.CharField(_("error"), max_length=MAX_ERROR, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # What the sweep looks for: deliveries to send whose moment has come.
            models.Index(fields=["status", "next_attempt_at"], name="outdelivery_due_idx"),
            # A webhook's log, newest first, whole or by status.
            models.Index(fields=["webhook", "-id"], name="outdelivery_log_idx"),
            models.Index(fields=["webhook", "status", "-id"], name="outdelivery_status_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook_id} #{self.pk}"
