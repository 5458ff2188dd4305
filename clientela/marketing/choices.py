from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Social media")
    EVENT = "event", _("Event")
    ADS = "ads", _("Advertising")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    ACTIVE = "active", _("Running")
    PAUSED = "paused", _("Paused")
    SENT = "sent", _("Sent")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class RecipientStatus(models.TextChoices):
    """Where one message of a campaign is. ``claimed`` rows were never handed to the mail
    server; ``sent`` is written just before the message's final dot (see ``sending.smtp``)."""

    QUEUED = "queued", _("Waiting")
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class EngagementKind(models.TextChoices):
    OPEN = "open", _("Opened")
    CLICK = "click", _("Clicked")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
    BOUNCE = "bounce", _("Bounced")
    SOFT_BOUNCE = "soft_bounce", _("Delivery delayed")
    COMPLAINT = "complaint", _("Marked as spam")


class SuppressionReason(models.TextChoices):
    BOUNCE = "bounce", _("The address does not exist")
    COMPLAINT = "complaint", _("Marked our e-mail as spam")
    MANUAL = "manual", _("Added by hand")


class LeadSource(models.TextChoices):
    FORM = "form", _("Web form with the campaign's tag")
    MANUAL = "manual", _("Added by hand")
    IMPORT = "import", _("Imported")


class TemplatePurpose(models.TextChoices):
    NEWSLETTER = "newsletter", _("Newsletter")
    FOLLOW_UP = "follow_up", _("Follow-up")
    TRANSACTIONAL = "transactional", _("Transactional")


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("HTML")


class PointsKind(models.TextChoices):
    """Why a loyalty account's points changed (one ledger line each)."""

    PURCHASE = "purchase", _("Purchase")
    REVERSAL = "reversal", _("Purchase refunded or cancelled")
    REDEMPTION = "redemption", _("Reward redeemed")
    ADJUSTMENT = "adjustment", _("Adjustment")
    EXPIRY = "expiry", _("Points expired")


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (rules)")
    STATIC = "static", _("Static list")


class SegmentEntity(models.TextChoices):
    CONTACT = "contact", _("Contacts")
