"""The catalogue (tax rates, products, price lists) and the line items of deals."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import records

from .. import money
from ..models import Deal, DealLineItem, PriceList, PriceListItem, Product, TaxRate
from ..models.products import default_tax_rate
from .lines import active_tax_rate, check_currency, check_percent, check_unit_price, clean_lines

PRODUCT_FIELDS = ("sku", "name", "description", "unit_price", "currency", "tax_rate", "active")

# --- tax rates -----------------------------------------------------------------------------------


@transaction.atomic
def save_tax_rate(*, actor, name, rate, tax_rate=None, is_default=False, active=True):
    """Create a tax rate, or change ``tax_rate``. A rate used by lines keeps its percentage
    (those lines were priced with it): make a new rate instead."""
    tax_rate = tax_rate or TaxRate(position=TaxRate.objects.count())
    percent = check_percent(rate, _("Enter a rate from 0 to 100 %."))
    if tax_rate.pk and percent != tax_rate.rate and _rate_in_use(tax_rate):
        raise ValidationError(
            {"rate": [_("Lines use this rate: deactivate it and create a new one instead.")]}
        )
    tax_rate.name = " ".join((name or "").split())
    tax_rate.rate = percent
    tax_rate.active = active
    tax_rate.is_default = is_default and active
    tax_rate.full_clean(validate_constraints=False)
    if tax_rate.is_default:
        TaxRate.objects.exclude(pk=tax_rate.pk).update(is_default=False)
    tax_rate.save()
    return tax_rate


def _rate_in_use(tax_rate):
    return tax_rate.deal_lines.exists()


# --- products ------------------------------------------------------------------------------------


def _clean_product(product, prices):
    errors = {}
    product.sku = (product.sku or "").strip()
    product.name = " ".join((product.name or "").split())
    product.description = (product.description or "").strip()
    try:
        product.currency = check_currency(product.currency or money.base_currency())
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        product.unit_price = check_unit_price(product.unit_price)
    except ValidationError as error:
        errors["unit_price"] = error.messages
    if product.tax_rate_id is None:
        product.tax_rate = default_tax_rate()
    try:
        product.full_clean(exclude=["tax_rate", *errors], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if product.tax_rate_id is None:
        errors.setdefault("tax_rate", [_("Create a tax rate first.")])
    cleaned = []
    if prices is not None:
        seen = set()
        for row in prices:
            price_list = row["price_list"]
            if price_list.pk in seen:
                errors.setdefault("prices", []).append(
                    _("“%(list)s” appears twice.") % {"list": price_list}
                )
                continue
            seen.add(price_list.pk)
            try:
                cleaned.append((price_list, check_unit_price(row["unit_price"])))
            except ValidationError as error:
                errors.setdefault("prices", []).extend(
                    f"{price_list}: {message}" for message in error.messages
                )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_product_fields(fields):
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    tax_rate = fields.get("tax_rate")
    if tax_rate is not None:
        active_tax_rate(tax_rate)
    return {k: "" if v is None and k in ("description",) else v for k, v in fields.items()}


@transaction.atomic
def create_product(*, actor, prices=None, **fields):
    """A product. ``prices``: ``[{"price_list", "unit_price"}]``, its prices in price lists."""
    product = Product(**_check_product_fields(fields))
    cleaned = _clean_product(product, prices)
    product.save()
    _set_prices(product, cleaned if prices is not None else None)
    return product


@transaction.atomic
def update_product(product, *, actor, expected_version=None, prices=None, **fields):
    """Change a product; ``prices=None`` leaves its price-list prices as they are. Raises
    ``StaleRecord`` when ``expected_version`` is not the stored version. Lines already priced
    keep their prices."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if expected_version is not None and records._as_version(expected_version) != product.version:
        raise records.StaleRecord(product)
    fields = _check_product_fields(fields)
    for name, value in fields.items():
        setattr(product, name, value)
    cleaned = _clean_product(product, prices)
    product.updated_at = timezone.now()
    product.save()
    _set_prices(product, cleaned if prices is not None else None)
    Product.objects.filter(pk=product.pk).update(version=F("version") + 1)
    product.version += 1
    return product


def _set_prices(product, cleaned):
    if cleaned is None:
        return
    PriceListItem.objects.filter(product=product).exclude(
        price_list__in=[price_list for price_list, _price in cleaned]
    ).delete()
    for price_list, price in cleaned:
        PriceListItem.objects.update_or_create(
            price_list=price_list, product=product, defaults={"unit_price": price}
        )


@transaction.atomic
def delete_product(product, *, actor):
    """Delete a product nobody has bought or quoted; one in use is deactivated instead."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.deal_lines.exists() or product.purchase_lines.exists():
        raise ValidationError(
            _("Deals or purchases include “%(name)s”: deactivate it instead.")
            % {"name": product.name},
            code="in_use",
        )
    product.delete()


# --- price lists ---------------------------------------------------------------------------------


@transaction.atomic
def save_price_list(*, actor, name, currency, price_list=None, is_default=False, active=True):
    """Create or change a price list; one default per currency."""
    price_list = price_list or PriceList()
    currency = check_currency(currency)
    if price_list.pk and currency != price_list.currency and price_list.items.exists():
        raise ValidationError(
            {"currency": [_("This list has prices: its currency cannot change.")]}
        )
    price_list.name = " ".join((name or "").split())
    price_list.currency = currency
    price_list.active = active
    price_list.is_default = is_default and active
    price_list.full_clean(validate_constraints=False)
    if price_list.is_default:
        PriceList.objects.filter(currency=currency).exclude(pk=price_list.pk).update(
            is_default=False
        )
    price_list.save()
    return price_list


# --- the lines of a deal -------------------------------------------------------------------------


def line_summary(line):
    """A line as history shows it: ``2 × Cava 12.50 −10 % IVA 21 % = 22.50``."""
    text = f"{line.quantity.normalize():f} × {line.description} {line.unit_price.normalize():f}"
    if line.discount:
        text += f" −{line.discount.normalize():f} %"
    return f"{text} +{line.tax_percent.normalize():f} % = {line.net}"


@transaction.atomic
def set_deal_lines(deal, rows, *, actor, expected_version=None, price_list=None):
    """Replace the line items of ``deal`` with ``rows`` (see ``services.lines``). With lines,
    the deal's amount becomes their net total (before tax) and its base-currency amount follows,
    so boards and the forecast add up what the lines say; without lines, the amount stays as it
    was. The change is one entry in the deal's history. Raises ``StaleRecord`` on a stale
    ``expected_version`` and ``ValidationError`` (writing nothing) for bad lines."""
    deal = Deal.all_objects.select_for_update().get(pk=deal.pk)
    existing = list(DealLineItem.objects.filter(deal=deal).order_by("position", "id"))
    known_products = {line.product_id for line in existing}
    known_rates = {line.tax_rate_id for line in existing}
    rows = [
        {
            **row,
            "keep_inactive": getattr(row.get("product"), "pk", None) in known_products
            and getattr(row.get("tax_rate"), "pk", None) in known_rates | {None},
        }
        for row in rows
    ]
    lines = clean_lines(rows, currency=deal.currency, price_list=price_list)
    with records.track_update(deal, actor=actor, expected_version=expected_version) as tracked:
        DealLineItem.objects.filter(deal=deal).delete()
        created = DealLineItem.objects.bulk_create(
            [
                DealLineItem(
                    deal=deal,
                    product=line["product"],
                    description=line["description"],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                    discount=line["discount"],
                    tax_rate=line["tax_rate"],
                    tax_percent=line["tax_percent"],
                    net=line["net"],
                    tax=line["tax"],
                    position=line["position"],
                )
                for line in lines
            ]
        )
        before = [line_summary(line) for line in existing]
        after = [line_summary(line) for line in created]
        if before != after:
            tracked.add("line_items", before, after)
        if created:
            deal.amount = sum((line.net for line in created), start=Decimal("0.00"))
            day = deal.closed_at.date() if deal.closed_at else deal.expected_close_date
            try:
                deal.amount_base = money.to_base(deal.amount, deal.currency, day)
            except money.MissingRate as error:
                raise ValidationError({"currency": error.messages}) from error
            deal.save(update_fields=["amount", "amount_base"])
    return deal
