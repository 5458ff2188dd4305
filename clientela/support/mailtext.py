"""Text of e-mail for cases: HTML made into safe plain text, and case references in subjects.

A case message is plain text. An HTML-only e-mail is first sanitised with nh3 (scripts,
styles, event handlers, comments and every other tag than a few structural ones gone, with
the content of scripts, styles and the head), then its blocks become lines; what is left is
text, shown escaped like anything a customer wrote."""

import re
from html.parser import HTMLParser

import nh3

MAX_HTML = 2_000_000  # characters of HTML read; the rest of a larger part is left out

_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
}
_KEPT_TAGS = _BLOCKS | {"a", "br", "td", "th"}
_DROPPED_WITH_CONTENT = {
    "embed",
    "head",
    "iframe",
    "math",
    "noscript",
    "object",
    "script",
    "style",
    "svg",
    "template",
    "title",
}
_PARAGRAPHS = {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "table", "ul"}
_LINE, _PARAGRAPH, _BR = "\x00", "\x01", "\x02"
_MARKS = re.compile("[\x00-\x02]")
_SPACES = re.compile(r"\s+")
_BREAKS = re.compile(r" *(?:[\x00\x01] *)+")
_REFERENCE = re.compile(r"\[#(\d{1,12})\]")


def html_to_text(source):
    """Plain text from an HTML e-mail (any HTML, hostile or broken)."""
    safe = nh3.clean(
        (source or "")[:MAX_HTML],
        tags=_KEPT_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
        strip_comments=True,
    )
    reader = _TextReader()
    reader.feed(safe)
    reader.close()
    return reader.text()


class _TextReader(HTMLParser):
    """Lines from nh3's output (well-formed, a handful of tags, no scripts). Blocks are marked
    with a line break (``_LINE``) or a blank line (``_PARAGRAPH``); the marks that meet (the end
    of one block, the start of the next) make one break, the larger."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []  # (href, where its text starts)
        self.preformatted = 0  # inside <pre>: its line ends are kept

    def handle_starttag(self, tag, attrs):
        self.preformatted += tag == "pre"
        if tag in _BLOCKS:
            self.parts.append(_PARAGRAPH if tag in _PARAGRAPHS else _LINE)
            if tag == "li":
                self.parts.append("- ")
        elif tag == "br":
            self.parts.append(_BR)
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag):
        self.preformatted -= tag == "pre" and self.preformatted > 0
        if tag in _BLOCKS:
            self.parts.append(_PARAGRAPH if tag in _PARAGRAPHS else _LINE)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:])
            shown = href.removeprefix("mailto:")
            if href and shown not in label:
                self.parts.append(f" <{shown}>")

    def handle_data(self, data):
        # Line ends in HTML source are spaces; lines come from the tags only.
        data = _MARKS.sub("", data)
        if self.preformatted:
            data = data.replace("\r\n", "\n").replace("\n", _BR)
        self.parts.append(_SPACES.sub(" ", data))

    def text(self):
        text = _BREAKS.sub(
            lambda m: "\n\n" if _PARAGRAPH in m.group() else "\n", "".join(self.parts)
        )
        lines = [" ".join(line.split()) for line in text.replace(_BR, "\n").split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def references(subject):
    """The case numbers named in a subject (``[#123]``), in order."""
    return [int(n) for n in dict.fromkeys(_REFERENCE.findall(subject or ""))]


def without_references(subject):
    """A subject without the ``[#123]`` tags (a case's own subject never carries another's)."""
    return " ".join(_REFERENCE.sub(" ", subject or "").split())


def tagged(case, subject):
    """``[#123] subject``: the subject of every e-mail about a case."""
    return f"[{case.reference}] {without_references(subject)}".strip()
