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

__all__ = [
    "RULE_FIELDS",
    "assign_new",
    "choose_owner",
    "confirm_consent",
    "consent_token",
    "create_form",
    "create_rule",
    "delete_rule",
    "matches",
    "rule_for",
    "submit_form",
    "update_form",
    "update_rule",
]
