"""A campaign message as bytes, built directly: multipart/alternative, a text part and an HTML
part in quoted-printable UTF-8. Python's ``email`` generator (what Django's messages use) takes
about 2 ms a message — most of a sender's time at hundreds of messages a second; this takes a
tenth of that, for the one shape campaign messages have.

The boundary contains ``=_``, which quoted-printable output can never contain (``=`` is always
followed by two hex digits or a line break), so it needs no check against the parts.
"""

import binascii
import uuid
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formatdate

CRLF = b"\r\n"


@dataclass
class CampaignMessage:
    """What a sender hands to the mail server: envelope, headers and the two parts."""

    from_email: str  # the From header ("Name <address>")
    envelope_from: str  # the bare address
    to: str
    subject: str
    text: str
    html: str
    headers: dict = field(default_factory=dict)  # Message-ID, List-Unsubscribe...
    reply_to: str = ""

    @property
    def message_id(self):
        return self.headers["Message-ID"]

    def as_bytes(self):
        boundary = f"==_clientela_{uuid.uuid4().hex}".encode()
        head = [
            b"From: " + _header(self.from_email),
            b"To: " + _header(self.to),
            b"Subject: " + _header(self.subject),
            b"Date: " + formatdate(localtime=False, usegmt=True).encode(),
        ]
        if self.reply_to:
            head.append(b"Reply-To: " + _header(self.reply_to))
        head += [f"{name}: ".encode() + _header(value) for name, value in self.headers.items()]
        head += [
            b"MIME-Version: 1.0",
            b'Content-Type: multipart/alternative; boundary="' + boundary + b'"',
        ]
        return CRLF.join(
            [
                *head,
                b"",
                b"--" + boundary,
                *_part("text/plain", self.text),
                b"--" + boundary,
                *_part("text/html", self.html),
                b"--" + boundary + b"--",
                b"",
            ]
        )


def _header(value):
    """ASCII as it is; anything else RFC 2047-encoded. (Addresses come ASCII already: the
    sender's name is encoded by ``formataddr``.) Line breaks in a value cannot start a header
    of their own."""
    value = str(value).replace("\r", " ").replace("\n", " ")
    if value.isascii():
        return value.encode()
    return Header(value, "utf-8").encode(linesep="\r\n").encode()


def _part(content_type, text):
    body = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return [
        f"Content-Type: {content_type}; charset=utf-8".encode(),
        b"Content-Transfer-Encoding: quoted-printable",
        b"",
        body.replace(b"\r\n", b"\n").replace(b"\n", CRLF),
    ]
