"""Where a webhook may point: an http(s) address without credentials whose host resolves only to
public addresses. Loopback, private, link-local (the cloud metadata service at 169.254.169.254),
multicast, reserved and unspecified addresses are refused, IPv4 and IPv6 alike (an IPv4 address
wrapped in IPv6 as well), unless ``WEBHOOK_ALLOW_PRIVATE`` is on.

It is checked when a webhook is saved and again before every attempt (the name may resolve
elsewhere since), and the connection then goes to the address that was checked, not to a second
lookup that could answer differently.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from clientela.automation.models.webhooks import MAX_URL

SCHEMES = {"http": 80, "https": 443}
MAX_HOST = 253


class UnsafeTarget(ValueError):
    """The address may not be called (the message says why, for the person who typed it)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the address (IDNA-encoded), for the Host header and TLS
    port: int
    path: str  # path and query, what the request line asks for
    ip: str  # the checked address to connect to


def parse(url):
    """``(scheme, host, port, path)`` of an address fit to be called, else ``UnsafeTarget``."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeTarget(_("Enter the address to send to."))
    url = url.strip()
    if len(url) > MAX_URL:
        raise UnsafeTarget(
            _("The address is too long (at most %(n)d characters).") % {"n": MAX_URL}
        )
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UnsafeTarget(_("The address may not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeTarget(_("This is not a valid address.")) from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeTarget(_("Use an address starting with https:// (or http://)."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget(_("Put no user name or password in the address: sign with the secret."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget(_("The address has no host name."))
    try:
        host = host.encode("idna").decode("ascii") if not _is_ip(host) else host
    except UnicodeError as error:
        raise UnsafeTarget(_("The host name is not valid.")) from error
    if len(host) > MAX_HOST:
        raise UnsafeTarget(_("The host name is not valid."))
    if port == 0:
        raise UnsafeTarget(_("This is not a valid address."))
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, host, port or SCHEMES[scheme], path


def check(url):
    """The ``Target`` to connect to for ``url``; ``UnsafeTarget`` when it may not be called or its
    host does not resolve."""
    scheme, host, port, path = parse(url)
    addresses = [host] if _is_ip(host) else resolve(host, port)
    if not addresses:
        raise UnsafeTarget(_("The host name “%(host)s” does not resolve.") % {"host": host})
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(address):
                raise UnsafeTarget(
                    _(
                        "“%(host)s” leads to a private or local address (%(ip)s): refused. An "
                        "administrator may allow it with CLIENTELA_WEBHOOK_ALLOW_PRIVATE."
                    )
                    % {"host": host, "ip": address}
                )
    return Target(scheme, host, port, path, addresses[0])


def resolve(host, port):
    """The addresses ``host`` resolves to, in the resolver's order (tests replace this)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = sockaddr[0].partition("%")[0]  # an IPv6 zone id names a local interface
        if address not in addresses:
            addresses.append(address)
    return addresses


def is_public(address):
    """Whether ``address`` is a global unicast address (IPv4 inside IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
