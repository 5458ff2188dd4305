"""The audit of privacy requests: one ``PrivacyRequest`` per export or erasure."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import PrivacyRequest

MAX_REASON = 2000


def clean_reason(reason):
    reason = str(reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": MAX_REASON}]})
    return reason


def audit_request(kind, contact_id, *, actor, reason="", outcome=None):
    """Record a request; the row names the user and the contact id only, so it outlives an
    erasure of the contact (and a later deletion of the user)."""
    return PrivacyRequest.objects.create(
        kind=kind,
        contact_id=contact_id,
        requested_by=actor if actor and actor.pk else None,
        requested_by_name=(actor.get_username() if actor and actor.pk else "")[:150],
        reason=reason,
        outcome=outcome or {},
    )
