"""Display helpers of the contact pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clientela.core.prefetch import related
from clientela.core.validators import format_phone

register = template.Library()


@register.filter
def phone(number):
    """A stored E.164 number as people read it (national for Spain)."""
    return format_phone(number) if number else ""


@register.filter
def primary_number(record):
    """The primary phone of a record whose phones are prefetched (no extra query)."""
    phones = related(record, "phones")
    chosen = next((p for p in phones if p.is_primary), phones[0] if phones else None)
    return chosen.number if chosen else ""


@register.filter
def breakable_email(address):
    """An e-mail address that may wrap before its ``@`` in a narrow table column."""
    local, at, domain = str(address).partition("@")
    return format_html("{}<wbr>@{}", local, domain) if at else address


@register.filter
def social_links(record):
    """``[(label, address)]`` of the record's social profiles (and a contact's website; a
    company's is shown with its domain). Only http(s) addresses, whatever is stored."""
    from ..social import NETWORKS, PROFILE_FIELDS

    names = [n for n in PROFILE_FIELDS if n != "website" or hasattr(record, "has_email")]
    links = []
    for name in names:
        address = getattr(record, name, "")
        if address and address.startswith(("https://", "http://")):
            label = NETWORKS[name].label if name in NETWORKS else _("Website")
            links.append((label, address))
    return links


@register.inclusion_tag("contacts/_quality_panel.html", takes_context=True)
def quality_panel(context, record):
    """The record's completeness and what it lacks, each linked to its field on the edit
    page (for those who may change the record)."""
    from .. import quality

    missing = quality.missing(record)
    return {
        "score": 100 - sum(c.weight for c in missing),
        "missing": missing,
        "can_change": context.get("can_change"),
        "edit_url": context.get("edit_url"),
    }
