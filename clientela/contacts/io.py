"""CSV and XLSX export of contacts and companies (vCard: ``vcard``; imports: ``intake``).

Export streams: records are read by id in batches of 1,000 (as tuples, their e-mails, phones and
tags in one query each), and each batch becomes one text chunk, so memory stays flat whatever the
table size. The column names are also what the import engine recognises first.
"""

import csv
import decimal
import io
from collections import defaultdict
from operator import itemgetter

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from clientela.core import customfields
from clientela.core.choices import CustomFieldType
from clientela.core.exports import RowCooker, datetime_as_text, fetch_rows
from clientela.core.spreadsheet import XlsxSheet, cells

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


def iter_value_batches(model, queryset, *, datetimes):
    """``(header, definitions, batches)``: the column names, the custom field definitions, then
    an iterator of lists of rows (one list per batch of 1,000 records, in id order), each row a
    list of values in the header's order. Datetimes come as ISO text, with ids as text too
    (``datetimes="text"``, what ``core.spreadsheet.cell`` would write), or as naive datetimes in
    the current time zone (``"local"``, for spreadsheets, which have no time zones).

    Rows are read as tuples, never as model instances, and each batch's e-mails, phones and tags
    in one query each: building a million model objects and their prefetched children would cost
    several times the whole export."""
    columns = columns_for(model)
    definitions = customfields.definitions_for(model)
    scalar = [c for c in columns if c not in CHILD_COLUMNS]
    selected = [datetime_as_text(c, queryset) if c in DATETIME_COLUMNS else c for c in scalar]
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
        if name in DATETIME_COLUMNS and datetimes == "text":
            cook = cooker.iso(index)
        elif name in DATETIME_COLUMNS and datetimes == "local":
            cook = cooker.local(index, timezone.get_current_timezone())
        else:
            cook = cooker.orm(index)
        if cook is not None:
            cooks.append((columns.index(name), cook))
    if datetimes == "text":
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
    header, _definitions, batches = iter_value_batches(model, queryset, datetimes="text")
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
    header, definitions, batches = iter_value_batches(model, queryset, datetimes="local")
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
