"""Where the current change comes from: request id and source (ui/api/cli/import/automation).

Set once at the edge (middleware, API view, CLI command, job) and read by the history recorder,
so services need not pass them along.
"""

import contextlib
import contextvars
import uuid

from clientela.core.choices import ChangeSource

_source = contextvars.ContextVar("clientela_source", default=ChangeSource.SYSTEM)
_request_id = contextvars.ContextVar("clientela_request_id", default="")
# The workflow rules whose actions led to the current change, first to last (loop protection).
_chain = contextvars.ContextVar("clientela_automation_chain", default=())


def current_source():
    return _source.get()


def current_request_id():
    return _request_id.get()


def current_chain():
    """Ids of the workflow rules whose actions caused the current change (empty: a person or
    the system made it)."""
    return _chain.get()


def new_request_id():
    return uuid.uuid4().hex


@contextlib.contextmanager
def change_context(source=None, request_id=None, chain=None):
    """Run a block with the given source, request id and/or chain of workflow rules."""
    tokens = []
    if chain is not None:
        tokens.append((_chain, _chain.set(tuple(chain))))
    if source is not None:
        tokens.append((_source, _source.set(source)))
    if request_id is not None:
        tokens.append((_request_id, _request_id.set(request_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
