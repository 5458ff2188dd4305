from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordType(models.TextChoices):
    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")
    DEAL = "deal", _("Deals")
    CASE = "case", _("Cases")


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


class ImportKind(models.TextChoices):
    CONTACTS = "contacts", _("Contacts")
    COMPANIES = "companies", _("Companies")
    DEALS = "deals", _("Deals")
    ACTIVITIES = "activities", _("Activities")
    PURCHASES = "purchases", _("Purchases")


class ImportStatus(models.TextChoices):
    NEW = "new", _("Waiting for its mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create another record")


class MailSecurity(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")


class MailStatus(models.TextChoices):
    CAPTURED = "captured", _("On a timeline")
    DUPLICATE = "duplicate", _("Already captured")
    UNMATCHED = "unmatched", _("No known contact")
    FAILED = "failed", _("Failed")
    REPORT = "report", _("Delivery report")


class MailSource(models.TextChoices):
    IMAP = "imap", _("Mailbox")
    SMTP = "smtp", _("Received by the listener")
    SENT = "sent", _("Sent from Clientela")
