"""E-mail sent from a contact's or a deal's page: sent through Django's e-mail backend
(``CLIENTELA_EMAIL_URL``) with a Message-ID made here, then logged as an outbound e-mail
activity with that Message-ID, so the customer's reply threads back to it (and the copy an
IMAP Sent folder keeps is known as the same message).

The Message-ID is made when the form is shown and comes back with it: a form sent twice
(a double click, a retried request) finds its message already logged and sends nothing."""

from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import richtext
from clientela.activities import services as activity_services
from clientela.activities.choices import ActivityKind, Direction
from clientela.activities.models import Activity
from clientela.core.validators import normalize_email

from ...choices import MailSource, MailStatus
from ...models import MailMessage
from . import parsing, routing

MAX_RECIPIENTS = 20


def new_message_id():
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "clientela").strip(">")
    return make_msgid(domain=domain[:200])


def already_sent(message_id):
    return Activity.all_objects.filter(message_id=message_id, kind=ActivityKind.EMAIL).first()


def send_email(*, actor, to, subject, body, from_address, message_id, contact=None, deal=None):
    """Send an e-mail and log it; returns the activity (the earlier one when this Message-ID
    was sent before). Raises ``ValidationError`` before anything is sent when the input is
    wrong; an ``OSError``/``SMTPException`` from the backend leaves nothing logged."""
    if not parsing._MESSAGE_ID.fullmatch(message_id or ""):
        raise ValidationError({"message_id": [_("The form expired; open it again.")]})
    earlier = already_sent(message_id)
    if earlier is not None:
        return earlier
    recipients = _recipients(to)
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": [_("This field is required.")]})
    if len(subject) > parsing.MAX_SUBJECT or len(body or "") > richtext.MAX_LENGTH - 100:
        raise ValidationError({"body": [_("The subject or the text is too long.")]})
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=from_address,
        to=recipients,
        headers={"Message-ID": message_id},
    )
    email.send(fail_silently=False)
    return _log(actor, recipients, subject, body, from_address, message_id, contact, deal)


@transaction.atomic
def _log(actor, recipients, subject, body, from_address, message_id, contact, deal):
    if contact is None and deal is not None:
        contact = _deal_contact(deal, recipients)
    activity = activity_services.log_activity(
        actor=actor,
        kind=ActivityKind.EMAIL,
        subject=subject,
        body=body,
        direction=Direction.OUTBOUND,
        from_address=from_address,
        to_addresses=recipients,
        message_id=message_id,
        contact=contact,
        deal=deal,
        timeline_at=timezone.now(),
    )
    MailMessage.objects.create(
        source=MailSource.SENT,
        fingerprint=parsing.fingerprint(b"", message_id, "", None, ""),
        message_id=message_id,
        thread_key=message_id,
        status=MailStatus.CAPTURED,
        subject=subject[:300],
        from_address=from_address[:254],
        activity=activity,
    )
    return activity


def _deal_contact(deal, recipients):
    """The deal's person the e-mail went to (else the deal's first person, or nobody)."""
    people = list(deal.contacts.order_by("deal_links__id"))
    ids = {person.pk for person in people}
    for contact in routing.contacts_for(recipients):
        if contact.pk in ids:
            return contact
    return people[0] if people else None


def _recipients(text):
    parts = [p.strip() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ValidationError({"to": [_("This field is required.")]})
    if len(parts) > MAX_RECIPIENTS:
        raise ValidationError({"to": [_("At most %(n)d addresses.") % {"n": MAX_RECIPIENTS}]})
    cleaned = []
    for part in parts:
        try:
            cleaned.append(normalize_email(part))
        except ValidationError:
            message = _("“%(address)s” is not a valid e-mail address.") % {"address": part[:100]}
            raise ValidationError({"to": [message]}) from None
    return list(dict.fromkeys(cleaned))
