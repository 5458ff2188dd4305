"""Inbound webhooks: phone systems and lead sources posting JSON."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel

from ..choices import DeliveryStatus, WebhookKind


class Webhook(models.Model):
    """An address another system posts JSON to: a phone system telling of calls, or an ads
    platform (Facebook and Instagram Lead Ads) or any tool sending leads. Each call is signed
    with ``secret`` (HMAC-SHA256 of the body); ``mapping`` says which payload key fills which
    contact field, on top of the usual names."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("receives"), max_length=4, choices=WebhookKind.choices)
    token = models.CharField(max_length=43, unique=True, editable=False)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source channel"), max_length=20, choices=SourceChannel.choices)
    mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One authentic call to a webhook and what came of it, so that errors can be seen and a
    call sent twice (same ``external_id``) is done once."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    external_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    errors = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(default=dict)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-received_at"], name="delivery_webhook_idx"),
            models.Index(fields=["webhook", "external_id"], name="delivery_external_idx"),
        ]
        constraints = [
            # What was done once is not done again, even when two copies arrive together.
            models.UniqueConstraint(
                fields=["webhook", "external_id"],
                condition=models.Q(status="done") & ~models.Q(external_id=""),
                name="delivery_done_once",
            )
        ]

    def __str__(self):
        return f"{self.webhook_id} #{self.pk}"
