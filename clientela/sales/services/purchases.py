"""Purchases: recorded from won deals, posted by shops through the API, imported.

An order with a ``source`` and ``external_id`` is recorded once: posting it again returns the
purchase already recorded (``record_purchase`` says whether it created one). A won deal records
one purchase, whatever happens to the deal afterwards (reopened and won again: still one).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import customfields, records
from clientela.core import services as core_services

from .. import money
from ..choices import PurchaseChannel, PurchaseStatus
from ..models import Purchase, PurchaseItem
from ..models.purchases import main_contact_of
from ..totals import totals_of
from .common import amount_error, clean_amount
from .lines import check_currency, clean_lines
from .quotes import next_number

PURCHASE_FIELDS = (
    "source",
    "external_id",
    "contact",
    "company",
    "purchased_at",
    "channel",
    "status",
    "currency",
    "note",
    "owner",
    "team",
)
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
FUTURE_SLACK = datetime.timedelta(days=1)
DEAL_SOURCE = "deal"


def find_purchase(source, external_id):
    """The purchase recorded for ``external_id`` of ``source`` (also in the trash), or None."""
    if not external_id:
        return None
    return Purchase.all_objects.filter(source=source or "", external_id=external_id).first()


@transaction.atomic
def record_purchase(
    *, actor, items=None, total_amount=None, tax_amount=None, tags=(), custom_fields=None, **fields
):
    """Record a purchase; returns ``(purchase, created)``.

    ``items`` are lines (``services.lines``, with ``tax_percent`` or ``tax_rate``); their sum is
    the total. Without items, ``total_amount`` (and optionally ``tax_amount`` inside it) says
    what was paid. An order already recorded for the same ``source`` and ``external_id`` is
    returned unchanged with ``created=False``.
    """
    fields = _check_fields(fields)
    existing = find_purchase(fields.get("source", ""), fields.get("external_id", ""))
    if existing is not None:
        return existing, False
    purchase = Purchase(**fields)
    purchase.channel = purchase.channel or PurchaseChannel.API
    lines = _clean(purchase, items, total_amount, tax_amount)
    purchase.custom_fields = customfields.clean_values(Purchase, custom_fields or {})
    tag_objects = core_services.resolve_tags(tags)
    purchase.number = next_number("P", timezone.localdate(purchase.purchased_at))
    try:
        with transaction.atomic(), records.track_create(purchase, actor=actor):
            purchase.save()
            _save_items(purchase, lines)
            if tag_objects:
                purchase.tags.add(*tag_objects)
    except IntegrityError:
        # The same order posted twice at the same moment: the other request recorded it.
        existing = find_purchase(purchase.source, purchase.external_id)
        if existing is None:
            raise
        return existing, False
    return purchase, True


@transaction.atomic
def update_purchase(
    purchase,
    *,
    actor,
    expected_version=None,
    items=None,
    total_amount=None,
    tax_amount=None,
    tags=None,
    custom_fields=None,
    **fields,
):
    """Change a purchase (a refund, a corrected date...); ``items=None`` keeps its items."""
    purchase = Purchase.all_objects.select_for_update().get(pk=purchase.pk)
    fields = _check_fields(fields)
    with records.track_update(purchase, actor=actor, expected_version=expected_version):
        for name, value in fields.items():
            setattr(purchase, name, value)
        if items is None and total_amount is None:
            current = list(purchase.items.all())
            lines = _clean(purchase, None, None, None, keep=current)
        else:
            lines = _clean(purchase, items, total_amount, tax_amount)
        if custom_fields is not None:
            purchase.custom_fields = customfields.clean_values(
                Purchase, custom_fields, current=purchase.custom_fields
            )
        purchase.save()
        if lines is not None:
            PurchaseItem.objects.filter(purchase=purchase).delete()
            _save_items(purchase, lines)
        if tags is not None:
            purchase.tags.set(core_services.resolve_tags(tags))
    return purchase


@transaction.atomic
def record_purchase_from_deal(deal, *, actor):
    """When ``deal`` is won, record what the customer bought: its lines (or one line of its
    amount), for its main contact and its company, on the day it was won, by the sales team.
    Once per deal: a deal that already has a purchase (even one in the trash) gets no other.
    Returns the purchase, or ``None`` (not won, already recorded, or nobody to record it for)."""
    if not deal.is_won or deal.deleted_at is not None:
        return None
    if Purchase.all_objects.filter(deal_id=deal.pk).exists():
        return None
    contact = main_contact_of(deal)
    company = deal.company if deal.company_id else getattr(contact, "company", None)
    if contact is None and company is None:
        return None
    lines = list(deal.line_items.order_by("position", "id"))
    if lines:
        items = [
            {
                "product": line.product,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "tax_percent": line.tax_percent,
                "keep_inactive": True,
            }
            for line in lines
        ]
        amounts = {}
    else:
        items, amounts = None, {"total_amount": deal.amount, "tax_amount": Decimal(0)}
    purchase, _created = record_purchase(
        actor=actor,
        deal=deal,
        contact=contact,
        company=company,
        purchased_at=deal.closed_at or timezone.now(),
        channel=PurchaseChannel.SALES_TEAM,
        source=DEAL_SOURCE,
        external_id=str(deal.pk),
        currency=deal.currency,
        owner=deal.owner,
        team=deal.team,
        items=items,
        **amounts,
    )
    return purchase


# --- helpers -------------------------------------------------------------------------------------


def _check_fields(fields):
    allowed = {*PURCHASE_FIELDS, "deal"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    cleaned = {}
    for name, value in fields.items():
        if name in ("source", "external_id", "note"):
            value = " ".join(str(value or "").split())
        cleaned[name] = value
    return cleaned


def _clean(purchase, items, total_amount, tax_amount, keep=None):
    """Check the purchase and work out its totals; returns the lines to write (``None``: keep
    the stored items)."""
    errors = {}
    if purchase.contact_id is None and purchase.company_id is None:
        errors["contact"] = [_("Say who bought: a contact, a company or both.")]
    try:
        purchase.currency = check_currency(purchase.currency or money.base_currency())
    except ValidationError as error:
        errors.update(error.message_dict)
    when = purchase.purchased_at
    if isinstance(when, datetime.date) and not isinstance(when, datetime.datetime):
        when = timezone.make_aware(datetime.datetime.combine(when, datetime.time(12)))
    if not isinstance(when, datetime.datetime):
        errors["purchased_at"] = [_("Enter the date and time of the purchase.")]
    else:
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if not EARLIEST <= when <= timezone.now() + FUTURE_SLACK:
            errors["purchased_at"] = [_("Enter a date between 1970 and today.")]
        purchase.purchased_at = when
    if purchase.channel not in PurchaseChannel.values:
        errors["channel"] = [_("Unknown channel.")]
    if purchase.status not in PurchaseStatus.values:
        errors["status"] = [_("Unknown status.")]
    if purchase.external_id and not purchase.source:
        errors["source"] = [_("Name the system the external id comes from.")]
    lines = None
    if errors.get("currency") is None:
        try:
            lines = _totals(purchase, items, total_amount, tax_amount, keep)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        purchase.full_clean(
            exclude=[
                "owner",
                "team",
                "tags",
                "contact",
                "company",
                "deal",
                "number",
                "purchased_at",
                "currency",
                "channel",
                "status",
                *errors,
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(purchase.purchased_at)
    try:
        purchase.net_base = money.to_base(purchase.net_amount, purchase.currency, day)
        purchase.total_base = money.to_base(purchase.total_amount, purchase.currency, day)
    except money.MissingRate as error:
        raise ValidationError({"currency": error.messages}) from error
    return lines


def _totals(purchase, items, total_amount, tax_amount, keep):
    if keep is not None:
        totals = totals_of(keep)
        if keep:
            purchase.net_amount, purchase.tax_amount = totals.net, totals.tax
            purchase.total_amount = totals.gross
        return None
    if items:
        try:
            lines = clean_lines(items, currency=purchase.currency, tax_from_rate=False)
        except ValidationError as error:
            raise ValidationError(
                {"items": error.message_dict.get("lines", error.messages)}
            ) from error
        for line in lines:
            line["tax_rate"] = None
        totals = totals_of(_Line(line) for line in lines)
        purchase.net_amount, purchase.tax_amount = totals.net, totals.tax
        purchase.total_amount = totals.gross
        return lines
    total = clean_amount(total_amount)
    if total is None:
        key = "items" if total_amount is None else "total_amount"
        message = _("Give the items bought or the total paid.") if total_amount is None else None
        raise ValidationError({key: [message or amount_error()]})
    tax = clean_amount(tax_amount if tax_amount not in (None, "") else 0)
    if tax is None or tax > total:
        raise ValidationError({"tax_amount": [_("Enter the tax included in the total.")]})
    purchase.total_amount, purchase.tax_amount = total, tax
    purchase.net_amount = total - tax
    return []


class _Line:
    def __init__(self, values):
        self.net, self.tax, self.tax_percent = values["net"], values["tax"], values["tax_percent"]


def _save_items(purchase, lines):
    PurchaseItem.objects.bulk_create(
        [
            PurchaseItem(
                purchase=purchase,
                product=line["product"],
                sku=line.get("sku", ""),
                description=line["description"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                discount=line["discount"],
                tax_percent=line["tax_percent"],
                net=line["net"],
                tax=line["tax"],
                position=line["position"],
            )
            for line in lines
        ]
    )


# Trash and bulk actions work the same on every record (``core.services``).
delete_purchases = core_services.delete_records
restore_purchases = core_services.restore_records
purge_purchases = core_services.purge_records
assign_purchases = core_services.assign_records
tag_purchases = core_services.tag_records
