"""The plain-text part of an e-mail, made from its sanitised HTML.

Paragraphs are separated by a blank line; headings read ``# Title`` (``##`` for the second
level...); list items ``- item`` or ``1. item``, nested lists indented by two spaces; a link
``its text (https://its.address)``, or the address alone when it is the text; a line rule
``---``; table cells separated by a space, rows by a line break. Images leave nothing.
"""

import re
from html.parser import HTMLParser

_BLOCKS = {
    "blockquote", "center", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
    "pre", "table", "tbody", "tfoot", "thead", "tr", "ul",
}  # fmt: skip
_PARAGRAPHS = {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "p", "pre", "table"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Marks placed between pieces of text and resolved at the end: a line break, a blank line, a
# forced break (<br>, <pre> lines) and an indentation step (nested lists).
_LINE, _PARAGRAPH, _BR, _INDENT = "\x00", "\x01", "\x02", "\x03"
_MARKS = re.compile("[\x00-\x03]")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BREAKS = re.compile(r" *(?:[\x00\x01] *)+")


def html_to_text(html):
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return reader.text()


class _TextReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.lists = []  # one counter per open list: None for <ul>, the next number for <ol>
        self.links = []  # (href, index in parts where its text starts)
        self.preformatted = 0

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append(_PARAGRAPH if tag in _PARAGRAPHS else _LINE)
        if tag in ("ul", "ol"):
            if not self.lists:
                self.parts.append(_PARAGRAPH)
            start = dict(attrs).get("start") or "1"
            self.lists.append(int(start) if tag == "ol" and start.isdigit() else None)
        elif tag == "li":
            self._list_marker()
        elif tag in _HEADINGS:
            self.parts.append("#" * _HEADINGS[tag] + " ")
        elif tag == "pre":
            self.preformatted += 1
        elif tag == "br":
            self.parts.append(_BR)
        elif tag == "hr":
            self.parts.append("---" + _LINE)
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def _list_marker(self):
        depth = len(self.lists)
        indent = _INDENT * max(0, depth - 1)
        number = self.lists[-1] if self.lists else None
        if number is None:
            self.parts.append(f"{indent}- ")
        else:
            self.parts.append(f"{indent}{number}. ")
            self.lists[-1] = number + 1

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.parts.append(_LINE if self.lists else _PARAGRAPH)
        elif tag in _BLOCKS:
            self.parts.append(_PARAGRAPH if tag in _PARAGRAPHS else _LINE)
        if tag == "pre" and self.preformatted:
            self.preformatted -= 1
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            shown = href.removeprefix("mailto:")
            if not href or shown == label:
                return
            self.parts.append(f" ({shown})" if label else shown)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        data = _MARKS.sub("", data)
        if self.preformatted:
            self.parts.append(data.replace("\r\n", "\n").replace("\n", _BR))
        else:
            self.parts.append(_SPACES.sub(" ", data))

    def text(self):
        text = _BREAKS.sub(
            lambda m: "\n\n" if _PARAGRAPH in m.group() else "\n", "".join(self.parts)
        )
        lines = []
        for line in text.replace(_BR, "\n").split("\n"):
            indent = len(line) - len(line.lstrip(_INDENT + " "))
            depth = line[:indent].count(_INDENT)
            lines.append("  " * depth + " ".join(line[indent:].split()))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
