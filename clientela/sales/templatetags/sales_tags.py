"""Sections other pages include: a contact's purchases, a deal's lines and quotes."""

from decimal import Decimal

from django import template

from clientela.core import permissions

from ..models import Purchase, Quote
from ..totals import totals_of

register = template.Library()

SHOWN = 10


@register.inclusion_tag("sales/purchases/_contact_purchases.html", takes_context=True)
def contact_purchases(context, contact):
    """The latest purchases of ``contact`` the reader may see, with a link to all of them."""
    user = context["request"].user
    if not permissions.can_read(user, "sales"):
        return {"shown": False}
    found = list(
        permissions.visible(user, Purchase.objects.filter(contact=contact))
        .select_related("company")
        .order_by("-purchased_at", "-id")[: SHOWN + 1]
    )
    return {
        "shown": True,
        "contact": contact,
        "purchases": found[:SHOWN],
        "more": len(found) > SHOWN,
        "can_write": permissions.can_write(user, "sales"),
    }


@register.inclusion_tag("sales/_deal_lines_and_quotes.html", takes_context=True)
def deal_lines_and_quotes(context, deal):
    """The deal's line items with their totals, and its quote versions."""
    request = context["request"]
    lines = list(deal.line_items.order_by("position", "id"))
    return {
        "deal": deal,
        "lines": lines,
        "totals": totals_of(lines),
        "quotes": Quote.objects.filter(deal=deal).defer("pdf").order_by("-version"),
        "can_change": permissions.can_change_record(request.user, deal),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def price(value):
    """A unit price with two decimals, or up to four when it needs them (0.0125)."""
    if value is None:
        return ""
    value = Decimal(value)
    cents = value.quantize(Decimal("0.01"))
    return f"{cents}" if cents == value else f"{value.normalize():f}"


@register.filter
def quantity(value):
    if value is None:
        return ""
    value = Decimal(value).normalize()
    return f"{value.quantize(Decimal(1)) if value == value.to_integral() else value:f}"


@register.filter
def percent(value):
    return quantity(value)


@register.inclusion_tag("sales/_qualify_button.html", takes_context=True)
def qualify_button(context, contact):
    """ "Create a deal" on a contact's page, for people who may write sales."""
    user = context["request"].user
    return {
        "shown": permissions.can_write(user, "sales") and contact.deleted_at is None,
        "contact": contact,
        "csrf_token": context.get("csrf_token"),
    }
