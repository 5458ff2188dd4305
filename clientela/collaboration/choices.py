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


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentions")
    COMMENT = "comment", _("Comments on followed records")
    ASSIGNMENT = "assignment", _("Assignments")
    HANDOFF = "handoff", _("Handoffs")
    SLA_WARNING = "sla_warning", _("SLA warnings")
    RECORD_CHANGED = "record_changed", _("Changes to followed records")
    FEEDBACK = "feedback", _("Customer feedback")


class Delivery(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail at once")
    DIGEST = "digest", _("In the app and in the daily digest")
    OFF = "off", _("Not at all")
