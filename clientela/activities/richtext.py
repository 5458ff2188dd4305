"""The description of an activity: rich text, sanitised with nh3 when it is written.

People type plain text in the form's text box; API clients and inbound e-mail may send HTML.
Plain text (no tag in it) is stored as paragraphs and line breaks, so it reads the same once
shown; HTML keeps only a small set of safe tags and attributes, links get
``rel="noopener noreferrer nofollow"``, and scripts, styles, event handlers and
``javascript:`` links are dropped. ``for_editing`` turns what plain text became back into plain
text for the form.
"""

import html
import re

import nh3

MAX_LENGTH = 50_000  # characters as written
ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Text is read as HTML when it closes a tag or holds a void element of HTML ("<br>", "<img ...>")
# or a comment; "if a<b and c>d" stays text.
_TAG = re.compile(
    r"<!--|</[a-zA-Z][a-zA-Z0-9]*\s*>|<(?:br|hr|img|input|link|meta|embed|source|wbr)\b[^>]*>",
    re.IGNORECASE,
)
_SIMPLE = re.compile(r"(?:<p>(?:(?!</?p>).)*</p>)+", re.DOTALL)
_OTHER_TAG = re.compile(r"<(?!/?p>|br>)")


def looks_like_html(text):
    return bool(_TAG.search(text))


def clean(text):
    """Sanitised HTML for ``text`` (plain text or HTML); ``""`` for blank input."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return "".join(
            "<p>" + "<br>".join(html.escape(line, quote=False) for line in p.split("\n")) + "</p>"
            for p in paragraphs
        )
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def for_editing(stored):
    """What the form's text box shows: plain text when ``stored`` is only paragraphs and line
    breaks (what ``clean`` made of plain text), the HTML itself otherwise."""
    if not stored:
        return ""
    if _SIMPLE.fullmatch(stored) and not _OTHER_TAG.search(stored):
        paragraphs = re.findall(r"<p>(.*?)</p>", stored, re.DOTALL)
        return "\n\n".join(html.unescape(p.replace("<br>", "\n")) for p in paragraphs)
    return stored
