"""Which events some active webhook listens to, answered from memory.

``core.events.publish`` asks ``wants(name)`` for every event of every service, inside the
service's transaction: the answer must cost no query. It comes from a set read from the
database at most every ``FRESH_FOR`` seconds, and only after a commit (by ``queue_event``):
while the set is stale every event is "wanted", and the webhook subscriber, after the commit,
reads the set again and drops the events nobody listens to. A change of webhooks in this process
makes the set stale at once; other processes (a second web server, the worker) read it again
within ``FRESH_FOR`` seconds.
"""

import threading
import time

from django.db import transaction

FRESH_FOR = 10.0  # seconds

_lock = threading.Lock()
_cached = {"events": frozenset(), "until": 0.0}


def wants(event_name):
    """Whether ``event_name`` may interest a webhook (no query: from memory)."""
    return time.monotonic() >= _cached["until"] or event_name in _cached["events"]


def wanted_events():
    """The event names at least one active webhook listens to (read again when stale; call it
    after the commit, never inside a service's transaction)."""
    now = time.monotonic()
    if now < _cached["until"]:
        return _cached["events"]
    from ..models import OutgoingWebhook

    names = frozenset(
        name
        for events in OutgoingWebhook.objects.filter(active=True).values_list("events", flat=True)
        for name in (events if isinstance(events, list) else ())
    )
    with _lock:
        _cached.update(events=names, until=now + FRESH_FOR)
    return names


def changed():
    """Make the set stale now and once the transaction has committed (the change is then
    seen by the next event)."""
    _forget()
    transaction.on_commit(_forget)


def _forget():
    with _lock:
        _cached["until"] = 0.0
