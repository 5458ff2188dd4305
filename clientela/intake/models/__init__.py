"""The doors data comes in by: assignment rules (who gets a new record, whatever channel
brought it), web forms, webhooks and e-mail."""

from .assignment import AssignmentRule
from .mail import MailAttachment, Mailbox, MailFolder, MailMessage
from .webforms import FormSubmission, WebForm
from .webhooks import Webhook, WebhookDelivery

__all__ = [
    "AssignmentRule",
    "FormSubmission",
    "MailAttachment",
    "MailFolder",
    "MailMessage",
    "Mailbox",
    "WebForm",
    "Webhook",
    "WebhookDelivery",
]
