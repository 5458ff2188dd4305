"""A raw message read into what a timeline needs, with the stdlib ``email`` package
(``policy.default``).

Reading is lenient where mail is commonly broken: an unknown or lying charset is decoded with
replacement characters, a bad date is no date, an address that is not one is dropped. What
cannot be read as an e-mail at all (no sender) raises ``ValueError``, and the message is kept
as failed, to be replayed."""

import contextlib
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.activities import richtext
from clientela.activities.services import EARLIEST, LATEST, MAX_ADDRESSES
from clientela.core.validators import normalize_email

MAX_SUBJECT = 300
MAX_MESSAGE_ID = 500
MAX_REFERENCES = 50
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,498}>")


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int
    content: bytes | None  # None: larger than the limit, not kept


@dataclass
class ParsedMail:
    fingerprint: str
    message_id: str
    in_reply_to: list
    references: list
    from_address: str
    from_name: str
    to_addresses: list
    cc_addresses: list
    subject: str
    date: datetime.datetime | None
    body: str  # sanitised HTML, ready for the activity
    attachments: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # what was left out, said on the timeline
    # Every header as received (lower-cased names, unfolded values, repeated ones joined by
    # ", "): what tells automatic mail (auto-replies, bounces, lists) from a person's.
    headers: dict = field(default_factory=dict)
    # The HTML part as received, when the body was made from it (no plain text part). Not
    # sanitised: never shown, only read by code that makes text of its own from it.
    html_source: str = ""

    @property
    def recipients(self):
        return list(dict.fromkeys(self.to_addresses + self.cc_addresses))


def parse(raw, *, max_attachment_bytes, headers_only=False):
    """``raw`` (bytes) as a ``ParsedMail``; raises ``ValueError`` when it is not an e-mail.

    Identifiers, dates and addresses are read from the raw header values (the structured
    header classes of ``policy.default`` cost more than the rest of the capture); the subject
    and the body go through ``policy.default``."""
    message = message_from_bytes(raw, policy=policy.default)
    headers = _raw_headers(message)
    senders = _addresses(headers, "from") or _addresses(headers, "sender")
    if not senders:
        raise ValueError("no sender address (From) could be read")
    from_name, from_address = senders[0]
    message_id = _first_id(headers.get("message-id", ""))
    subject = " ".join(_header(message, "subject").split())[:MAX_SUBJECT]
    date = _date(headers.get("date", ""))
    body, attachments, notes, html_source = "", [], [], ""
    if not headers_only:
        body, attachments, notes, html_source = _content(message, max_attachment_bytes)
    return ParsedMail(
        fingerprint=fingerprint(raw, message_id, from_address, date, subject),
        message_id=message_id,
        in_reply_to=_ids(headers.get("in-reply-to", "")),
        references=_ids(headers.get("references", "")),
        from_address=from_address,
        from_name=from_name,
        to_addresses=[a for _n, a in _addresses(headers, "to")],
        cc_addresses=[a for _n, a in _addresses(headers, "cc")],
        subject=subject,
        date=date,
        body=body,
        attachments=attachments,
        notes=notes,
        headers=headers,
        html_source=html_source,
    )


def _raw_headers(message):
    """Lower-cased name -> the raw values (unfolded), several joined by ", "."""
    found = {}
    for name, value in message.raw_items():
        value = " ".join(str(value).split())
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def fingerprint(raw, message_id, from_address, date, subject):
    """The Message-ID, or (without one) the sender, date, subject and body: the same message
    read from two folders, or delivered twice, has one fingerprint. Line endings are
    normalised, as servers store LF or CRLF."""
    if message_id:
        return hashlib.sha256(b"id\0" + message_id.encode()).hexdigest()
    text = raw.replace(b"\r\n", b"\n")
    _head, _sep, body = text.partition(b"\n\n")
    digest = hashlib.sha256(b"content\0")
    for part in (from_address, date.isoformat() if date else "", subject):
        digest.update(part.encode() + b"\0")
    digest.update(body.rstrip())
    return digest.hexdigest()


def _header(message, name):
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse is no header
        value = None
    return str(value or "")


def _addresses(headers, name):
    found = []
    for display, address in getaddresses([headers.get(name, "")]):
        if "@" not in address:
            continue
        try:
            found.append((_decoded(display), normalize_email(address)))
        except ValidationError:
            continue
    unique = list({a: (n, a) for n, a in reversed(found)}.values())[::-1]
    return unique[:MAX_ADDRESSES]


def _decoded(display):
    """A display name with its encoded words (``=?utf-8?q?N=C3=BAria?=``) decoded."""
    if "=?" in display:
        with contextlib.suppress(LookupError, UnicodeError, ValueError, HeaderParseError):
            display = str(make_header(decode_header(display)))
    return " ".join(display.split())[:200]


def _first_id(text):
    ids = _ids(text)
    return ids[0] if ids else ""


def _ids(text):
    return list(dict.fromkeys(_MESSAGE_ID.findall(text)))[:MAX_REFERENCES]


def _date(text):
    try:
        date = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if timezone.is_naive(date):
        date = date.replace(tzinfo=datetime.UTC)
    return date if EARLIEST <= date < LATEST else None


def _content(message, max_attachment_bytes):
    """The body (the plain text part, else the HTML one, sanitised), the attachments, notes
    on what was left out and the HTML source the body was made from (``""`` for text)."""
    plain = html = None
    attachments, notes = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = _filename(part)
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if filename or disposition == "attachment" or not content_type.startswith("text/"):
            payload = part.get_payload(decode=True) or b""
            name = filename or "attachment"
            if len(payload) > max_attachment_bytes:
                attachments.append(Attachment(name, content_type, len(payload), None))
            else:
                attachments.append(Attachment(name, content_type, len(payload), payload))
            continue
        if content_type == "text/plain" and plain is None:
            plain = _text(part)
        elif content_type == "text/html" and html is None:
            html = _text(part)
    # HTML is sanitised before it is measured: most of a newsletter's size is styles.
    from_html = not (plain and plain.strip())
    body = richtext.clean(html or "") if from_html else plain
    limit = richtext.MAX_LENGTH - 100
    if len(body) > limit:
        body = body[:limit]
        notes.append("truncated")
    return body, attachments, notes, (html or "") if from_html else ""


def _filename(part):
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if ord(c) >= 32 and c != "\x7f").strip()[:255]


def _text(part):
    """A text part's content; a charset Python does not know, or bytes that are not in the
    charset announced, are decoded as UTF-8 (or Latin-1) with replacement characters."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, ValueError):
        payload = part.get_payload(decode=True) or b""
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("latin-1", errors="replace")
