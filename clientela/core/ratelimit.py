"""A fixed-window counter in the cache, for the public pages (forms, links in e-mails)."""

from django.core.cache import cache


def exceeded(key, limit, window):
    """Count one more use of ``key``; true once it was used more than ``limit`` times in the
    current window of ``window`` seconds."""
    key = f"clientela:rate:{key}"
    cache.add(key, 0, window)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return False
