from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordType(models.TextChoices):
    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")
    DEAL = "deal", _("Deals")


class Strategy(models.TextChoices):
    USER = "user", _("Always the same person")
    ROUND_ROBIN = "round_robin", _("Round robin within the team")
    WORKLOAD = "workload", _("Whoever in the team has the fewest")


class WebhookKind(models.TextChoices):
    CALL = "call", _("Phone calls")
    LEAD = "lead", _("Leads")


class DeliveryStatus(models.TextChoices):
    DONE = "done", _("Done")
    DUPLICATE = "duplicate", _("Already received")
    REFUSED = "refused", _("Refused")


class MailSecurity(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")


class MailStatus(models.TextChoices):
    CAPTURED = "captured", _("On a timeline")
    DUPLICATE = "duplicate", _("Already captured")
    UNMATCHED = "unmatched", _("No known contact")
    FAILED = "failed", _("Failed")


class MailSource(models.TextChoices):
    IMAP = "imap", _("Mailbox")
    SMTP = "smtp", _("Received by the listener")
    SENT = "sent", _("Sent from Clientela")
