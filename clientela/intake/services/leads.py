"""A lead arriving from outside — a web form, a lead webhook — whatever the door.

It is recognised by its e-mail address (or phone number, when it has no address), so that
nobody who writes twice becomes two contacts; what it brings completes the contact without
erasing what the team already knows; a new contact is given an owner by the assignment rules;
and a lead that says what it wants opens a deal.
"""

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clientela.contacts import services as contact_services
from clientela.contacts.models import Company, Contact
from clientela.core import customfields
from clientela.core.validators import normalize_email, normalize_phone
from clientela.sales import services as deal_services
from clientela.sales.models import Pipeline

from .assignment import assign_new

# What a lead may bring, and its longest value: contact fields, "company" (a name), the two
# deal fields and, not listed, "cf_<key>" custom fields of contacts.
TARGETS = {
    "first_name": 100,
    "last_name": 100,
    "second_last_name": 100,
    "email": 254,
    "phone": 40,
    "company": 200,
    "job_title": 200,
    "city": 100,
    "region": 100,
    "postcode": 20,
    "country": 2,
    "notes": 5000,
    "deal_name": 200,
    "deal_amount": 20,
}
DEAL_TARGETS = ("deal_name", "deal_amount")
CUSTOM_LIMIT = 1000
AMOUNT = re.compile(r"\s*(?:€|EUR|\$|£)?\s*\d[\d.,\s]*\s*(?:€|EUR|\$|£)?\s*", re.IGNORECASE)


def is_target(name):
    return name in TARGETS or name.startswith("cf_")


def clean_values(raw, *, required=()):
    """``raw`` (target -> text) checked and normalised; raises ``ValidationError`` (target ->
    messages). Blank values are dropped; an e-mail address or a phone number is needed."""
    errors, values = {}, {}
    for name, text in raw.items():
        text = str(text or "")
        text = text.strip() if name == "notes" else " ".join(text.split())
        if not text:
            continue
        limit = TARGETS.get(name, CUSTOM_LIMIT)
        if len(text) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
        else:
            values[name] = text
    for name in required:
        if name not in values and name not in errors:
            errors[name] = [_("This field is required.")]
    for name, normalise, message in (
        ("email", normalize_email, None),
        ("phone", normalize_phone, None),
        ("deal_amount", parse_amount, _("Write an amount, e.g. 1.500 or 1500,50.")),
    ):
        if name in values:
            try:
                values[name] = normalise(values[name])
            except (ValidationError, ValueError) as error:
                errors[name] = [message] if message else error.messages
    if not ({"email", "phone"} & (set(values) | set(errors))):
        errors["email"] = [_("An e-mail address or a phone number is needed.")]
    custom = {k[3:]: v for k, v in values.items() if k.startswith("cf_")}
    if custom:
        try:
            customfields.clean_values(Contact, custom)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors[f"cf_{key}"] = messages
    if errors:
        raise ValidationError(errors)
    return values


def parse_amount(text):
    """A typed amount as a Decimal, written the Spanish way ("1.500,50") or the English way
    ("1,500.50"); a lone "." followed by groups of three digits separates thousands."""
    if not AMOUNT.fullmatch(text):
        raise ValueError(text)
    cleaned = re.sub(r"[^\d.,]", "", text)
    if "," in cleaned and "." in cleaned:
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    elif "." in cleaned and all(len(g) == 3 for g in cleaned.split(".")[1:]):
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if amount >= 10**12:
        raise ValueError(text)
    return amount.quantize(Decimal("0.01"))


def find_contact(email="", phone=""):
    """The oldest contact with this e-mail address or, for a lead without one, this phone
    number (people share a switchboard more often than an address)."""
    if email:
        return Contact.objects.filter(emails__email=email).order_by("id").first()
    if phone:
        return Contact.objects.filter(phones__number=phone).order_by("id").first()
    return None


def upsert_contact(values, *, source, source_detail, language, actor=None):
    """Find or create the contact ``values`` (from ``clean_values``) describe; returns
    ``(contact, created)``. A new contact is a lead, given an owner by the rules."""
    values = {k: v for k, v in values.items() if k not in DEAL_TARGETS}
    email, phone = values.pop("email", ""), values.pop("phone", "")
    custom = {k[3:]: values.pop(k) for k in list(values) if k.startswith("cf_")}
    company_name = values.pop("company", "")
    contact = find_contact(email, phone)
    if contact is None:
        if not (values.get("first_name") or values.get("last_name")):
            # A lead may bring only an address or a number: name the contact after it.
            values["first_name"] = (email.split("@")[0] if email else phone)[:100]
        contact = contact_services.create_contact(
            actor=actor,
            emails=[email] if email else [],
            phones=[phone] if phone else [],
            company=_company(company_name, actor),
            source=source,
            source_detail=source_detail[:200],
            lifecycle_stage="lead",
            language=language if language in ("es", "ca", "en") else "es",
            custom_fields=custom or None,
            **values,
        )
        assign_new([contact], actor=actor, record_type="contact")
        contact.refresh_from_db()
        return contact, True
    # Fill in what is missing; what the team already knows stays.
    missing = {k: v for k, v in values.items() if not getattr(contact, k, "")}
    if email and not contact.emails.exists():
        missing["emails"] = [email]
    if phone and not contact.phones.exists():
        missing["phones"] = [phone]
    known = contact.custom_fields or {}
    if any(k not in known for k in custom):
        missing["custom_fields"] = {k: v for k, v in custom.items() if k not in known}
    if missing:
        contact = contact_services.update_contact(contact, actor=actor, **missing)
    return contact, False


def open_deal(contact, values, *, default_name, source, source_detail, actor=None):
    """Open a deal for ``contact`` when ``values`` name one or give a budget; None otherwise,
    or when there is no pipeline to put it in (what was sent stays on the timeline)."""
    deal = {k: values[k] for k in DEAL_TARGETS if k in values}
    if not deal or not Pipeline.objects.filter(archived=False).exists():
        return None
    opened = deal_services.create_deal(
        actor=actor,
        name=(deal.get("deal_name") or default_name)[:200],
        amount=deal.get("deal_amount", 0),
        company=contact.company,
        contacts=[contact],
        owner=contact.owner,
        team=contact.team,
        source=source,
        source_detail=source_detail[:200],
    )
    assign_new([opened], actor=actor, record_type="deal")
    return opened


def tell_owner(contact, created, came_by):
    """E-mail the contact's owner, in their language, that a lead came (``came_by``: "the form
    “Contact”", "Facebook"...), once the transaction is committed."""
    owner = contact.owner
    if owner is None or not owner.email:
        return
    with translation.override(owner.language or "en"):
        subject = (_("New lead: %(name)s") if created else _("%(name)s wrote again")) % {
            "name": contact
        }
        body = _("%(name)s came through %(door)s.") % {"name": contact, "door": came_by}
        if settings.BASE_URL:
            link = reverse("contacts:contact_detail", args=[contact.pk])
            body += "\n\n" + settings.BASE_URL.rstrip("/") + link
    address = owner.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


def _company(name, actor):
    if not name:
        return None
    found = Company.objects.filter(name__iexact=name).order_by("id").first()
    return found or contact_services.create_company(actor=actor, name=name)
