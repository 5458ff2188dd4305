"""After-commit domain events.

Services call ``publish("contact.created", record=..., actor=...)``; subscribers run only once the
transaction has committed, so webhooks, automation and notifications never see a rolled-back
change. Subscribers must be idempotent: they may be retried. ``core.event_types`` lists the
events other systems may subscribe to.

A subscriber may say which events it wants (``wants(name) -> bool``, e.g. only those an active
webhook listens to): an event nobody wants costs nothing, and bulk writes (imports) ask
``is_wanted`` once per batch before publishing one event per record.
"""

import contextvars
import logging
from collections import defaultdict

from django.db import transaction

logger = logging.getLogger(__name__)
_subscribers = defaultdict(list)


def subscribe(event_name, *, wants=None):
    """Decorator: call the function with the event's payload after each commit of the event.

    ``"*"`` subscribes to every event; ``wants(name)`` narrows it (it must be cheap: it runs in
    every ``publish``).
    """

    def register(handler):
        handler.wants = wants
        _subscribers[event_name].append(handler)
        return handler

    return register


def unsubscribe(event_name, handler):
    """Remove a handler added with ``subscribe`` (tests, plugins being unloaded)."""
    if handler in _subscribers.get(event_name, []):
        _subscribers[event_name].remove(handler)


def _handlers(event_name):
    return [
        handler
        for handler in _subscribers.get(event_name, []) + _subscribers.get("*", [])
        if getattr(handler, "wants", None) is None or handler.wants(event_name)
    ]


def is_wanted(event_name):
    """Whether a subscriber would receive ``event_name`` now."""
    return bool(_handlers(event_name))


def publish(event_name, **payload):
    """Queue the event for the subscribers; they run after the surrounding transaction commits
    (at once outside a transaction) and never if it rolls back."""
    handlers = _handlers(event_name)
    if not handlers:
        return

    # Subscribers see the change's context as it was when published (its source, request id
    # and chain of workflow rules), even when the commit happens outside that context.
    context = contextvars.copy_context()

    def dispatch():
        context.run(_dispatch, handlers, event_name, payload)

    transaction.on_commit(dispatch)


def _dispatch(handlers, event_name, payload):
    for handler in handlers:
        try:
            handler(event_name, **payload)
        except Exception:  # one broken subscriber must not hide the event from the rest
            logger.exception("event subscriber failed", extra={"event": event_name})
