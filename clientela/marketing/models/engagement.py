"""What recipients do with a campaign's e-mail, and the addresses no campaign writes to."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import EngagementKind, SuppressionReason
from .campaigns import Campaign, CampaignRecipient


class CampaignEvent(models.Model):
    """One open, click, unsubscription, bounce or complaint, when it happened (results over
    time, clicks per link, segments on engagement). The recipient row keeps the first of each."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    recipient = models.ForeignKey(
        CampaignRecipient, on_delete=models.CASCADE, related_name="events"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=12, choices=EngagementKind.choices)
    url = models.CharField(_("link"), max_length=2000, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "kind", "created_at"], name="campaignevent_kind_idx"),
            models.Index(
                fields=["contact", "kind", "created_at"], name="campaignevent_contact_idx"
            ),
        ]
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")

    def __str__(self):
        return f"{self.kind} {self.recipient_id}"


class Suppression(models.Model):
    """An address campaigns never write to again: it bounced for good, or its owner reported
    our e-mail as spam (or someone added it by hand)."""

    email = models.CharField(_("e-mail"), max_length=320, unique=True)
    reason = models.CharField(_("reason"), max_length=10, choices=SuppressionReason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return self.email
