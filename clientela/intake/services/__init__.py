"""Every write of the intake app goes through these functions, one module per subject."""

from .assignment import (
    RULE_FIELDS,
    assign_new,
    choose_owner,
    create_rule,
    delete_rule,
    matches,
    rule_for,
    update_rule,
)
from .webforms import confirm_consent, consent_token, create_form, submit_form, update_form
from .webhooks import (
    create_webhook,
    delete_webhook,
    new_secret,
    receive,
    signature_is_valid,
    update_webhook,
)

__all__ = [
    "RULE_FIELDS",
    "assign_new",
    "choose_owner",
    "confirm_consent",
    "consent_token",
    "create_form",
    "create_rule",
    "create_webhook",
    "delete_webhook",
    "delete_rule",
    "matches",
    "new_secret",
    "receive",
    "rule_for",
    "signature_is_valid",
    "submit_form",
    "update_form",
    "update_rule",
    "update_webhook",
]
