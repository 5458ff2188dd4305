"""Display helpers of the contact pages."""

from django import template
from django.utils.html import format_html

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
