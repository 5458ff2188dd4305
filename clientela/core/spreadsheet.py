"""Values of CSV cells as spreadsheets will read them, and back.

A cell starting like a formula runs as one when the file is opened in Excel, LibreOffice or
Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "+cmd|..."): ``cell`` writes it after an
apostrophe, which those programs read as "this is text", and ``uncell`` removes that apostrophe
again on import. Plain numbers ("+34600123456", "-12.5") cannot run and are written as they are.

XLSX cells carry their type, so there the defence is different: ``XlsxSheet`` writes text as a
string cell, which Excel, LibreOffice and Google Sheets show as it is and never evaluate, whatever
it starts with. An apostrophe would not help in XLSX: it is not a "text" marker inside the file
but a visible character, so the reader would see ``'=SUM(A1)``. No cell is ever written as a
formula: text is always an inline string cell.
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


def _column_name(index):
    name, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


COLUMN_NAMES = [_column_name(i) for i in range(16384)]  # Excel's last column: XFD
_EXCEL_EPOCH = datetime.datetime(1899, 12, 31)
_XML_SPECIAL = re.compile(r"[&<>]")
# Characters that make a text need more than copying: XML's special characters and the control
# characters XML cannot hold (a leading or trailing space needs work too; tested apart, as an
# anchored alternative would make every search several times slower).
_TEXT_WORK = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
    # Style 1: date and time, style 2: date (what XlsxWriter and openpyxl write).
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
        '<numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/>'
        '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
        '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
        "<right/><top/><bottom/><diagonal/></border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" '
        'xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" '
        'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
FLUSH_ROWS = 1000


def _xml_text(text):
    return _XML_SPECIAL.sub(lambda m: _XML_ESCAPES[m.group()], text)


def excel_serial(value):
    """A naive datetime or a date as Excel's serial number (days since 1900, with Excel's
    phantom 29 February 1900, as XlsxWriter computes it)."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    delta = value - _EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


class XlsxSheet:
    """A one-sheet workbook (SpreadsheetML, ECMA-376) written row by row into a zip archive
    on a binary file: rows are turned into XML text and compressed as they come, so memory
    stays flat whatever the number of rows.

    Written by hand, as the vCard is: XlsxWriter (constant-memory mode) spends about 70 µs a
    row of 30 cells in its per-cell calls, five times the rest of an export, and openpyxl more;
    the XML itself is simple. The cells are those XlsxWriter writes in that mode — text as
    inline strings, numbers, booleans, dates as serial numbers with a date format — and the
    tests read the files back with openpyxl.

    ``append(values)``: numbers and booleans as themselves, dates and datetimes as dates (aware
    datetimes in the site's time zone, as Excel has no time zones), lists as comma-separated
    text, any other value as a string cell, which never becomes a formula; ``None`` and ``""``
    leave the cell empty. Use as a context manager: the file is complete once it exits."""

    def __init__(self, fileobj, title):
        import zipfile

        name = _xml_text(SHEET_NAME_ILLEGAL.sub(" ", title)[:31] or "Sheet1").replace('"', "&quot;")
        self.archive = zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        parts = dict(_PARTS)
        parts["xl/workbook.xml"] = (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        for part, xml in parts.items():
            self.archive.writestr(part, _XML_HEAD + xml)
        self.sheet = self.archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(
            (_XML_HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetData>').encode()
        )
        self.row = 0
        self.pending = []
        self.zone = timezone.get_current_timezone()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._flush()
        self.sheet.write(b"</sheetData></worksheet>")
        self.sheet.close()
        self.archive.close()

    def _flush(self):
        if self.pending:
            self.sheet.write("".join(self.pending).encode())
            self.pending = []

    def append(self, values):
        self.row += 1
        row, cells = self.row, []
        add = cells.append
        for column, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                if (
                    len(value) <= XLSX_MAX_TEXT
                    and not _TEXT_WORK.search(value)
                    and not value[0].isspace()
                    and not value[-1].isspace()
                ):
                    # Most cells: plain text, copied as it is.
                    ref = COLUMN_NAMES[column]
                    add(f'<c r="{ref}{row}" t="inlineStr"><is><t>{value}</t></is></c>')
                    continue
                text = xlsx_text(value)
            elif value is None:
                continue
            elif kind is int:  # ids and scores: the commonest cells after text (not a bool)
                add(f'<c r="{COLUMN_NAMES[column]}{row}"><v>{value}</v></c>')
                continue
            elif isinstance(value, bool):
                add(f'<c r="{COLUMN_NAMES[column]}{row}" t="b"><v>{int(value)}</v></c>')
                continue
            elif isinstance(value, int | float | decimal.Decimal):
                number = repr(value) if isinstance(value, float) else str(value)
                add(f'<c r="{COLUMN_NAMES[column]}{row}"><v>{number}</v></c>')
                continue
            elif isinstance(value, datetime.datetime):
                if value.tzinfo is not None:
                    value = value.astimezone(self.zone).replace(tzinfo=None)
                serial = excel_serial(value)
                add(f'<c r="{COLUMN_NAMES[column]}{row}" s="1"><v>{serial!r}</v></c>')
                continue
            elif isinstance(value, datetime.date):
                add(f'<c r="{COLUMN_NAMES[column]}{row}" s="2"><v>{excel_serial(value)!r}</v></c>')
                continue
            elif isinstance(value, list):
                text = xlsx_text(LIST_SEPARATOR.join(str(v) for v in value))
                if not text:
                    continue
            else:
                text = xlsx_text(value)
            if _XML_SPECIAL.search(text):
                text = _xml_text(text)
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            ref = COLUMN_NAMES[column]
            add(f'<c r="{ref}{row}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        self.pending.append(f'<row r="{row}">{"".join(cells)}</row>')
        if len(self.pending) >= FLUSH_ROWS:
            self._flush()
