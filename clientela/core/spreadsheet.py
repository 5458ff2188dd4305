"""Values of CSV cells as spreadsheets will read them, and back.

A cell starting like a formula runs as one when the file is opened in Excel, LibreOffice or
Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "+cmd|..."): ``cell`` writes it after an
apostrophe, which those programs read as "this is text", and ``uncell`` removes that apostrophe
again on import. Plain numbers ("+34600123456", "-12.5") cannot run and are written as they are.

XLSX cells carry their type, so there the defence is different: ``XlsxSheet`` writes text as a
string cell, which Excel, LibreOffice and Google Sheets show as it is and never evaluate, whatever
it starts with. An apostrophe would not help in XLSX: it is not a "text" marker inside the file
but a visible character, so the reader would see ``'=SUM(A1)``. XlsxWriter's typed calls are used
(``write_string``, ``write_number``...), never its ``write``, which guesses: it would turn text
starting with ``=`` into a formula.
"""

import datetime
import decimal
import re

from django.utils import timezone

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
SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def xlsx_text(value):
    """Text as an XLSX cell can hold it: control characters (which XML cannot carry at all)
    replaced, cut at Excel's limit."""
    text = value if value.__class__ is str else str(value)
    if XML_ILLEGAL.search(text):
        text = XML_ILLEGAL.sub("\ufffd", text)
    return text[:XLSX_MAX_TEXT]


class XlsxSheet:
    """A one-sheet workbook written row by row to a binary file with XlsxWriter's constant
    memory mode (a row is flushed to a temporary file as soon as the next one starts).

    ``append(values)``: numbers and booleans as themselves, dates and datetimes as dates (aware
    datetimes in the site's time zone, as Excel has no time zones), lists as comma-separated
    text, any other value as a string cell that never becomes a formula; ``None`` and ``""``
    leave the cell empty. Use as a context manager: the file is complete once it exits."""

    def __init__(self, fileobj, title):
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(
            fileobj, {"constant_memory": True, "in_memory": False, "remove_timezone": False}
        )
        name = SHEET_NAME_ILLEGAL.sub(" ", title)[:31] or "Sheet1"
        self.sheet = self.workbook.add_worksheet(name)
        self.datetime_format = self.workbook.add_format({"num_format": "yyyy-mm-dd h:mm:ss"})
        self.date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.row = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.workbook.close()

    def append(self, values):
        row, sheet = self.row, self.sheet
        write_string = sheet.write_string
        for column, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if value:
                    write_string(row, column, xlsx_text(value))
            elif value is None:
                continue
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            elif isinstance(value, int | float | decimal.Decimal):
                sheet.write_number(row, column, value)
            elif isinstance(value, datetime.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                sheet.write_datetime(row, column, value, self.datetime_format)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(row, column, value, self.date_format)
            elif isinstance(value, list):
                text = LIST_SEPARATOR.join(str(v) for v in value)
                if text:
                    write_string(row, column, xlsx_text(text))
            else:
                write_string(row, column, xlsx_text(value))
        self.row += 1
