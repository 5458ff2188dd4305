"""Social profiles and websites: what a person types in, checked and rewritten as one canonical
``https://`` address.

Each network is a fixed column (``linkedin``, ``x``, ``instagram``, ``facebook``, ``tiktok``,
``website``) rather than a list of free links: a known network can be checked strictly (its
host, its handle's alphabet), shown with its name, filtered and exported as its own column, and
the canonical form means the same profile typed two ways is stored once.

Accepted: the full address (with or without ``https://``, ``www.`` or a mobile host, a query or
a fragment, which are dropped), or the handle alone (``@ana_garcia`` or ``ana_garcia``). The
address is rebuilt from the parsed handle, never copied, so nothing but the handle's checked
characters reaches a link. Refused: any other scheme (``javascript:``, ``data:``...), another
host (``x.com.evil.es``, ``x.com@evil.es``, look-alike letters), control, blank or invisible
characters anywhere, and input longer than ``MAX_INPUT``.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_INPUT = 300  # the column's length; a longer value is refused before it is parsed
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Network:
    field: str
    label: str
    hosts: tuple  # the first one is the canonical host
    handle: re.Pattern  # a handle's characters and length
    canonical: str  # "{handle}" is replaced by the handle


NETWORKS = {
    n.field: n
    for n in (
        Network(
            "linkedin",
            gettext_lazy("LinkedIn"),
            ("www.linkedin.com", "linkedin.com"),
            # Vanity names may hold letters of any script, digits and hyphens.
            re.compile(r"[^\W_](?:[\w-]{1,98}[^\W_])?"),
            "https://www.linkedin.com/{section}/{handle}",
        ),
        Network(
            "x",
            gettext_lazy("X (Twitter)"),
            ("x.com", "twitter.com"),
            re.compile(r"[A-Za-z0-9_]{1,15}", re.ASCII),
            "https://x.com/{handle}",
        ),
        Network(
            "instagram",
            gettext_lazy("Instagram"),
            ("www.instagram.com", "instagram.com"),
            re.compile(r"[A-Za-z0-9_.]{1,30}", re.ASCII),
            "https://www.instagram.com/{handle}",
        ),
        Network(
            "facebook",
            gettext_lazy("Facebook"),
            ("www.facebook.com", "facebook.com", "fb.com"),
            re.compile(r"[A-Za-z0-9.]{5,50}", re.ASCII),
            "https://www.facebook.com/{handle}",
        ),
        Network(
            "tiktok",
            gettext_lazy("TikTok"),
            ("www.tiktok.com", "tiktok.com"),
            re.compile(r"[A-Za-z0-9_.]{2,24}", re.ASCII),
            "https://www.tiktok.com/@{handle}",
        ),
    )
}
# In display order; ``website`` is a plain http(s) address of any host.
PROFILE_FIELDS = ("website", "linkedin", "x", "instagram", "facebook", "tiktok")
# First path segments that are pages of the network, never a profile.
_RESERVED = {"home", "login", "share", "sharer", "intent", "search", "explore", "settings"}
_FACEBOOK_ID = re.compile(r"[0-9]{1,20}", re.ASCII)


def normalize_profile(field, value, *, company=False):
    """The canonical address of ``value`` for the profile ``field`` ("" when empty), or raise
    ``ValidationError``. ``company`` says a LinkedIn handle is a company page (``/company/``),
    not a person's (``/in/``)."""
    text = _checked_text(value)
    if not text:
        return ""
    if field == "website":
        return normalize_website(text)
    network = NETWORKS[field]
    handle, section = _handle_of(network, text, company=company)
    if field == "facebook" and section == "profile.php":
        return f"https://www.facebook.com/profile.php?id={handle}"
    return network.canonical.format(handle=quote(handle, safe="-_."), section=section)


def normalize_website(value):
    """An ``http``/``https`` address (``https://`` added when there is no scheme), or raise."""
    text = _checked_text(value)
    if not text:
        return ""
    match = _SCHEME.match(text)
    if match and match.group(1).lower() not in ("http", "https") and "." not in match.group(1):
        raise _invalid(_("Only http and https addresses are accepted."))
    if not text.lower().startswith(("http://", "https://")):
        text = "https://" + text
    parts = _split(text)
    if parts.username or parts.password:
        raise _invalid(_("Enter an address without a user name or password."))
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError as error:
        raise _invalid(_("Enter a valid web address.")) from error
    try:
        netloc = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    except ValueError as error:  # a port out of range
        raise _invalid(_("Enter a valid web address.")) from error
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc).geturl()


def _checked_text(value):
    """``value`` stripped, refused when too long or holding control, format (zero-width,
    bidirectional) or blank characters inside."""
    text = str(value or "")
    if len(text) > MAX_INPUT:
        raise _invalid(_("Enter at most %(max)d characters.") % {"max": MAX_INPUT})
    text = text.strip()
    for char in text:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise _invalid(_("Remove the spaces and invisible characters."))
    return text


def _handle_of(network, text, *, company):
    """``(handle, section)`` of a handle or address on ``network``."""
    section = "company" if company else "in"
    if not ("/" in text or _SCHEME.match(text)):
        return _check_handle(network, text.removeprefix("@")), section
    match = _SCHEME.match(text)
    if match and match.group(1).lower() not in ("http", "https"):
        raise _invalid(_("Only http and https addresses are accepted."))
    if not match:
        text = "https://" + text.lstrip("/")
    parts = _split(text)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or parts.port or not _is_host_of(network, host):
        raise _invalid(
            _("Enter an address on %(host)s or just the handle.") % {"host": network.hosts[0]}
        )
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if network.field == "linkedin":
        if len(segments) < 2 or segments[0] not in ("in", "company"):
            raise _invalid(_("Enter a LinkedIn profile (/in/...) or company page (/company/...)."))
        section, segments = segments[0], segments[1:]
    if network.field == "facebook" and segments[:1] == ["profile.php"]:
        ids = [v for k, _sep, v in (p.partition("=") for p in parts.query.split("&")) if k == "id"]
        if not ids or not _FACEBOOK_ID.fullmatch(ids[0]):
            raise _invalid(_("Enter a valid %(network)s profile.") % {"network": network.label})
        return ids[0], "profile.php"
    if not segments:
        raise _invalid(_("Enter a valid %(network)s profile.") % {"network": network.label})
    return _check_handle(network, segments[0].removeprefix("@")), section


def _is_host_of(network, host):
    """The network's host or one of its subdomains (``es.linkedin.com``, ``m.facebook.com``)."""
    return any(host == h or host.endswith("." + h) for h in network.hosts)


def _split(text):
    try:
        return urlsplit(text)
    except ValueError as error:  # a bad IPv6 literal, characters that NFKC turns into "/"...
        raise _invalid(_("Enter a valid web address.")) from error


def _check_handle(network, handle):
    if handle.lower() in _RESERVED or not network.handle.fullmatch(handle):
        raise _invalid(_("Enter a valid %(network)s profile.") % {"network": network.label})
    return handle


def _invalid(message):
    return ValidationError(message, code="invalid_profile")
