"""Checking line items (of deals and purchases) and adding them up.

A line is a dict: ``product`` (a ``Product`` or ``None``), ``description``, ``quantity``,
``unit_price`` (``None``: the product's price in the currency), ``discount`` (%), and either
``tax_rate`` (a ``TaxRate``; ``None``: the product's, else the default) or, for purchases
reported by other systems, ``tax_percent``. Bad values are reported per line ("Line 2: ...").
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import money
from ..models import PriceListItem, TaxRate
from ..models.products import MAX_QUANTITY, MAX_UNIT_PRICE, default_tax_rate
from ..totals import line_amounts
from .common import MAX_AMOUNT

MAX_LINES = 200
MAX_DESCRIPTION = 300


def decimal_or_none(value):
    """``value`` as a finite Decimal, or ``None`` (not a number, NaN, infinite)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def check_quantity(value):
    quantity = decimal_or_none(value)
    if quantity is None or not Decimal(0) < quantity <= MAX_QUANTITY:
        raise ValidationError(_("Enter a quantity greater than 0 and at most 1,000,000."))
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError(_("Enter a quantity with at most three decimals."))
    return quantity


def check_unit_price(value):
    price = decimal_or_none(value)
    if price is None or not Decimal(0) <= price <= MAX_UNIT_PRICE:
        raise ValidationError(_("Enter a unit price between 0 and 1,000,000,000."))
    if price != price.quantize(Decimal("0.0001")):
        raise ValidationError(_("Enter a unit price with at most four decimals."))
    return price


def check_percent(value, message):
    percent = decimal_or_none(0 if value in (None, "") else value)
    if percent is None or not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError(message)
    if percent != percent.quantize(Decimal("0.01")):
        raise ValidationError(_("Enter a percentage with at most two decimals."))
    return percent


def price_of(product, currency, price_list=None):
    """The unit price of ``product`` in ``currency``: the chosen price list's, else the default
    price list's of that currency, else the product's own when it is in that currency."""
    lists = []
    if price_list is not None:
        lists.append(price_list.pk)
    item = None
    if lists:
        item = PriceListItem.objects.filter(price_list_id=lists[0], product=product).first()
    if item is None:
        item = PriceListItem.objects.filter(
            price_list__currency=currency,
            price_list__is_default=True,
            price_list__active=True,
            product=product,
        ).first()
    if item is not None:
        return item.unit_price
    if product.currency == currency:
        return product.unit_price
    return None


def clean_lines(rows, *, currency, price_list=None, tax_from_rate=True):
    """The checked lines, each with ``net`` and ``tax`` computed; raises ``ValidationError``
    ``{"lines": [...]}`` naming every bad line. Nothing is written."""
    rows = list(rows)
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
    if price_list is not None and price_list.currency != currency:
        raise ValidationError(
            {"price_list": [_("This price list is in another currency than the deal.")]}
        )
    errors, lines = [], []
    fallback_rate = None
    total = Decimal(0)
    for number, row in enumerate(rows, start=1):
        try:
            line = _clean_line(row, currency, price_list, tax_from_rate)
        except ValidationError as error:
            for message in error.messages:
                errors.append(_("Line %(n)d: %(error)s") % {"n": number, "error": message})
            continue
        if tax_from_rate and line["tax_rate"] is None:
            fallback_rate = fallback_rate or default_tax_rate()
            if fallback_rate is None:
                errors.append(_("Create a tax rate first."))
                continue
            line["tax_rate"] = fallback_rate
            line["tax_percent"] = fallback_rate.rate
        line["net"], line["tax"] = line_amounts(
            line["quantity"], line["unit_price"], line["discount"], line["tax_percent"]
        )
        if line["net"] + line["tax"] > MAX_AMOUNT:
            errors.append(
                _("Line %(n)d: %(error)s")
                % {"n": number, "error": _("the line's amount is too large.")}
            )
            continue
        total += line["net"] + line["tax"]
        line["position"] = number - 1
        lines.append(line)
    if not errors and total > MAX_AMOUNT:
        errors.append(_("The total is larger than 999,999,999,999.99."))
    if errors:
        raise ValidationError({"lines": errors})
    return lines


def _clean_line(row, currency, price_list, tax_from_rate):
    errors = []
    product = row.get("product")
    if product is not None and not product.active and not row.get("keep_inactive"):
        errors.append(_("the product “%(name)s” is not sold any more.") % {"name": product.name})
    description = " ".join(str(row.get("description") or "").split())
    if not description and product is not None:
        description = product.name
    if not description:
        errors.append(_("describe the line or choose a product."))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(_("the description is longer than 300 characters."))
    values = {}
    checks = (
        ("quantity", lambda v: check_quantity(v)),
        ("discount", lambda v: check_percent(v, _("Enter a discount from 0 to 100 %."))),
    )
    for name, check in checks:
        try:
            values[name] = check(row.get(name, 1 if name == "quantity" else 0))
        except ValidationError as error:
            errors.extend(m[0].lower() + m[1:] for m in error.messages)
    raw_price = row.get("unit_price")
    if raw_price in (None, "") and product is not None:
        raw_price = price_of(product, currency, price_list)
        if raw_price is None:
            errors.append(
                _("“%(name)s” has no price in %(currency)s; enter a unit price.")
                % {"name": product.name, "currency": currency}
            )
    if raw_price not in (None, ""):
        try:
            values["unit_price"] = check_unit_price(raw_price)
        except ValidationError as error:
            errors.extend(m[0].lower() + m[1:] for m in error.messages)
    elif product is None:
        errors.append(_("enter a unit price."))
    tax_rate = row.get("tax_rate")
    if tax_from_rate:
        if tax_rate is None and product is not None:
            tax_rate = product.tax_rate
        if tax_rate is not None and not tax_rate.active and not row.get("keep_inactive"):
            errors.append(_("the tax rate “%(name)s” is not in use.") % {"name": tax_rate})
        tax_percent = tax_rate.rate if tax_rate is not None else None
    else:
        try:
            tax_percent = check_percent(row.get("tax_percent"), _("Enter a tax from 0 to 100 %."))
        except ValidationError as error:
            errors.extend(m[0].lower() + m[1:] for m in error.messages)
            tax_percent = None
    if errors:
        raise ValidationError(errors)
    return {
        "product": product,
        "description": description,
        "quantity": values["quantity"],
        "unit_price": values["unit_price"],
        "discount": values["discount"],
        "tax_rate": tax_rate,
        "tax_percent": tax_percent,
        "sku": (row.get("sku") or (product.sku if product is not None else ""))[:64],
    }


def check_currency(code):
    code = (code or "").strip().upper()
    try:
        money.validate_currency(code)
    except ValidationError as error:
        raise ValidationError({"currency": error.messages}) from error
    return code


def active_tax_rate(rate):
    """``rate`` if it can be used on new lines."""
    if not isinstance(rate, TaxRate) or not rate.active:
        raise ValidationError({"tax_rate": [_("Choose a tax rate in use.")]})
    return rate
