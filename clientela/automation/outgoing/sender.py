"""One POST of a webhook delivery, with the standard library's HTTP client.

The host is checked (``guard``) and the connection made to the very address checked. Limits:
5 s to connect, 10 s for the whole exchange (a watchdog closes the socket of a server that
answers a byte at a time), at most 64 KB of the answer read, redirects never followed (a
redirect could lead to an address the guard refuses). A 2xx answer is a success; anything else,
or no answer, is a failure whose reason is returned.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from . import guard

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Clientela-Webhooks/1"


@dataclass
class Outcome:
    status: int | None = None  # the HTTP status code, None without an answer
    body: bytes = b""  # the start of the answer (at most MAX_RESPONSE_BYTES)
    error: str = ""  # why it failed, for the delivery log
    duration_ms: int = 0

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300 and not self.error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address while the Host header names the host."""

    def __init__(self, target, **kwargs):
        super().__init__(target.host, target.port, **kwargs)
        self.target_ip = target.ip

    def connect(self):
        self.sock = socket.create_connection((self.target_ip, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: certificate checked against the host name (SNI included)."""

    def __init__(self, target, **kwargs):
        super().__init__(target.host, target.port, context=ssl.create_default_context(), **kwargs)
        self.target_ip = target.ip

    def connect(self):
        sock = socket.create_connection((self.target_ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url, body, headers):
    """POST ``body`` (bytes) to ``url`` with ``headers``; returns the ``Outcome``."""
    started = time.monotonic()
    with translation.override(settings.LANGUAGE_CODE):  # the log is read by the whole team
        outcome = _post(url, body, headers, started)
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


def _post(url, body, headers, started):
    try:
        target = guard.check(url)
    except guard.UnsafeTarget as error:
        return Outcome(error=str(error))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=CONNECT_TIMEOUT)
    watchdog, cut, connected = None, threading.Event(), False
    try:
        connection.connect()
        connected = True
        remaining = TOTAL_TIMEOUT - (time.monotonic() - started)
        watchdog = threading.Timer(max(remaining, 0.01), _cut, [connection, cut])
        watchdog.daemon = True
        watchdog.start()
        connection.sock.settimeout(max(remaining, 0.01))
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={**headers, "User-Agent": USER_AGENT, "Content-Length": str(len(body))},
        )
        response = connection.getresponse()
        answer = _read(response)
        if cut.is_set():  # what was read so far ended where the watchdog cut it
            raise TimeoutError
    except TimeoutError:
        if not connected:
            return Outcome(error=_("No connection within %(s)d seconds.") % {"s": CONNECT_TIMEOUT})
        return Outcome(error=_("No answer within %(s)d seconds.") % {"s": TOTAL_TIMEOUT})
    except ssl.SSLError as error:
        return Outcome(error=_("TLS failed: %(error)s") % {"error": _short(error)})
    except (OSError, http.client.HTTPException) as error:
        if cut.is_set():
            return Outcome(error=_("No answer within %(s)d seconds.") % {"s": TOTAL_TIMEOUT})
        return Outcome(error=_("Could not connect: %(error)s") % {"error": _short(error)})
    finally:
        if watchdog is not None:
            watchdog.cancel()
        connection.close()
    outcome = Outcome(status=response.status, body=answer)
    if 300 <= response.status < 400:
        location = response.getheader("Location", "")[:200]
        outcome.error = _("Redirected to %(location)s: redirects are not followed.") % {
            "location": location or "?"
        }
    elif not outcome.ok:
        outcome.error = _("The receiver answered %(code)d.") % {"code": response.status}
    return outcome


def _read(response):
    """At most ``MAX_RESPONSE_BYTES`` of the answer, a chunk at a time."""
    chunks, size = [], 0
    while size < MAX_RESPONSE_BYTES:
        chunk = response.read1(MAX_RESPONSE_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _cut(connection, cut):
    """The watchdog: the exchange took too long, close the socket under the reader."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _short(error):
    return (str(error) or type(error).__name__)[:200]
