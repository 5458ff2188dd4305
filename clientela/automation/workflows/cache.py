"""The active rules, held in memory by the event they wait for.

``core.events.publish`` asks ``wants(name)`` inside every service's transaction: the answer
costs no query. The rules (with their conditions compiled) are read from the database at most
every ``FRESH_FOR`` seconds, only after a commit (in the subscriber); while stale every event is
"wanted" and the subscriber, reading the rules again, drops the events no rule waits for. A
change of rules in this process makes them stale at once (``changed``), other processes see it
within ``FRESH_FOR`` seconds — the same pattern as the webhooks' ``services.interest``.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.db import transaction

from . import conditions, triggers

logger = logging.getLogger(__name__)
FRESH_FOR = 10.0  # seconds

_lock = threading.Lock()
_cached = {"by_event": {}, "until": 0.0}


@dataclass
class ActiveRule:
    id: int
    name: str
    entity: str
    trigger: str
    options: dict
    conditions: conditions.Compiled


def wants(event_name):
    """Whether a rule may wait for ``event_name`` (no query: from memory)."""
    return time.monotonic() >= _cached["until"] or event_name in _cached["by_event"]


def rules_for(event_name):
    """The active rules waiting for ``event_name`` (read again when stale; call it after the
    commit, never inside a service's transaction)."""
    now = time.monotonic()
    if now >= _cached["until"]:
        by_event = _load()
        with _lock:
            _cached.update(by_event=by_event, until=now + FRESH_FOR)
    return _cached["by_event"].get(event_name, ())


def _load():
    from ..models import WorkflowRule

    by_event = {}
    rules = WorkflowRule.objects.filter(active=True).exclude(trigger__in=triggers.TIMED)
    for rule in rules.order_by("id"):
        try:
            compiled = conditions.compile_conditions(rule.entity, rule.conditions)
        except Exception:  # a field or product gone since: the rule waits until it is fixed
            logger.warning("workflow rule conditions no longer valid", extra={"rule": rule.pk})
            continue
        active = ActiveRule(
            rule.pk, rule.name, rule.entity, rule.trigger, rule.trigger_options, compiled
        )
        for name in triggers.events_of(rule.entity, rule.trigger, rule.trigger_options):
            by_event.setdefault(name, []).append(active)
    return by_event


def changed():
    """Make the rules stale now and once the transaction has committed."""
    _forget()
    transaction.on_commit(_forget)


def _forget():
    with _lock:
        _cached["until"] = 0.0
