"""Values of CSV cells as spreadsheets will read them, and back.

A cell starting like a formula runs as one when the file is opened in Excel, LibreOffice or
Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "+cmd|..."): ``cell`` writes it after an
apostrophe, which those programs read as "this is text", and ``uncell`` removes that apostrophe
again on import. Plain numbers ("+34600123456", "-12.5") cannot run and are written as they are.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 .,]*")
LIST_SEPARATOR = ", "


def cell(value):
    """The text of one CSV cell for ``value`` (dates in ISO form, lists comma-separated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    elif hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def uncell(raw):
    """The value ``cell`` wrote (without the apostrophe that defused a formula)."""
    return raw[1:] if raw.startswith("'") and raw[1:].startswith(FORMULA_START) else raw
