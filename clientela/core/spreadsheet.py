"""Values of CSV cells as spreadsheets will read them, and back.

A cell starting like a formula runs as one when the file is opened in Excel, LibreOffice or
Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "+cmd|..."): ``cell`` writes it after an
apostrophe, which those programs read as "this is text", and ``uncell`` removes that apostrophe
again on import. Plain numbers ("+34600123456", "-12.5") cannot run and are written as they are.

XLSX cells carry their type, so there the defence is different: ``xlsx_value`` writes text as a
string cell, which Excel, LibreOffice and Google Sheets show as it is and never evaluate, whatever
it starts with. An apostrophe would not help in XLSX: it is not a "text" marker inside the file
but a visible character, so the reader would see ``'=SUM(A1)``. Only openpyxl's own guess needs
care: it turns any text starting with ``=`` into a formula and ``#N/A``-like text into an error,
so such values get an explicitly typed string cell.
"""

import datetime
import decimal
import re

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

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


FORMULA_FIRST = frozenset(c for c in FORMULA_START)


def cells(values):
    """``[cell(v) for v in values]``, with plain text (most cells) passed through directly: an
    export of a million rows makes tens of millions of these calls."""
    return [
        v
        if v.__class__ is str and (not v or v[0] not in FORMULA_FIRST)
        else ("" if v is None else cell(v))
        for v in values
    ]


def uncell(raw):
    """The value ``cell`` wrote (without the apostrophe that defused a formula)."""
    return raw[1:] if raw.startswith("'") and raw[1:].startswith(FORMULA_START) else raw


XLSX_MAX_TEXT = 32767  # characters per cell; Excel refuses to open a file with longer ones
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_value(sheet, value):
    """What to append to a write-only ``sheet`` for ``value``: numbers, booleans and dates as
    themselves (aware datetimes in the site's time zone, as Excel has no time zones), lists as
    comma-separated text, any other text as a string cell that never becomes a formula."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    # Control characters cannot appear in XML at all; a cell longer than Excel's limit is cut.
    text = XML_ILLEGAL.sub("\ufffd", str(value))[:XLSX_MAX_TEXT]
    if text.startswith("=") or text in ERROR_CODES:
        typed = WriteOnlyCell(sheet, text)
        typed.data_type = "s"
        return typed
    return text
