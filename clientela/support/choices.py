from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Customer portal")
    SOCIAL = "social", _("Social media")
    CHAT = "chat", _("Chat")


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CaseStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    OPEN = "open", pgettext_lazy("case status", "Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


# Cases someone still has to work on (queues, SLA clocks); resolved ones may reopen.
ACTIVE_STATUSES = ("new", "open", "pending_customer", "on_hold")
# The SLA clocks stop while the customer has to answer.
PAUSED_STATUSES = ("pending_customer",)


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("From the customer")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    AUTOMATIC = "automatic", _("Automatic message")


class SlaState(models.TextChoices):
    NONE = "none", _("No SLA")
    ON_TRACK = "on_track", _("On track")
    PAUSED = "paused", _("Paused")
    WARNING = "warning", _("Due soon")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
