"""Articles are written in Markdown and shown as HTML: CommonMark (with tables and
strike-through), raw HTML in the text shown as text, and the result cleaned by nh3 all the
same, so an article can never carry a script, a style or an event handler."""

import nh3
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}}
ATTRIBUTES["td"] = ATTRIBUTES["th"]  # column alignment of tables
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render(text):
    """The safe HTML of Markdown ``text``."""
    html = _parser.render(text or "")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def plain_text(text):
    """The words of Markdown ``text`` without markup (search index, excerpts)."""
    return nh3.clean(render(text), tags=set()).replace("&amp;", "&")
