"""A sequence step's e-mail: the template in the contact's language with their merge
fields, a signed unsubscribe link (``tracking``) and the ``List-Unsubscribe`` headers with
one-click (RFC 8058), as campaigns send; through Django's mail backend
(``CLIENTELA_EMAIL_URL``) once the step's transaction has committed.

Who may get one: a contact with consent to marketing e-mail and an address that is not
suppressed, whatever the template's purpose (``refusal``).
"""

import logging
from email.utils import formataddr

from django.conf import settings
from django.db import transaction

from clientela.contacts.choices import ConsentStatus

from .. import tracking
from ..choices import ExitReason, StepOutcome
from ..models import EnrollmentEvent, Suppression
from ..rendering import build_message, render_email

logger = logging.getLogger(__name__)


def refusal(contact):
    """``(exit reason, detail)`` when ``contact`` may not get a sequence's e-mail, else
    ``(None, address)``."""
    if contact.consent_status == ConsentStatus.WITHDRAWN:
        return ExitReason.UNSUBSCRIBED, "consent withdrawn"
    if not contact.has_marketing_consent or contact.anonymised_at is not None:
        return ExitReason.NO_CONSENT, "no consent to marketing e-mail"
    address = (contact.primary_email or "").strip()
    if not address:
        return ExitReason.NO_CONSENT, "no e-mail address"
    if Suppression.objects.filter(email=address.lower()).exists():
        return ExitReason.NO_CONSENT, "address suppressed"
    return None, address


def compose(enrollment, template, address):
    """The message for ``enrollment``'s contact at ``address``."""
    sequence = enrollment.sequence
    unsubscribe = tracking.link(tracking.SEQUENCE_UNSUBSCRIBE, enrollment.pk)
    rendered = render_email(
        template,
        enrollment.contact,
        context_extra={
            "unsubscribe_url": unsubscribe,
            "preferences_url": unsubscribe,  # the unsubscribe page is a sequence's only one
            "view_online_url": "",
            "contact.email": address,
        },
    )
    sender = sequence.from_email or settings.DEFAULT_FROM_EMAIL
    return build_message(
        rendered,
        from_email=formataddr((sequence.from_name, sender)) if sequence.from_name else sender,
        to=[address],
        reply_to=[sequence.reply_to] if sequence.reply_to else None,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Feedback-ID": f"{sequence.pk}:sequence:clientela",
        },
    )


def send_after_commit(message, event_id):
    """Send once the step is committed (never for a rolled-back one); a refusal of the mail
    server marks the step's log line failed."""

    def send():
        try:
            message.send()
        except Exception as error:
            logger.warning("sequence e-mail not sent", extra={"event": event_id})
            EnrollmentEvent.objects.filter(pk=event_id).update(
                outcome=StepOutcome.FAILED, detail=f"not sent: {error}"[:500]
            )

    transaction.on_commit(send)
