"""Cases as CSV: streamed in id order, in batches, with custom fields as ``cf_<key>`` columns."""

import csv
import io

from clientela.core import customfields
from clientela.core.prefetch import prefetched, related
from clientela.core.spreadsheet import cell

from .models import Case

BATCH_SIZE = 1000
COLUMNS = [
    "id",
    "reference",
    "subject",
    "status",
    "priority",
    "channel",
    "category",
    "contact",
    "company",
    "language",
    "owner",
    "team",
    "sla_policy",
    "sla_state",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "last_message_at",
    "tags",
    "created_at",
    "updated_at",
]
NAMED = {"category", "contact", "company", "team", "sla_policy"}


def _value(case, column):
    if column in NAMED:
        linked = getattr(case, column)
        return str(linked) if linked else ""
    if column == "owner":
        return case.owner.username if case.owner_id else ""
    if column == "tags":
        return sorted(t.name for t in related(case, "tags"))
    return getattr(case, column)


def iter_cases_csv(queryset):
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see): the
    header, then one chunk per batch of cases."""
    definitions = customfields.definitions_for(Case)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS + [f"cf_{d.key}" for d in definitions])
    yield buffer.getvalue()
    base = (
        queryset.order_by("pk")
        .select_related("category", "contact", "company", "owner", "team", "sla_policy")
        .prefetch_related(None)  # the caller's own prefetches may differ from these
        .prefetch_related(prefetched("tags"))
    )
    last_id = 0
    while batch := list(base.filter(pk__gt=last_id)[:BATCH_SIZE]):
        buffer.seek(0)
        buffer.truncate()
        for case in batch:
            row = [cell(_value(case, column)) for column in COLUMNS]
            row += [cell(case.custom_fields.get(d.key)) for d in definitions]
            writer.writerow(row)
        yield buffer.getvalue()
        last_id = batch[-1].pk
