"""The notification bell of every page's header."""

from django import template

from ..services import notifications

register = template.Library()


@register.inclusion_tag("collaboration/_bell.html")
def notification_bell(user):
    """A link to the notifications with the number unread (one indexed count)."""
    return {"unread": notifications.unread_count(user)}
