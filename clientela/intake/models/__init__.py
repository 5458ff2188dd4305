"""The doors data comes in by: assignment rules (who gets a new record, whatever channel
brought it), web forms and webhooks."""

from .assignment import AssignmentRule
from .webforms import FormSubmission, WebForm
from .webhooks import Webhook, WebhookDelivery

__all__ = ["AssignmentRule", "FormSubmission", "WebForm", "Webhook", "WebhookDelivery"]
