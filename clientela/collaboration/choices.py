from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    CUSTOMER = "customer", _("Visible to the customer")


class FollowReason(models.TextChoices):
    MANUAL = "manual", pgettext_lazy("follow reason", "Followed")
    OWNER = "owner", pgettext_lazy("follow reason", "Owner")
    MENTIONED = "mentioned", pgettext_lazy("follow reason", "Mentioned")
    COMMENTED = "commented", pgettext_lazy("follow reason", "Commented")
    HANDED_OVER = "handoff", pgettext_lazy("follow reason", "Handed it over")


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentions")
    COMMENT = "comment", _("Comments on followed records")
    ASSIGNMENT = "assignment", _("Assignments")
    HANDOFF = "handoff", _("Handoffs")
    SLA_WARNING = "sla_warning", _("SLA warnings")
    RECORD_CHANGED = "record_changed", _("Changes to followed records")
    FEEDBACK = "feedback", _("Customer feedback")
    # Not a notification: what happened to one's records, in the daily digest when chosen.
    RECORDS_SUMMARY = "records_summary", _("What happened to my records (in the digest)")


class Delivery(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail at once")
    DIGEST = "digest", _("In the app and in the daily digest")
    OFF = "off", _("Not at all")


class FeedVerb(models.TextChoices):
    """What happened to a record, as its feed entry says it."""

    CREATED = "created", pgettext_lazy("feed", "created")
    UPDATED = "updated", pgettext_lazy("feed", "changed")
    TRASHED = "trashed", pgettext_lazy("feed", "moved to the trash")
    RESTORED = "restored", pgettext_lazy("feed", "restored")
    ACTIVITY = "activity", pgettext_lazy("feed", "logged an activity on")
    COMMENT = "comment", pgettext_lazy("feed", "commented on")
    HANDOFF = "handoff", pgettext_lazy("feed", "handed over")
    FEEDBACK = "feedback", pgettext_lazy("feed", "received feedback on")


class SurveyKind(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    QUESTIONS = "questions", _("Questions only")


class SurveyTrigger(models.TextChoices):
    MANUAL = "manual", _("Sent by hand or shared as a link")
    CASE_RESOLVED = "case.resolved", _("After a case is resolved")
    PURCHASE = "purchase.created", _("After a purchase")


class Sentiment(models.TextChoices):
    """What an answer says: NPS 0–6 / CSAT 1–2 detractor, NPS 9–10 / CSAT 5 promoter."""

    DETRACTOR = "detractor", _("Detractor")
    PASSIVE = "passive", _("Passive")
    PROMOTER = "promoter", _("Promoter")
