"""Quotes: a numbered PDF of a deal's lines, one new version each time."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core.validators import normalize_tax_id

from .. import pdf
from ..models import Deal, NumberSequence, Quote, SellerProfile
from ..models.purchases import main_contact_of
from ..totals import totals_of

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def next_number(prefix, day):
    """``Q-2026-0001``: the next number of ``prefix`` in ``day``'s year, under a row lock."""
    key = f"{prefix}-{day.year}"
    sequence, _created = NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{key}-{sequence.last:04d}"


def quote_language(deal, actor=None):
    """The language of the deal's main contact, else the actor's, else the site's."""
    contact = main_contact_of(deal)
    for candidate in (
        getattr(contact, "language", ""),
        getattr(actor, "language", ""),
        settings.LANGUAGE_CODE,
    ):
        if candidate in LANGUAGES:
            return candidate
    return "en"


@transaction.atomic
def create_quote(deal, *, actor, language=None):
    """A new version of the deal's quote: its lines as they are now, rendered to a PDF in the
    customer's language (or ``language``), numbered ``Q-<year>-<n>``, valid for the days of the
    seller profile. The deal needs line items."""
    deal = Deal.all_objects.select_for_update().get(pk=deal.pk)
    lines = list(deal.line_items.select_related("product").order_by("position", "id"))
    if not lines:
        raise ValidationError(_("Add line items to the deal before making a quote."), code="empty")
    if language is not None and language not in LANGUAGES:
        raise ValidationError({"language": [_("Choose English, Spanish or Catalan.")]})
    language = language or quote_language(deal, actor)
    seller = SellerProfile.current()
    now = timezone.now()
    today = timezone.localdate(now)
    version = (Quote.objects.filter(deal=deal).aggregate(Max("version"))["version__max"] or 0) + 1
    totals = totals_of(lines)
    quote = Quote(
        deal=deal,
        version=version,
        number=next_number("Q", today),
        language=language,
        currency=deal.currency,
        net_amount=totals.net,
        tax_amount=totals.tax,
        total_amount=totals.gross,
        valid_until=today + datetime.timedelta(days=seller.quote_validity_days or 30),
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
    )
    quote.snapshot = _snapshot(lines, totals)
    contact = main_contact_of(deal)
    with translation.override(language):
        quote.pdf = pdf.render_quote(
            quote=quote, deal=deal, seller=seller, contact=contact, lines=lines, totals=totals
        )
    quote.save()
    return quote


def _snapshot(lines, totals):
    return {
        "lines": [
            {
                "product": line.product_id,
                "description": line.description,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "discount": str(line.discount),
                "tax_percent": str(line.tax_percent),
                "net": str(line.net),
                "tax": str(line.tax),
            }
            for line in lines
        ],
        "taxes": [
            {"rate": str(rate), "base": str(entry["base"]), "tax": str(entry["tax"])}
            for rate, entry in totals.by_rate.items()
        ],
    }


SELLER_FIELDS = (
    "name",
    "tax_id",
    "address",
    "email",
    "phone",
    "quote_validity_days",
    "quote_terms",
)


@transaction.atomic
def save_seller_profile(*, actor, **fields):
    """The business named on quotes: name, tax id, address, validity, terms."""
    unknown = set(fields) - set(SELLER_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    profile = SellerProfile.current()
    for name, value in fields.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not 1 <= (profile.quote_validity_days or 0) <= 365:
        errors["quote_validity_days"] = [_("Enter from 1 to 365 days.")]
    if profile.tax_id:
        try:
            profile.tax_id = normalize_tax_id(profile.tax_id)
        except ValidationError as error:
            errors["tax_id"] = error.messages
    try:
        profile.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    profile.save()
    return profile
