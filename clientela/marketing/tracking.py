"""Signed links in a campaign's e-mail: the open pixel, click redirects, unsubscribe, the
preference centre and the web version.

A token is the recipient row's id and an HMAC of it (with the link's purpose, and for a click
the destination), keyed by the secret key: ``1234.Xy9...``. A changed id, purpose or
destination fails the check, so nobody can make a link that records a click for someone else
or redirects anywhere we did not write.
"""

import functools
import re
from html import unescape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape
from django.utils.text import slugify

SALT = "clientela.marketing.tracking"
OPEN, CLICK, UNSUBSCRIBE, PREFERENCES, WEB_VERSION = "o", "c", "u", "p", "v"
MESSAGE = "m"  # the Message-ID: a bounce or complaint names it (``bounces``)
# A sequence's e-mail: the token is the enrollment's id (``sequences.mail``).
SEQUENCE_UNSUBSCRIBE = "s"
MAX_TOKEN = 80
MAX_URL = 2000
_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")', re.IGNORECASE)
UTM_SOURCE, UTM_MEDIUM = "clientela", "email"


def signature(purpose, recipient_id, extra=""):
    digest = salted_hmac(SALT, f"{purpose}:{recipient_id}:{extra}", algorithm="sha256")
    return digest.hexdigest()[:32]


def token(purpose, recipient_id, extra=""):
    return f"{recipient_id}.{signature(purpose, recipient_id, extra)}"


def read_token(purpose, value, extra=""):
    """The recipient id a token is for, or ``None`` when it was not made by us."""
    recipient_id, _, given = str(value)[:MAX_TOKEN].partition(".")
    if not recipient_id.isdigit() or len(recipient_id) > 18:
        return None
    expected = signature(purpose, int(recipient_id), extra)
    return int(recipient_id) if constant_time_compare(given, expected) else None


def message_id(campaign_id, recipient_id, domain):
    return f"<c{campaign_id}.r{token(MESSAGE, recipient_id)}@{domain}>"


_MESSAGE_ID = re.compile(r"<c\d+\.r(\d+\.[0-9a-f]{32})@[^>\s]+>")


def recipient_of_message_id(value):
    """The recipient id a Message-ID we made names, or ``None``."""
    found = _MESSAGE_ID.search(str(value)[:1000])
    return read_token(MESSAGE, found.group(1)) if found else None


def absolute(path):
    return settings.BASE_URL.rstrip("/") + path


_URL_NAMES = {
    OPEN: "open",
    CLICK: "click",
    UNSUBSCRIBE: "unsubscribe",
    PREFERENCES: "preferences",
    WEB_VERSION: "web_version",
    SEQUENCE_UNSUBSCRIBE: "sequence_unsubscribe",
}


@functools.cache
def _path_around_token(purpose):
    """``(before, after)`` the token in the link's path: reversed once, not per message."""
    path = reverse(f"track:{_URL_NAMES[purpose]}", args=["TOKEN"])
    before, _, after = path.partition("TOKEN")
    return before, after


def link(purpose, recipient_id):
    before, after = _path_around_token(purpose)
    return absolute(f"{before}{token(purpose, recipient_id)}{after}")


def click_link(recipient_id, url):
    before, after = _path_around_token(CLICK)
    path = f"{before}{token(CLICK, recipient_id, url)}{after}"
    return absolute(f"{path}?u={quote(url, safe='')}")


def utm_campaign(campaign):
    return campaign.utm_campaign or slugify(campaign.name)[:100] or f"campaign-{campaign.pk}"


def tag_url(url, campaign_slug):
    """``url`` with ``utm_source``/``utm_medium``/``utm_campaign`` added, unless it has its
    own; only web addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.startswith("utm_") for key, _ in query):
        return url
    query += [
        ("utm_source", UTM_SOURCE),
        ("utm_medium", UTM_MEDIUM),
        ("utm_campaign", campaign_slug),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def instrument(html, campaign, recipient_id):
    """The message's HTML with its web links tagged and sent through the click redirect, and
    the open pixel at the end, as the campaign asks."""
    slug = utm_campaign(campaign) if campaign.utm_tagging else None

    def rewrite(match):
        url = unescape(match.group(2)).strip()
        if urlsplit(url).scheme not in ("http", "https") or len(url) > MAX_URL:
            return match.group(0)
        if url.startswith(settings.BASE_URL.rstrip("/") + "/m/"):
            return match.group(0)  # our own unsubscribe and preference links
        if slug:
            url = tag_url(url, slug)
        if campaign.track_clicks:
            url = click_link(recipient_id, url)
        return match.group(1) + escape(url) + match.group(3)

    html = _HREF.sub(rewrite, html)
    if campaign.track_opens:
        pixel = (
            f'<img src="{escape(link(OPEN, recipient_id))}" width="1" height="1" alt="" '
            'style="display:block;border:0;width:1px;height:1px">'
        )
        at = html.lower().rfind("</body>")
        html = html[:at] + pixel + html[at:] if at >= 0 else html + pixel
    return html
