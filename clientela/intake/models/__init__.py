"""The doors data comes in by: assignment rules (who gets a new record, whatever channel
brought it), imports, web forms and webhooks."""

from .assignment import AssignmentRule
from .imports import ImportBatch, ImportJob, ImportMapping
from .webforms import FormSubmission, WebForm
from .webhooks import Webhook, WebhookDelivery

__all__ = [
    "AssignmentRule",
    "FormSubmission",
    "ImportBatch",
    "ImportJob",
    "ImportMapping",
    "WebForm",
    "Webhook",
    "WebhookDelivery",
]
