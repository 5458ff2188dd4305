"""Transactions for callers that undo everything on any error.

A service wraps its writes in ``transaction.atomic``; inside another transaction that is a
savepoint: two more round trips to the database, so that a caller may catch the service's error
and go on. A caller that never does (intake's capture of one e-mail: any error undoes the whole
message) opens ``all_or_nothing()``, and the services marked ``@atomic`` take no savepoint in it.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_without_savepoints = ContextVar("without_savepoints", default=False)


@contextmanager
def all_or_nothing():
    """One transaction in which the ``@atomic`` services take no savepoints: an error inside
    must leave the block (it marks the whole transaction for rolling back)."""
    token = _without_savepoints.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        _without_savepoints.reset(token)


def atomic(func):
    """``transaction.atomic`` for a service, without a savepoint inside ``all_or_nothing``."""

    @functools.wraps(func)
    def inner(*args, **kwargs):
        with transaction.atomic(savepoint=not _without_savepoints.get()):
            return func(*args, **kwargs)

    return inner
