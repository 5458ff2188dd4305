"""Small template helpers shared by Clientela's pages."""

import math

from django import template

register = template.Library()


@register.filter
def minutes(duration):
    """A ``timedelta`` as whole minutes, rounded up (for "try again in N minutes")."""
    if duration is None:
        return ""
    return max(1, math.ceil(duration.total_seconds() / 60))
