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


class SequenceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ARCHIVED = "archived", _("Archived")


class SequenceTrigger(models.TextChoices):
    """What enrols a contact in a sequence (``manual``: only a person, the API or the
    workflow action "add to sequence")."""

    PURCHASE_MADE = "purchase_made", _("A purchase is recorded")
    FORM_SUBMITTED = "form_submitted", _("A web form is filled in")
    STAGE_CHANGED = "stage_changed", _("A deal changes stage")
    MANUAL = "manual", _("Only by hand, the API or a workflow rule")


class StepKind(models.TextChoices):
    EMAIL = "email", _("Send an e-mail")
    TASK = "task", _("Create a task")
    WAIT = "wait", _("Wait")
    BRANCH = "branch", _("Check a condition")


class BranchThen(models.TextChoices):
    """What a branch step does when the contact matches its rules (otherwise: go on)."""

    CONTINUE = "continue", _("Go on to the next step")
    EXIT = "exit", _("Leave the sequence")
    JUMP = "jump", _("Jump to step")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    EXITED = "exited", _("Left early")
    CANCELLED = "cancelled", _("Cancelled")


class ExitReason(models.TextChoices):
    REPLIED = "replied", _("Replied")
    PURCHASED = "purchased", _("Bought again")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    NO_CONSENT = "no_consent", _("No consent or no address to write to")
    BRANCH = "branch", _("A condition sent them out")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class StepOutcome(models.TextChoices):
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")
