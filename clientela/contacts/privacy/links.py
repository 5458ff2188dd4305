"""The public withdrawal link: a signed token a person follows, without signing in, to
withdraw a consent.

The token names the contact, the purpose and the consent record it was made for (the latest
one then). It is signed with the secret key (a changed or made-up token fails the signature)
and works once: following it appends a withdrawal, so the latest record is no longer the one
named and the same link is refused afterwards — as is a link made before a later grant.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ..choices import ConsentPurpose, ConsentSource
from ..models import Contact
from . import consent

SALT = "clientela.contacts.withdraw-consent"
MAX_AGE_DAYS = 730  # links travel in e-mails that people keep for a long time


def withdrawal_token(contact, purpose=consent.CURRENT_PURPOSE):
    latest = consent.latest_record_id(contact, purpose) or 0
    return signing.dumps({"c": contact.pk, "p": purpose, "r": latest}, salt=SALT, compress=True)


def withdrawal_url(contact, purpose=consent.CURRENT_PURPOSE):
    """The absolute address to put in a marketing e-mail."""
    path = reverse("contacts:withdraw_consent", args=[withdrawal_token(contact, purpose)])
    return settings.BASE_URL.rstrip("/") + path if settings.BASE_URL else path


def read_withdrawal_token(token, *, lock=False):
    """``(contact, purpose)`` a valid, unused link is for; ``ValidationError`` otherwise."""
    invalid = ValidationError(_("This link is not valid. Ask us for a new one."))
    try:
        payload = signing.loads(str(token)[:1000], salt=SALT, max_age=MAX_AGE_DAYS * 86400)
        contact_id, purpose, latest = int(payload["c"]), str(payload["p"]), int(payload["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise invalid from error
    if purpose not in ConsentPurpose.values:
        raise invalid
    contacts = Contact.all_objects.select_for_update() if lock else Contact.all_objects
    # Locked, two clicks on one link at the same moment withdraw once.
    contact = contacts.filter(pk=contact_id, anonymised_at__isnull=True).first()
    if contact is None:
        raise invalid
    if (consent.latest_record_id(contact, purpose) or 0) != latest:
        raise ValidationError(_("This link has already been used."))
    return contact, purpose


@transaction.atomic
def withdraw_by_link(token, *, evidence):
    """Withdraw the consent a link is for; returns ``(contact, purpose)``."""
    contact, purpose = read_withdrawal_token(token, lock=True)
    consent.withdraw_consent(
        contact,
        actor=None,
        purpose=purpose,
        source=ConsentSource.WITHDRAWAL_LINK,
        ip_address=evidence.get("ip_address"),
        user_agent=evidence.get("user_agent", ""),
    )
    return contact, purpose
