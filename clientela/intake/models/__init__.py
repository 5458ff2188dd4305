"""The doors data comes in by: assignment rules (who gets a new record, whatever channel
brought it), imports, web forms, webhooks and e-mail."""

from .assignment import AssignmentRule
from .imports import ImportBatch, ImportJob, ImportMapping
from .mail import MailAttachment, Mailbox, MailFolder, MailMessage
from .webforms import FormSubmission, WebForm
from .webhooks import Webhook, WebhookDelivery

__all__ = [
    "AssignmentRule",
    "FormSubmission",
    "ImportBatch",
    "ImportJob",
    "ImportMapping",
    "MailAttachment",
    "MailFolder",
    "MailMessage",
    "Mailbox",
    "WebForm",
    "Webhook",
    "WebhookDelivery",
]
