"""What an e-mail body may hold, whoever wrote it.

Markdown goes through the knowledge base's renderer (``support.markdown``: raw HTML shown as
text, the result cleaned by nh3). HTML bodies are cleaned by nh3 too, with what newsletters
need and mail clients understand: layout tables, images, inline styles limited to
presentational properties. Gone: scripts, ``<style>`` blocks, event handlers,
``javascript:`` and ``data:`` addresses, forms, frames, objects, comments.
"""

import nh3

from clientela.support import markdown

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "center", "code", "div", "em", "font", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"style", "align", "dir", "lang", "title", "width", "height", "class"},
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "border"},
    "table": {"border", "cellpadding", "cellspacing", "bgcolor", "role", "valign"},
    "td": {"bgcolor", "colspan", "rowspan", "valign"},
    "th": {"bgcolor", "colspan", "rowspan", "valign", "scope"},
    "tr": {"bgcolor", "valign"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
}
STYLE_PROPERTIES = {
    "background-color", "border", "border-bottom", "border-collapse", "border-color",
    "border-left", "border-radius", "border-right", "border-spacing", "border-style",
    "border-top", "border-width", "color", "display", "font", "font-family", "font-size",
    "font-style", "font-weight", "height", "letter-spacing", "line-height", "margin",
    "margin-bottom", "margin-left", "margin-right", "margin-top", "max-width", "min-width",
    "padding", "padding-bottom", "padding-left", "padding-right", "padding-top", "text-align",
    "text-decoration", "text-transform", "vertical-align", "white-space", "width",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel"}
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "template", "noscript", "textarea"}


def clean_html(html):
    """Sanitised ``html`` (a fragment or a whole document: its body is kept)."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties=STYLE_PROPERTIES,
    )


def markdown_to_html(text):
    """Sanitised HTML of Markdown ``text`` (the knowledge base's rules)."""
    return markdown.render(text)
