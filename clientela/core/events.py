"""After-commit domain events.

Services call ``publish("contact.created", record=..., actor=...)``; subscribers run only once the
transaction has committed, so webhooks, automation and notifications never see a rolled-back
change. Subscribers must be idempotent: they may be retried.
"""

import logging
from collections import defaultdict

from django.db import transaction

logger = logging.getLogger(__name__)
_subscribers = defaultdict(list)


def subscribe(event_name):
    """Decorator: call the function with the event's payload after each commit of the event.

    ``"*"`` subscribes to every event.
    """

    def register(handler):
        _subscribers[event_name].append(handler)
        return handler

    return register


def unsubscribe(event_name, handler):
    """Remove a handler added with ``subscribe`` (tests, plugins being unloaded)."""
    if handler in _subscribers.get(event_name, []):
        _subscribers[event_name].remove(handler)


def publish(event_name, **payload):
    """Queue the event for the subscribers; they run after the surrounding transaction commits
    (at once outside a transaction) and never if it rolls back."""
    handlers = _subscribers.get(event_name, []) + _subscribers.get("*", [])
    if not handlers:
        return

    def dispatch():
        for handler in handlers:
            try:
                handler(event_name, **payload)
            except Exception:  # one broken subscriber must not hide the event from the rest
                logger.exception("event subscriber failed", extra={"event": event_name})

    transaction.on_commit(dispatch)
