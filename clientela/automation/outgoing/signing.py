"""The ``Clientela-Signature`` header: ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``
with the webhook's secret. The time is inside what is signed, so a receiver that refuses old
timestamps cannot be fed a recorded request again; ``docs/guide/webhooks.md`` shows how to check
it."""

import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # noqa: S105 (marks a secret as one of ours, is not one)
TOLERANCE = 300  # seconds a receiver should accept between the signature's time and its clock


def new_secret():
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret, body, timestamp):
    """The hex digest for ``body`` (bytes) signed at ``timestamp`` (whole seconds)."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret, body, timestamp=None):
    timestamp = int(time.time() if timestamp is None else timestamp)
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify(secret, body, value, *, now=None, tolerance=TOLERANCE):
    """Whether ``value`` (a ``Clientela-Signature`` header) signs ``body`` with ``secret``
    within ``tolerance`` seconds of ``now``: what a receiver does, here for tests and tools."""
    fields = {}
    for part in (value or "").split(","):
        key, _sep, field = part.strip().partition("=")
        fields.setdefault(key, []).append(field)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
