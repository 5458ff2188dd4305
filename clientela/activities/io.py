"""Activities as CSV: streamed in id order, in batches, with custom fields as ``cf_<key>``."""

import csv
import io

from clientela.core import customfields
from clientela.core.prefetch import prefetched, related
from clientela.core.spreadsheet import cell

from .models import Activity

BATCH_SIZE = 1000
COLUMNS = [
    "id",
    "kind",
    "subject",
    "body",
    "timeline_at",
    "contact",
    "company",
    "deal",
    "direction",
    "duration_seconds",
    "outcome",
    "starts_at",
    "ends_at",
    "place",
    "from_address",
    "to_addresses",
    "message_id",
    "due_at",
    "priority",
    "done_at",
    "remind_at",
    "recurrence",
    "owner",
    "team",
    "tags",
    "created_at",
    "updated_at",
]
NAMED = {"contact", "company", "deal", "team"}


def _value(activity, column):
    if column in NAMED:
        linked = getattr(activity, column)
        return str(linked) if linked else ""
    if column == "owner":
        return activity.owner.username if activity.owner_id else ""
    if column == "body":
        return activity.body_text
    if column == "tags":
        return sorted(t.name for t in related(activity, "tags"))
    return getattr(activity, column)


def iter_activities_csv(queryset):
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see): the
    header, then one chunk per batch."""
    definitions = customfields.definitions_for(Activity)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS + [f"cf_{d.key}" for d in definitions])
    yield buffer.getvalue()
    base = (
        queryset.order_by("pk")
        .select_related("contact", "company", "deal", "owner", "team")
        .prefetch_related(None)
        .prefetch_related(prefetched("tags"))
    )
    last_id = 0
    while batch := list(base.filter(pk__gt=last_id)[:BATCH_SIZE]):
        buffer.seek(0)
        buffer.truncate()
        for activity in batch:
            row = [cell(_value(activity, column)) for column in COLUMNS]
            row += [cell(activity.custom_fields.get(d.key)) for d in definitions]
            writer.writerow(row)
        yield buffer.getvalue()
        last_id = batch[-1].pk
