"""Reading an uploaded table, whatever made it: CSV, XLSX or vCard, streamed row by row.

``open_table(fileobj, filename)`` returns a ``Table``: its header and an iterator of
``(line, cells)``. CSV files come from everywhere, so the encoding (a byte-order mark, else
UTF-8 when the first 64 kB decode as UTF-8, else Windows-1252 as Excel writes it in Spain) and
the delimiter (the most frequent of ``, ; TAB |`` in the header line) are detected; quoted
newlines are kept. A vCard file becomes a table with Clientela's own column names, one row per
card; a card that cannot be parsed is one row error, not the end of the file.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils.translation import gettext as _

SAMPLE_SIZE = 64 * 1024
MAX_FIELD = 1024 * 1024  # one cell; csv's default (128 kB) is smaller than some notes columns
DELIMITERS = (",", ";", "\t", "|")
FORMATS = ("csv", "xlsx", "vcf")
MAX_VCARD_LINES = 2000  # a card longer than this is not a contact card (an embedded photo is)


class UnreadableFile(Exception):
    """The file is not a table this reader understands (the message says why, translated)."""


@dataclass
class Table:
    format: str
    header: list
    rows: object  # iterator of (line number, [cell text])
    encoding: str = ""
    delimiter: str = ""
    position: object = field(default=lambda: 0, repr=False)  # bytes read so far


def detect_format(filename, head):
    name = (filename or "").lower()
    if head.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return "xlsx"
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if name.endswith((".vcf", ".vcard")) or text[:11].upper() == b"BEGIN:VCARD":
        return "vcf"
    return "csv"


def open_table(fileobj, filename="", *, encoding=None, delimiter=None):
    """A ``Table`` over a binary file object (read once, from its current position; an Excel
    workbook needs a seekable file, as uploads and open files are)."""
    start = fileobj.tell() if fileobj.seekable() else 0
    raw = io.BufferedReader(_RawReader(fileobj), buffer_size=SAMPLE_SIZE)
    head = raw.peek(SAMPLE_SIZE)[:SAMPLE_SIZE]
    if not head.strip():
        raise UnreadableFile(_("The file is empty."))
    kind = detect_format(filename, head)
    if kind == "xlsx":
        fileobj.seek(start)
        return _xlsx_table(fileobj)
    encoding = encoding or detect_encoding(head)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise UnreadableFile(_("Unknown encoding %(name)s.") % {"name": encoding}) from error
    lines = _Lines(raw, encoding)
    table = _vcard_table(lines) if kind == "vcf" else _csv_table(lines, delimiter)
    table.encoding = encoding
    table.position = raw.raw.tell
    return table


class _Lines:
    """The file's lines as text, decoded one by one so that a byte the encoding cannot read is
    reported on its own line. UTF-16 (two bytes per newline) goes through ``io.TextIOWrapper``;
    Windows-1252 leaves five bytes undefined, and a stray one must not stop an import."""

    def __init__(self, raw, encoding):
        self.encoding, self.number = encoding, 0
        if codecs.lookup(encoding).name.startswith("utf-16"):
            self.source = io.TextIOWrapper(raw, encoding=encoding, newline="")
            self.decode = None
        else:
            self.source = raw
            errors = "replace" if codecs.lookup(encoding).name == "cp1252" else "strict"
            self.decode = codecs.getdecoder(encoding)
            self.errors = errors

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.source)
        self.number += 1
        if self.decode is None:
            return line
        try:
            text = self.decode(line, self.errors)[0]
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                _("Line %(line)d is not valid %(encoding)s text.")
                % {"line": self.number, "encoding": self.encoding.removesuffix("-sig")}
            ) from error
        if self.number == 1:
            text = text.removeprefix("\ufeff")
        return text

    def readline(self):
        try:
            return next(self)
        except StopIteration:
            return ""


def detect_encoding(head):
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    try:
        # The sample may end inside a multi-byte character: decode incrementally.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


class _RawReader(io.RawIOBase):
    """Any object with ``read(n)`` (an open file, an uploaded file) as a raw binary stream that
    counts what it has read (the progress of an import)."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.fileobj.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def tell(self):
        return self.count


# --- CSV ------------------------------------------------------------------------------------------


def _csv_table(text, delimiter):
    header_line = text.readline()
    if not header_line.strip():
        raise UnreadableFile(_("The first line (the column names) is empty."))
    delimiter = delimiter or sniff_delimiter(header_line)
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
    header[0] = header[0].lstrip("\ufeff")
    return Table("csv", header, _csv_rows(text, delimiter), delimiter=delimiter)


def sniff_delimiter(header_line):
    counts = {d: header_line.count(d) for d in DELIMITERS}
    return max(counts, key=counts.get) if any(counts.values()) else ","


class RowError(Exception):
    """A row that cannot be read; the import reports it and goes on."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


def _csv_rows(text, delimiter):
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text, delimiter=delimiter)
    line = 1  # the header
    while True:
        start = line + 1
        try:
            cells = next(reader)  # an undecodable line stops the file (``UnreadableFile``)
        except StopIteration:
            return
        except csv.Error as error:
            line = 1 + reader.line_num
            yield start, RowError(start, _("This row cannot be read: %(error)s") % {"error": error})
            continue
        line = 1 + reader.line_num
        if any(c.strip() for c in cells):
            yield start, cells


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx_table(fileobj):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as error:  # a damaged zip, a missing part, XML errors: all the same here
        raise UnreadableFile(
            _("This is not an Excel workbook (.xlsx) that can be read.")
        ) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = None
    line = 0
    for values in rows:
        line += 1
        if any(v not in (None, "") for v in values):
            header = [xlsx_text(v).strip() for v in values]
            break
    if header is None:
        raise UnreadableFile(_("The first sheet is empty."))
    table = Table("xlsx", header, None)
    size = fileobj.seek(0, io.SEEK_END)
    last_row = sheet.max_row or 0
    progress = {"line": line}
    # The compressed sheet is read through the zip: progress is the share of rows read.
    table.position = lambda: size * progress["line"] // last_row if last_row else 0
    table.rows = _xlsx_rows(rows, progress)
    return table


def _xlsx_rows(rows, progress):
    for values in rows:
        progress["line"] += 1
        cells = [xlsx_text(v) for v in values]
        if any(c.strip() for c in cells):
            yield progress["line"], cells


def xlsx_text(value):
    """A cell as the text a person would have typed: ``12`` not ``12.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- vCard ----------------------------------------------------------------------------------------

VCARD_HEADER = [
    "first_name",
    "last_name",
    "second_last_name",
    "full_name",
    "company",
    "job_title",
    "emails",
    "phones",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "notes",
    "tags",
]
_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)


def _vcard_table(text):
    return Table("vcf", list(VCARD_HEADER), _vcard_rows(text))


def _vcard_rows(text):
    """Cards as rows. The file is cut into BEGIN/END blocks line by line (so memory holds one
    card), and each block is parsed on its own."""
    block, start = None, 0
    for number, line in enumerate(text, start=1):
        if block is None:
            if _BEGIN.match(line):
                block, start = [line], number
            continue
        block.append(line)
        if _END.match(line):
            yield start, _card_row(start, "".join(block))
            block = None
        elif len(block) > MAX_VCARD_LINES:
            yield start, RowError(start, _("This card is too long to be a contact card."))
            block = None
    if block is not None:
        yield start, RowError(start, _("This card has no END:VCARD line."))


def _card_row(line, text):
    import vobject

    try:
        card = vobject.readOne(text, allowQP=True)
    except Exception:  # vobject raises a variety of parse errors (and sometimes plain ones)
        return RowError(line, _("This card cannot be read."))
    values = dict.fromkeys(VCARD_HEADER, "")
    name = card.contents.get("n", [None])[0]
    if name is not None:
        parts = name.value
        values["first_name"] = " ".join(_as_list(parts.given) + _as_list(parts.additional))
        values["last_name"] = " ".join(_as_list(parts.family))
    values["full_name"] = _first(card, "fn")
    org = card.contents.get("org", [None])[0]
    if org is not None:
        values["company"] = " ".join(_as_list(org.value)[:1])
    values["job_title"] = _first(card, "title")
    values["emails"] = "; ".join(str(e.value).strip() for e in card.contents.get("email", []))
    values["phones"] = "; ".join(str(t.value).strip() for t in card.contents.get("tel", []))
    address = card.contents.get("adr", [None])[0]
    if address is not None:
        a = address.value
        values["street"] = " ".join(_as_list(a.street))
        values["city"] = " ".join(_as_list(a.city))
        values["region"] = " ".join(_as_list(a.region))
        values["postcode"] = " ".join(_as_list(a.code))
        values["country"] = " ".join(_as_list(a.country))
    values["notes"] = _first(card, "note")
    categories = card.contents.get("categories", [None])[0]
    if categories is not None:
        values["tags"] = ", ".join(_as_list(categories.value))
    return [values[key] for key in VCARD_HEADER]


def _as_list(value):
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if str(value or "").strip() else []


def _first(card, key):
    items = card.contents.get(key)
    return str(items[0].value).strip() if items else ""
