"""A template variant compiled once, rendered for many recipients.

Compiling: each ``{{ field }}`` of the body is replaced by a unique token (letters and digits,
which Markdown and nh3 leave alone); the body is rendered (Markdown) and sanitised with the
tokens in it; the sanitised HTML and the plain text made from it are cut at the tokens. Where
each token landed decides how its value is written:

* in text: HTML-escaped;
* at the start of a link or image address: only an ``http(s)://``, ``mailto:`` or ``tel:``
  address, else nothing (a value is never a ``javascript:`` link);
* inside an address: percent-encoded;
* in ``alt`` or ``title``: HTML-escaped; anywhere else (a style, a class) it is refused.

Rendering joins the pieces with the recipient's values: values are never parsed again, so a
contact called ``{{ owner.email }}`` or ``<script>`` is shown as written.
"""

import html
import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import BodyFormat
from . import fields as merge_fields
from .sanitise import clean_html, markdown_to_html
from .text import html_to_text

TEXT, URL, URL_PART, ATTRIBUTE = "text", "url", "url_part", "attribute"
URL_ATTRIBUTES = {"href", "src"}
TEXT_ATTRIBUTES = {"alt", "title"}
_SAFE_URL = re.compile(r"(?:https?://|mailto:|tel:)[^\s\x00-\x1f\x7f\"'<>`]*", re.IGNORECASE)


@dataclass
class RenderedEmail:
    """One recipient's message. Mutable: a sender may rewrite ``html`` (tracked links)."""

    subject: str
    html: str
    text: str
    language: str


def _escape(value):
    return html.escape(value, quote=True)


def _safe_url(value):
    value = value.strip()
    return value if _SAFE_URL.fullmatch(value) else ""


def _one_line(value):
    return " ".join(value.split())


# How a value is written, by where it is: (in the HTML part, in the text part).
_WRITERS = {
    TEXT: (_escape, str),
    ATTRIBUTE: (_escape, str),
    URL: (lambda v: _escape(_safe_url(v)), _safe_url),
    URL_PART: (lambda v: _escape(quote(v, safe="")), lambda v: quote(v, safe="")),
}


class Slot:
    """Where a value goes: the field's name, its fallback and how to write it."""

    __slots__ = ("name", "default", "write")

    def __init__(self, name, default, write):
        self.name, self.default, self.write = name, default, write


def fill(pieces, values):
    """``pieces`` (strings and ``Slot``s) joined with ``values`` (name -> string)."""
    return "".join(
        [
            piece
            if piece.__class__ is str
            else piece.write(values.get(piece.name) or piece.default)
            for piece in pieces
        ]
    )


@dataclass(frozen=True)
class CompiledEmail:
    language: str
    subject: tuple
    html: tuple
    text: tuple
    names: frozenset  # every field used (the context to build)
    body: str  # the body as stored: HTML sanitised, merge fields as written

    def render(self, values):
        return RenderedEmail(
            subject=fill(self.subject, values),
            html=fill(self.html, values),
            text=fill(self.text, values),
            language=self.language,
        )


def compile_parts(*, language, subject, preheader, body_format, body, custom_keys):
    """A ``CompiledEmail``; ``ValidationError`` by field (``subject``, ``preheader``,
    ``body``) for merge fields that are unknown, malformed or in a place they cannot be."""
    errors = {}
    parsed = {}
    for name, source in (("subject", subject), ("preheader", preheader), ("body", body)):
        try:
            parsed[name] = merge_fields.parse(source or "", custom_keys)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    html_body, text_body, clean_body = _compile_body(body or "", parsed["body"], body_format)
    subject_text = _pieces(parsed["subject"], _one_line)
    subject_html = _pieces(parsed["subject"], lambda v: _escape(_one_line(v)))
    preheader_html = _pieces(parsed["preheader"], _escape)
    head = (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
    )
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all" aria-hidden="true">'
    )
    html_pieces = [head, *subject_html, "</title>\n</head>\n<body>\n"]
    if parsed["preheader"]:
        html_pieces += [hidden, *preheader_html, "</div>\n"]
    html_pieces += [*html_body, "\n</body>\n</html>\n"]
    names = frozenset(
        part.name for source in parsed.values() for part in source if not isinstance(part, str)
    )
    return CompiledEmail(
        language=language,
        subject=_merged(subject_text),
        html=_merged(html_pieces),
        text=_merged(text_body),
        names=names,
        body=clean_body,
    )


def _pieces(parts, write):
    return [p if isinstance(p, str) else Slot(p.name, p.default, write) for p in parts]


def _merged(pieces):
    """Adjacent strings joined: fewer pieces to walk per message."""
    merged = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece != "":
            merged.append(piece)
    return tuple(merged)


def _compile_body(source, parts, body_format):
    prefix = _token_prefix(source)
    fields = [p for p in parts if not isinstance(p, str)]
    marked = "".join(p if isinstance(p, str) else f"{prefix}{p}x" for p in _numbered(parts))
    safe = markdown_to_html(marked) if body_format == BodyFormat.MARKDOWN else clean_html(marked)
    safe = safe.strip()
    token = re.compile(re.escape(prefix) + r"(\d+)x")
    places = _places(safe, token)
    kinds = {}
    for number, kind in places:
        kinds.setdefault(number, kind)
    refused = {number for number, kind in places if kind is None}
    for number, field in enumerate(fields):
        if number not in kinds or number in refused:
            raise ValidationError(
                {
                    "body": merge_fields.located(
                        _(
                            "The merge field at line %(line)d, column %(column)d cannot be "
                            "used there: put merge fields in text, a link's address or an "
                            "image's address or description."
                        ),
                        source,
                        field.offset,
                    )
                }
            )
    html_pieces = _split(safe, token, fields, iter(kind for _n, kind in places), 0)
    text = html_to_text(safe)
    text_kinds = (kinds[int(m[1])] for m in token.finditer(text))
    stored = source
    if body_format == BodyFormat.HTML:
        stored = token.sub(lambda m: _as_written(source, fields[int(m[1])]), safe)
    return html_pieces, _split(text, token, fields, text_kinds, 1), stored


def _as_written(source, field):
    return source[field.offset : field.end]


def _numbered(parts):
    """Parts with each field as a unique marker (its number among the fields)."""
    number = 0
    for part in parts:
        if isinstance(part, str):
            yield part
        else:
            yield number
            number += 1


def _token_prefix(source):
    while True:
        prefix = f"mf{secrets.token_hex(4)}n"
        if prefix not in source:
            return prefix


def _split(content, token, fields, kinds, side):
    pieces, start = [], 0
    for match, kind in zip(token.finditer(content), kinds, strict=True):
        field = fields[int(match[1])]
        pieces.append(content[start : match.start()])
        pieces.append(Slot(field.name, field.default, _WRITERS[kind][side]))
        start = match.end()
    pieces.append(content[start:])
    return pieces


def _places(safe_html, token):
    """``[(field number, kind)]`` of every token in ``safe_html``, in document order; the kind is
    ``None`` where no value may go."""
    finder = _TokenPlaces(token)
    finder.feed(safe_html)
    finder.close()
    return finder.places


class _TokenPlaces(HTMLParser):
    def __init__(self, token):
        super().__init__(convert_charrefs=True)
        self.token = token
        self.places = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            for n, match in enumerate(self.token.finditer(value or "")):
                if name in URL_ATTRIBUTES:
                    at_start = n == 0 and not value[: match.start()].strip()
                    kind = URL if at_start else URL_PART
                else:
                    kind = ATTRIBUTE if name in TEXT_ATTRIBUTES else None
                self.places.append((int(match[1]), kind))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.places.extend((int(m[1]), TEXT) for m in self.token.finditer(data))
