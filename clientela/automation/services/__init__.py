"""Every write of the automation app goes through these functions, one module per subject."""

from .deliveries import redeliver, send_test_event
from .webhooks import WEBHOOK_FIELDS, create_webhook, delete_webhook, rotate_secret, update_webhook
from .workflows import (
    RULE_FIELDS,
    create_rule,
    delete_rule,
    dry_run_rule,
    set_rule_active,
    update_rule,
)

__all__ = [
    "RULE_FIELDS",
    "create_rule",
    "delete_rule",
    "dry_run_rule",
    "set_rule_active",
    "update_rule",
    "WEBHOOK_FIELDS",
    "create_webhook",
    "delete_webhook",
    "redeliver",
    "rotate_secret",
    "send_test_event",
    "update_webhook",
]
