"""The active sequences, held in memory by the events they care about, so the event
handlers cost nothing when no sequence is active — the workflow rules' pattern
(``automation.workflows.cache``).

``wants(name)`` answers without a query; the sequences are read again at most every
``FRESH_FOR`` seconds, after a commit (in the handlers). A change of sequences in this
process makes them stale at once (``changed``); other processes see it within ``FRESH_FOR``.
"""

import threading
import time
from dataclasses import dataclass

from django.db import transaction

from . import triggers

FRESH_FOR = 10.0  # seconds
# Events every active sequence cares about: its contacts' consent and existence.
CONTACT_EVENTS = ("contact.updated", "contact.deleted", "contact.anonymised")
REPLY_EVENT = "activity.created"
PURCHASE_EVENT = "purchase.created"

_lock = threading.Lock()
_cached = {"by_event": {}, "wanted": frozenset(), "until": 0.0}


@dataclass(frozen=True)
class ActiveSequence:
    id: int
    trigger: str
    options: dict
    exit_on_purchase: bool
    exit_on_reply: bool


def wants(event_name):
    """Whether an active sequence may care about ``event_name`` (no query)."""
    return time.monotonic() >= _cached["until"] or event_name in _cached["wanted"]


def _fresh():
    now = time.monotonic()
    if now >= _cached["until"]:
        by_event, wanted = _load()
        with _lock:
            _cached.update(by_event=by_event, wanted=wanted, until=now + FRESH_FOR)
    return _cached


def sequences_for(event_name):
    """The active sequences an event enrols contacts in (call it after the commit)."""
    return _fresh()["by_event"].get(event_name, ())


def wanted(event_name):
    """Like ``wants``, with the sequences read again when stale (after the commit)."""
    return event_name in _fresh()["wanted"]


def _load():
    from ..choices import SequenceStatus
    from ..models import Sequence

    by_event, wanted = {}, set()
    rows = Sequence.objects.filter(status=SequenceStatus.ACTIVE).order_by("id")
    for row in rows.values_list(
        "id", "trigger", "trigger_options", "exit_on_purchase", "exit_on_reply"
    ):
        active = ActiveSequence(*row)
        wanted.update(CONTACT_EVENTS)
        if active.exit_on_purchase:
            wanted.add(PURCHASE_EVENT)
        if active.exit_on_reply:
            wanted.add(REPLY_EVENT)
        for name in triggers.events_of(active.trigger, active.options):
            by_event.setdefault(name, []).append(active)
            wanted.add(name)
    return by_event, frozenset(wanted)


def changed():
    """Make the sequences stale now and once the transaction has committed."""
    _forget()
    transaction.on_commit(_forget)


def _forget():
    with _lock:
        _cached["until"] = 0.0
