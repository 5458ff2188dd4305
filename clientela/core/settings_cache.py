"""Settings rows that every captured e-mail or new record reads (custom field definitions, SLA
policies, service mailboxes, whether any assignment rule is active), held per process.

A watched model saved or deleted in this process forgets them all at once; other processes read
them again within ``FRESH_FOR`` seconds (the workflow rules' pattern). Inside a transaction that
changed one of them nothing is stored: the rows read may yet be rolled back.
"""

import threading
import time

from django.db import connection
from django.db.models.signals import post_delete, post_save

FRESH_FOR = 10.0  # seconds

_lock = threading.Lock()
_values = {}  # key -> (fresh until, value)


def get(key, load):
    """The value under ``key``, from memory while fresh, else ``load()`` (and kept)."""
    if _changed_in_this_transaction():
        return load()
    now = time.monotonic()
    held = _values.get(key)
    if held is not None and held[0] > now:
        return held[1]
    value = load()
    with _lock:
        _values[key] = (now + FRESH_FOR, value)
    return value


def changed(**_signal):
    """Forget every value; until this transaction ends, read them from the database."""
    clear()
    if connection.in_atomic_block:
        connection.settings_changed_in = connection.atomic_blocks[0]


def _changed_in_this_transaction():
    """Whether the transaction under way (its outermost block) changed a watched row."""
    blocks = connection.atomic_blocks
    return bool(blocks) and getattr(connection, "settings_changed_in", None) is blocks[0]


def clear():
    with _lock:
        _values.clear()


def watch(*models):
    """Forget the values whenever a row of ``models`` is saved or deleted."""
    for model in models:
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"settings-{model}")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"settings-{model}-")
