"""How fast messages may go out: token buckets in the database, shared by every worker.

One bucket per mail server (``CLIENTELA_EMAIL_RATE`` messages per second) and one per
campaign with a pace of its own (messages per minute). A sender asks for a number of
messages and gets what both buckets can give now; tokens accrue at the rate, up to one
second's worth (so a burst never exceeds the rate).
"""

import time

from django.db import transaction

from ..models import SendingAllowance


def take(wanted, limits, *, now=None):
    """``limits``: ``{key: messages per second}``. Returns how many of ``wanted`` messages may
    go now (0: wait ``wait_time(limits)``), taken from every bucket."""
    limits = {key: rate for key, rate in limits.items() if rate}
    if not limits:
        return wanted
    now = time.time() if now is None else now
    with transaction.atomic():
        buckets = []
        for key in sorted(limits):  # one order for every worker: no deadlock
            bucket, _ = SendingAllowance.objects.select_for_update().get_or_create(
                key=key, defaults={"tokens": limits[key], "refilled_at": now}
            )
            rate = limits[key]
            elapsed = max(0.0, now - bucket.refilled_at)
            bucket.tokens = min(max(rate, 1.0), bucket.tokens + elapsed * rate)
            bucket.refilled_at = now
            buckets.append(bucket)
        granted = min(wanted, *(int(bucket.tokens) for bucket in buckets))
        for bucket in buckets:
            bucket.tokens -= granted
            bucket.save(update_fields=["tokens", "refilled_at"])
    return granted


def wait_time(limits):
    """How long to wait before one more message may go, at the slowest rate."""
    rates = [rate for rate in limits.values() if rate]
    return 1.0 / min(rates) if rates else 0.0
