"""Export formats of record lists and the HTTP responses that carry them.

CSV and vCard are text produced batch by batch, so they stream: the first bytes leave before the
last records are read. XLSX is a zip archive whose directory is written last, and openpyxl's
write-only workbook only produces it on ``save``: it cannot be sent truly incrementally. The
workbook is therefore written to a spooled temporary file (rows go to disk as they are appended,
memory stays bounded) and that file is then streamed by ``FileResponse``.
"""

import csv
import datetime
import io
import re
import tempfile
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ExportFormat:
    code: str
    content_type: str
    label: str
    extension: str


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", _("CSV"), "csv"),
    "xlsx": ExportFormat("xlsx", XLSX_CONTENT_TYPE, _("Excel"), "xlsx"),
    "vcf": ExportFormat("vcf", "text/vcard; charset=utf-8", _("vCard"), "vcf"),
}
# The list pages' export links (CSV keeps its long-standing wording).
LINK_LABELS = {"csv": _("Export CSV"), "xlsx": _("Export Excel"), "vcf": _("Export vCard")}
SPOOL_BYTES = 8 * 1024 * 1024  # a small workbook stays in memory, a big one goes to disk


def spooled_file():
    """A binary temporary file for a workbook; removed when closed (the response closes it)."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")


def export_response(code, basename, content):
    """The attachment ``<basename>.<extension>``: ``content`` is an iterator of text chunks
    (streamed as UTF-8) or a binary file positioned at its start."""
    fmt = FORMATS[code]
    filename = f"{basename}.{fmt.extension}"
    if hasattr(content, "read"):
        return FileResponse(
            content, as_attachment=True, filename=filename, content_type=fmt.content_type
        )
    response = StreamingHttpResponse(content, content_type=fmt.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- reading rows fast ---------------------------------------------------------------------------
#
# An export reads millions of rows. Django's ``values_list`` passes every value of every row
# through its converters in Python (on SQLite a datetime is parsed from text, made aware, then
# formatted back to text for a CSV), which costs more than the query. ``fetch_rows`` runs the
# queryset's own SQL and leaves values as the driver returns them; ``RowCooker`` then converts
# only the columns that need it, with exactly Django's converters, or a shortcut whose result is
# the same text (checked against the converters in the tests).

_SQLITE_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.(?!000000)\d{6})?")


def fetch_rows(queryset):
    """The rows of a ``values_list`` queryset as tuples of raw driver values, in one query."""
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def datetime_as_text(name, queryset):
    """What to select for the datetime column ``name`` when only its text is wanted: on SQLite
    the stored text itself (the driver would otherwise parse every value into a datetime that
    the export formats back into text); elsewhere the column."""
    if connections[queryset.db].vendor == "sqlite":
        return Cast(name, output_field=TextField())
    return name


def _aware(value):
    """A datetime from stored SQLite text (when the shortcut did not apply) as Django reads
    it: parsed, in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


class LocalTime:
    """Naive UTC datetimes -> naive datetimes in ``zone``. The offset is looked up once per hour
    of UTC time (and only trusted when it is the same at both ends of the hour): converting each
    value through the zone costs more than the rest of a spreadsheet row's cells."""

    LAST_SECOND = datetime.timedelta(hours=1, microseconds=-1)
    REMEMBERED = 4096  # hours; forgotten all at once when full, so memory stays bounded

    def __init__(self, zone):
        self.zone, self.offsets = zone, {}

    def __call__(self, value):
        key = value.toordinal() * 24 + value.hour
        offset = self.offsets.get(key, False)
        if offset is False:
            if len(self.offsets) >= self.REMEMBERED:
                self.offsets.clear()
            hour = value.replace(minute=0, second=0, microsecond=0)
            offset = self.offsets[key] = self._offset(hour)
        if offset is None:  # the zone's offset changes within this hour
            return self._convert(value)
        return value + offset

    def _offset(self, hour):
        first, last = self._convert(hour) - hour, self._convert(hour + self.LAST_SECOND)
        return first if last - (hour + self.LAST_SECOND) == first else None

    def _convert(self, value):
        return value.replace(tzinfo=datetime.UTC).astimezone(self.zone).replace(tzinfo=None)


class RowCooker:
    """Turns raw values of a ``values_list`` queryset's columns into what the ORM would return
    (``value(i, raw)``) or, for datetimes, straight into the text a CSV or a vCard needs.

    On SQLite Django stores datetimes in UTC, without a zone: selected as text
    (``datetime_as_text``), the stored ``YYYY-MM-DD HH:MM:SS[.ffffff]`` is rearranged into the
    text the aware value Django would build gives (``+00:00``/``Z``); a naive datetime from the
    driver is written the same way; anything else goes through Django's parsing and converters,
    so the output is the same either way."""

    def __init__(self, queryset):
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            compiler.pre_sql_setup()
        except EmptyResultSet:
            self.converters, self.sqlite_utc = {}, False
            return
        self.connection = compiler.connection
        self.converters = compiler.get_converters([col for col, *_ in compiler.select])
        self.sqlite_utc = self.connection.vendor == "sqlite" and (
            self.connection.timezone is datetime.UTC
        )

    def orm(self, index):
        """A function giving, for the raw value of column ``index``, what the ORM would give."""
        if index not in self.converters:
            return None
        converters, expression = self.converters[index]
        connection = self.connection

        def convert(value):
            for converter in converters:
                value = converter(value, expression, connection)
            return value

        if expression.output_field.get_internal_type() == "JSONField":
            # Most rows carry no custom field values: skip the JSON parser for "{}".
            def convert_json(value):
                return {} if value == "{}" else convert(value)

            return convert_json
        return convert

    def iso(self, index):
        """Raw datetime -> its ISO 8601 text as ``datetime.isoformat`` writes it ("" for NULL)."""
        convert = self.orm(index) or (lambda value: value)
        sqlite_utc, stamp, naive = self.sqlite_utc, _SQLITE_STAMP.fullmatch, datetime.datetime

        def iso(value):
            if value is None:
                return None
            if sqlite_utc:
                if value.__class__ is str and stamp(value):
                    return f"{value[:10]}T{value[11:]}+00:00"
                if value.__class__ is naive and value.tzinfo is None:  # parsed by the driver
                    return value.isoformat() + "+00:00"
            return _aware(convert(value)).isoformat()

        return iso

    def local(self, index, zone):
        """Raw datetime -> a naive datetime in ``zone``, what a spreadsheet cell holds (it has
        no time zones)."""
        convert = self.orm(index) or (lambda value: value)
        sqlite_utc, stamp = self.sqlite_utc, _SQLITE_STAMP.fullmatch
        from_text, to_local = datetime.datetime.fromisoformat, LocalTime(zone)

        def local(value):
            if sqlite_utc and value.__class__ is str and stamp(value):
                return to_local(from_text(value))
            value = _aware(convert(value)).astimezone(datetime.UTC)
            return to_local(value.replace(tzinfo=None))

        return local

    def utc_stamp(self, index):
        """Raw datetime -> ``YYYYMMDDTHHMMSSZ`` in UTC (vCard ``REV``)."""
        convert = self.orm(index) or (lambda value: value)
        sqlite_utc, stamp, naive = self.sqlite_utc, _SQLITE_STAMP.fullmatch, datetime.datetime

        def utc_stamp(value):
            if value is None:
                return None
            if sqlite_utc:
                if value.__class__ is naive and value.tzinfo is None:  # parsed by the driver
                    return value.strftime("%Y%m%dT%H%M%SZ")
                if value.__class__ is str and stamp(value):
                    v = value
                    return f"{v[:4]}{v[5:7]}{v[8:10]}T{v[11:13]}{v[14:16]}{v[17:19]}Z"
            return _aware(convert(value)).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

        return utc_stamp


# --- record lists as CSV -------------------------------------------------------------------------


def iter_record_csv(queryset, columns, value_of, *, batch_size=1000):
    """The CSV of ``queryset`` (restricted to what the reader may see, its relations selected
    and prefetched by the caller) in chunks: the header — ``columns``, then the custom fields
    as ``cf_<key>`` — and one chunk per batch of records in id order. ``value_of(record,
    column)`` gives a cell's value; spreadsheet formulas are defused (``spreadsheet.cell``)."""
    from clientela.core import customfields
    from clientela.core.spreadsheet import cell

    definitions = customfields.definitions_for(queryset.model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(columns) + [f"cf_{d.key}" for d in definitions])
    yield buffer.getvalue()
    base = queryset.order_by("pk")
    last_id = 0
    while batch := list(base.filter(pk__gt=last_id)[:batch_size]):
        buffer.seek(0)
        buffer.truncate()
        for record in batch:
            row = [cell(value_of(record, column)) for column in columns]
            row += [cell(record.custom_fields.get(d.key)) for d in definitions]
            writer.writerow(row)
        yield buffer.getvalue()
        last_id = batch[-1].pk
