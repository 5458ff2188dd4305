"""Small template helpers shared by Clientela's pages."""

import math

from django import template

from clientela.core.prefetch import related

register = template.Library()


@register.filter
def minutes(duration):
    """A ``timedelta`` as whole minutes, rounded up (for "try again in N minutes")."""
    if duration is None:
        return ""
    return max(1, math.ceil(duration.total_seconds() / 60))


@register.filter(name="related")
def related_rows(record, relation):
    """``record|related:"tags"``: the rows of a to-many relation, prefetched or not."""
    return related(record, relation)
