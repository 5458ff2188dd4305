"""Automation: workflow rules (trigger -> conditions -> actions) and outgoing webhooks. One
module per part; they are all imported here for Django."""

from .webhooks import OutgoingWebhook, WebhookDelivery
from .workflows import WorkflowRule, WorkflowRun

__all__ = ["OutgoingWebhook", "WebhookDelivery", "WorkflowRule", "WorkflowRun"]
