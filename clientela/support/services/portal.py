"""The customer portal: sign-in by a link e-mailed to a contact's address, and what a signed-in
customer may do — see their own cases (public messages only), answer them, open new ones.

The answer to "send me a link" is the same whether or not the address is known, so the portal
never tells a stranger who is a customer.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clientela.contacts.models import Contact, ContactEmail
from clientela.core.validators import normalize_email

from ..choices import CaseChannel, MessageKind
from ..models import Case, CaseMessage, PortalLink
from . import cases

LINK_LIFETIME = timedelta(minutes=30)
LINKS_PER_HOUR = 5  # per address: enough for a lost e-mail, not for flooding an inbox
SESSION_KEY = "portal_contact"


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def request_link(email, *, base_url):
    """E-mail a sign-in link to ``email`` if a contact has that address (and it has not asked
    too often); returns whether one was sent. Bad addresses are simply not known."""
    try:
        email = normalize_email(str(email or "")[:320])
    except ValidationError:
        return False
    owner = ContactEmail.objects.filter(email=email).select_related("contact").first()
    contact = owner.contact if owner else None
    if contact is None or contact.deleted_at is not None or contact.anonymised_at:
        return False
    hour_ago = timezone.now() - timedelta(hours=1)
    if PortalLink.objects.filter(email=email, created_at__gte=hour_ago).count() >= LINKS_PER_HOUR:
        return False
    secret = secrets.token_urlsafe(32)
    PortalLink.objects.create(
        contact=contact, email=email, secret_hash=_hash(secret), created_at=timezone.now()
    )
    url = base_url + reverse("portal:login", args=[secret])
    _send_link(contact, email, url)
    return True


@transaction.atomic
def use_link(secret):
    """The contact a link signs in (once, within its lifetime); ``None`` for anything else."""
    link = (
        PortalLink.objects.select_for_update()
        .filter(secret_hash=_hash(secret or ""), used_at__isnull=True)
        .select_related("contact")
        .first()
    )
    if link is None or timezone.now() - link.created_at > LINK_LIFETIME:
        return None
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    contact = link.contact
    if contact.deleted_at is not None or contact.anonymised_at:
        return None
    return contact


def sign_in(request, contact):
    request.session.cycle_key()  # a new session id: nothing from before sign-in carries over
    request.session[SESSION_KEY] = contact.pk


def signed_in_contact(request):
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Contact.objects.filter(pk=pk, anonymised_at__isnull=True).first()


def cases_of(contact):
    """The contact's own cases, and only theirs."""
    return Case.objects.filter(contact=contact)


def public_thread(case):
    return CaseMessage.objects.filter(case=case).exclude(kind=MessageKind.NOTE).order_by("id")


def open_case(contact, *, subject, description):
    return cases.create_case(
        actor=None,
        subject=subject,
        description=description,
        contact=contact,
        channel=CaseChannel.PORTAL,
        language=contact.language,
    )


def answer_case(contact, case, body):
    return cases.add_customer_message(case, body, contact=contact)


def _send_link(contact, email, url):
    language = contact.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"contact": contact, "url": url, "minutes": int(LINK_LIFETIME.seconds / 60)}
        subject = render_to_string("support/email/portal_link_subject.txt", context).strip()
        text = render_to_string("support/email/portal_link.txt", context)
        html = render_to_string("support/email/portal_link.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(html, "text/html")
    message.send()
