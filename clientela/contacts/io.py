"""CSV and XLSX export and CSV import of contacts and companies (vCard export: ``vcard``).

Export streams: records are read by id in batches of 1,000 (as tuples, their e-mails, phones and
tags in one query each), and each batch becomes one text chunk, so memory stays flat whatever the
table size. Import reads the file row by row (UTF-8 or Windows-1252, ``,`` ``;`` or tab,
byte-order mark tolerated); each row goes through ``contacts.services`` in its own savepoint, so
a bad row is reported with its line number and never half-written, while the good rows are kept.
"""

import codecs
import csv
import decimal
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from clientela.core import customfields, permissions
from clientela.core.choices import CustomFieldType
from clientela.core.exports import RowCooker, datetime_as_text, fetch_rows
from clientela.core.models import Team, User
from clientela.core.spreadsheet import XlsxSheet, cells, uncell
from clientela.core.text import normalize

from . import services
from .models import Company, Contact, ContactEmail

BATCH_SIZE = 1000
LIST_SEPARATOR = "; "  # e-mails, phones
TAG_SEPARATOR = ", "
CF_PREFIX = "cf_"

CONTACT_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "second_last_name",
    "job_title",
    "company",
    "emails",
    "phones",
    "language",
    "lifecycle_stage",
    "lead_status",
    "source",
    "source_detail",
    "consent_status",
    "consent_at",
    "consent_method",
    "consent_proof",
    "street",
    "city",
    "postcode",
    "region",
    "country",
    "website",
    "linkedin",
    "x",
    "instagram",
    "facebook",
    "tiktok",
    "owner",
    "team",
    "tags",
    "notes",
    "completeness",
    "created_at",
    "updated_at",
]
COMPANY_COLUMNS = [
    "id",
    "name",
    "legal_name",
    "tax_id",
    "domain",
    "website",
    "industry",
    "size",
    "phones",
    "street",
    "city",
    "postcode",
    "region",
    "country",
    "linkedin",
    "x",
    "instagram",
    "facebook",
    "tiktok",
    "owner",
    "team",
    "tags",
    "description",
    "completeness",
    "created_at",
    "updated_at",
]
# Written by export, ignored by import (the database or the services set them).
READ_ONLY_COLUMNS = {"id", "completeness", "created_at", "updated_at"}


def columns_for(model):
    return CONTACT_COLUMNS if model is Contact else COMPANY_COLUMNS


# --- export -------------------------------------------------------------------------------------
#
# One row generator feeds every tabular format: ``iter_value_batches`` reads the records in id
# order, 1,000 at a time, and turns each into a list of plain Python values (text, datetimes,
# custom field values as stored); the CSV and XLSX writers only decide how a value becomes a cell.
# Rows are read with ``core.exports.fetch_rows`` (the queryset's SQL, raw driver values) and only
# the columns that need it are converted (``RowCooker``): at a million rows, Django's per-value
# converters cost more than the queries.


def export_header(model, definitions):
    return columns_for(model) + [f"{CF_PREFIX}{d.key}" for d in definitions]


LINKED_NAMES = {"company": "company__name", "owner": "owner__username", "team": "team__name"}
CHILD_COLUMNS = ("emails", "phones", "tags")
DATETIME_COLUMNS = ("consent_at", "created_at", "updated_at")


def batch_filter(field, ids):
    """The filter selecting the rows of ``ids`` (ascending): an id range when the batch is dense
    (a whole table, in id order: Django prepares each value of an ``IN`` list, which costs more
    than the query itself), else ``IN``. Rows of ids in the range but not in the batch are
    skipped by the caller."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
    return {f"{field}__in": ids}


def _children(model, ids):
    """``{column: {record id: joined text}}`` of the e-mails, phones and tags of ``ids`` (three
    queries a batch; primary e-mail and phone first, tags by name)."""
    owner = "contact_id" if model is Contact else "company_id"
    wanted = set(ids)
    found = {column: defaultdict(list) for column in CHILD_COLUMNS}
    sources = [("phones", model.phones.rel.related_model, "number")]
    if model is Contact:
        sources.append(("emails", ContactEmail, "email"))
    for column, child, value in sources:
        rows = child.objects.filter(**batch_filter(owner, ids)).order_by(owner, "-is_primary", "id")
        by_record = found[column]
        for record_id, text in fetch_rows(rows.values_list(owner, value)):
            if record_id in wanted:
                by_record[record_id].append(text)
    tagged = model.tags.through.objects.filter(**batch_filter(owner, ids))
    for record_id, name in fetch_rows(tagged.values_list(owner, "tag__name")):
        if record_id in wanted:
            found["tags"][record_id].append(name)
    return {
        "emails": {pk: LIST_SEPARATOR.join(texts) for pk, texts in found["emails"].items()},
        "phones": {pk: LIST_SEPARATOR.join(texts) for pk, texts in found["phones"].items()},
        "tags": {pk: TAG_SEPARATOR.join(sorted(texts)) for pk, texts in found["tags"].items()},
    }


def iter_value_batches(model, queryset, *, text_datetimes=False):
    """``(header, definitions, batches)``: the column names, the custom field definitions, then
    an iterator of lists of rows (one list per batch of 1,000 records, in id order), each row a
    list of values in the header's order. With ``text_datetimes`` datetimes come as their ISO
    text (what ``core.spreadsheet.cell`` would write) and ids as text.

    Rows are read as tuples, never as model instances, and each batch's e-mails, phones and tags
    in one query each: building a million model objects and their prefetched children would cost
    several times the whole export."""
    columns = columns_for(model)
    definitions = customfields.definitions_for(model)
    scalar = [c for c in columns if c not in CHILD_COLUMNS]
    selected = [
        datetime_as_text(c, queryset) if text_datetimes and c in DATETIME_COLUMNS else c
        for c in scalar
    ]
    base = (
        queryset.prefetch_related(None)
        .order_by("pk")
        .values_list("pk", "custom_fields", *(LINKED_NAMES.get(c, c) for c in selected))
    )
    keys = [d.key for d in definitions]
    # Where each header column comes from in a fetched tuple (children: a placeholder, 0).
    position = {name: 2 + i for i, name in enumerate(scalar)}
    take = itemgetter(*(position.get(c, 0) for c in columns))
    children_at = [(columns.index(c), c) for c in CHILD_COLUMNS if c in columns]
    cooker = RowCooker(base)
    cooks = []
    for name in scalar:
        index = position[name]
        if name in DATETIME_COLUMNS:
            cook = cooker.iso(index) if text_datetimes else cooker.orm(index)
        else:
            cook = cooker.orm(index)
        if cook is not None:
            cooks.append((columns.index(name), cook))
    if text_datetimes:
        cooks.append((columns.index("id"), str))
    custom_of = cooker.orm(1) or (lambda value: value)

    def batches():
        last_id = 0
        while True:
            records = fetch_rows(base.filter(pk__gt=last_id)[:BATCH_SIZE])
            if not records:
                return
            last_id = records[-1][0]
            children = _children(model, [record[0] for record in records])
            rows = []
            for record in records:
                pk = record[0]
                row = list(take(record))
                for index, column in children_at:
                    row[index] = children[column].get(pk, "")
                for index, cook in cooks:
                    value = row[index]
                    if value is not None:
                        row[index] = cook(value)
                if keys:
                    custom = custom_of(record[1]) or {}
                    row.extend(custom.get(key) for key in keys)
                rows.append(row)
            yield rows

    return export_header(model, definitions), definitions, batches()


def iter_csv(model, queryset):
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see) as text
    chunks: the header, then one chunk per batch of 1,000 records, in id order."""
    header, _definitions, batches = iter_value_batches(model, queryset, text_datetimes=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(cells, rows))
        yield buffer.getvalue()


def _typed(value, kind):
    """A custom field's stored JSON value as the type a spreadsheet should show (dates as dates,
    decimals as numbers); anything unexpected stays as it is."""
    if not isinstance(value, str) or not value:
        return value
    try:
        if kind == CustomFieldType.DATE:
            return parse_date(value) or value
        if kind == CustomFieldType.DATETIME:
            return parse_datetime(value) or value
        if kind == CustomFieldType.DECIMAL:
            return decimal.Decimal(value)
    except (ValueError, decimal.InvalidOperation):
        pass
    return value


def write_xlsx(model, queryset, fileobj):
    """Write the XLSX workbook of ``queryset`` (same columns as the CSV) to the binary
    ``fileobj``, row by row (``core.spreadsheet.XlsxSheet``: nothing kept in memory; see it
    for how values become cells)."""
    header, definitions, batches = iter_value_batches(model, queryset)
    kinds = [None] * len(columns_for(model)) + [d.field_type for d in definitions]
    typed = [(index, kind) for index, kind in enumerate(kinds) if kind]
    with XlsxSheet(fileobj, str(model._meta.verbose_name_plural)) as sheet:
        sheet.append(header)
        for rows in batches:
            for row in rows:
                for index, kind in typed:
                    row[index] = _typed(row[index], kind)
                sheet.append(row)


EXPORT_FORMATS = {Contact: ("csv", "xlsx", "vcf"), Company: ("csv", "xlsx")}


def export_content(model, queryset, code):
    """The export of ``queryset`` in the format ``code``: text chunks (CSV, vCard) or a binary
    file positioned at its start (XLSX). ``queryset`` must already be restricted to what the
    reader may see."""
    if code not in EXPORT_FORMATS[model]:
        raise ValueError(code)
    if code == "csv":
        return iter_csv(model, queryset)
    if code == "vcf":
        from .vcard import iter_vcards

        return iter_vcards(queryset)
    from clientela.core.exports import spooled_file

    out = spooled_file()
    try:
        write_xlsx(model, queryset, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


# --- import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    errors: list = field(default_factory=list)  # [(line number, {column: [messages]})]
    ignored_columns: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


SAMPLE_SIZE = 64 * 1024


class _RawReader(io.RawIOBase):
    """Any object with ``read(n)`` (an open file, an uploaded file) as a raw binary stream."""

    def __init__(self, fileobj):
        self.fileobj = fileobj

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.fileobj.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open_text(fileobj):
    """A text stream over ``fileobj`` (binary or text) in the encoding the file seems to use."""
    if isinstance(fileobj, io.TextIOBase):
        return fileobj
    raw = io.BufferedReader(_RawReader(fileobj), buffer_size=SAMPLE_SIZE)
    sample = raw.peek(SAMPLE_SIZE)[:SAMPLE_SIZE]
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            # The sample may end inside a multi-byte character: decode incrementally.
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    # Windows-1252 leaves five bytes undefined; a stray one must not stop the import.
    errors = "replace" if encoding == "cp1252" else "strict"
    return io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")


def _delimiter(header_line):
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _header_key(name):
    return normalize(name).replace(" ", "_").replace("-", "_")


class _Lookups:
    """Per-import caches of users, teams and companies named in the file."""

    def __init__(self, actor):
        self.actor = actor
        self.users, self.teams, self.companies = {}, {}, {}

    def user(self, name):
        if name not in self.users:
            self.users[name] = User.objects.filter(username__iexact=name, is_active=True).first()
        if self.users[name] is None:
            raise ValidationError(_("No active user %(name)s.") % {"name": name})
        return self.users[name]

    def team(self, name):
        if name not in self.teams:
            self.teams[name] = Team.objects.filter(name__iexact=name).first()
        if self.teams[name] is None:
            raise ValidationError(_("No team %(name)s.") % {"name": name})
        return self.teams[name]

    def company(self, name, owner, team):
        """The existing company of that name (one the importer may see), or a new one."""
        key = normalize(name)
        cached = self.companies.get(key)
        if cached is not None and Company.objects.filter(pk=cached.pk).exists():
            return cached
        queryset = Company.objects.filter(name__iexact=name)
        if self.actor is not None:
            queryset = permissions.visible(self.actor, queryset)
        company = queryset.order_by("pk").first()
        if company is None:
            company = services.create_company(actor=self.actor, name=name, owner=owner, team=team)
        self.companies[key] = company
        return company


def _choice_value(model, name, raw):
    """Accept a choice's stored value or its label (any case): "customer" or "Customer"."""
    choices = model._meta.get_field(name).choices or []
    wanted = normalize(raw)
    for value, label in choices:
        if wanted in (normalize(value), normalize(str(label))):
            return value
    return raw  # the service's validation reports it


def _split(raw, separator):
    return [part.strip() for part in raw.split(separator.strip()) if part.strip()]


def _row_arguments(model, row, lookups):
    """Turn one CSV row into keyword arguments of the create service."""
    errors, kwargs, custom = {}, {}, {}
    for column, raw in row.items():
        raw = uncell((raw or "").strip())
        if not raw:
            continue  # an empty cell means "not given": the field's default applies
        try:
            if column.startswith(CF_PREFIX):
                custom[column[len(CF_PREFIX) :]] = raw
            elif column in ("owner", "team"):
                kwargs[column] = lookups.user(raw) if column == "owner" else lookups.team(raw)
            elif column == "emails":
                kwargs["emails"] = _split(raw, LIST_SEPARATOR)
            elif column == "phones":
                kwargs["phones"] = _split(raw, LIST_SEPARATOR)
            elif column == "tags":
                kwargs["tags"] = _split(raw, TAG_SEPARATOR)
            elif column == "company":
                kwargs["company"] = raw  # resolved once owner/team are known
            elif column == "consent_at":
                kwargs[column] = _parse_when(raw)
            elif model._meta.get_field(column).choices:
                kwargs[column] = _choice_value(model, column, raw)
            else:
                kwargs[column] = raw
        except ValidationError as error:
            errors[column] = error.messages
    if custom:
        kwargs["custom_fields"] = custom
    return kwargs, errors


def _parse_when(raw):
    """An aware datetime from ISO text ("2024-05-01T10:00:00+02:00", "2024-05-01 10:00",
    "2024-05-01"); naive values are in the site's time zone."""
    try:
        when = parse_datetime(raw)
        if when is None and (day := parse_date(raw)) is not None:
            when = datetime.combine(day, time(12))
    except ValueError:
        when = None
    if when is None:
        raise ValidationError(_("Enter a date and time."))
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _create(model, kwargs, lookups):
    if model is Contact:
        company_name = kwargs.pop("company", "")
        if company_name:
            kwargs["company"] = lookups.company(
                company_name, kwargs.get("owner"), kwargs.get("team")
            )
        return services.create_contact(actor=lookups.actor, **kwargs)
    return services.create_company(actor=lookups.actor, **kwargs)


def import_csv(model, fileobj, *, actor, dry_run=False, progress=None):
    """Create ``model`` records from a CSV file; return an ``ImportResult``.

    Header names are the export's column names (any case; ``id``, ``created_at`` and
    ``updated_at`` are ignored; ``cf_<key>`` fills custom fields). Rows without an owner column
    are left unassigned. With ``dry_run`` every row is validated through the same services and
    everything is rolled back. ``progress(rows_read)`` is called every 100 rows.
    """
    if actor is not None:
        permissions.require_write(actor, permissions.area_of(model))
    result = ImportResult()
    text = _open_text(fileobj)
    header_line = text.readline()
    if not header_line.strip():
        result.errors.append((1, {"file": [_("The file is empty.")]}))
        return result
    delimiter = _delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    known = set(columns_for(model)) - READ_ONLY_COLUMNS
    custom_keys = {d.key for d in customfields.definitions_for(model)}
    columns = []
    for name in header:
        key = _header_key(name.lstrip("\ufeff"))
        usable = key in known or (key.startswith(CF_PREFIX) and key[3:] in custom_keys)
        if not usable and key:
            result.ignored_columns.append(name)
        columns.append(key if usable else None)
    required = {"name"} if model is Company else {"first_name", "last_name"}
    if not required & set(columns):
        names = " / ".join(sorted(required))
        result.errors.append(
            (1, {"header": [_("A column %(names)s is needed.") % {"names": names}]})
        )
        return result

    lookups = _Lookups(actor)
    reader = csv.reader(text, delimiter=delimiter)
    rows_read = 0
    line = 1  # the header
    with transaction.atomic():
        try:
            for cells in reader:
                rows_read += 1
                start, line = line + 1, 1 + reader.line_num
                if progress and rows_read % 100 == 0:
                    progress(rows_read)
                if not any(c.strip() for c in cells):
                    continue
                row = {c: v for c, v in zip(columns, cells, strict=False) if c}
                _import_row(model, row, lookups, start, result)
        except UnicodeDecodeError:
            result.errors.append(
                (line + 1, {"file": [_("The file is not valid UTF-8 from this line on.")]})
            )
        except csv.Error as error:
            result.errors.append((line + 1, {"file": [str(error)]}))
        if dry_run:
            transaction.set_rollback(True)
    if progress:
        progress(rows_read)
    return result


def _import_row(model, row, lookups, line, result):
    kwargs, errors = _row_arguments(model, row, lookups)
    if not errors:
        try:
            with transaction.atomic():
                _create(model, kwargs, lookups)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"row": error.messages}
    if errors:
        result.errors.append((line, errors))
    else:
        result.created += 1
