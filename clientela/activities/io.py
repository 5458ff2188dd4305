"""Activities as CSV: streamed in id order, in batches, with custom fields as ``cf_<key>``."""

from clientela.core.exports import iter_record_csv
from clientela.core.prefetch import prefetched, related

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
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see)."""
    queryset = (
        queryset.select_related("contact", "company", "deal", "owner", "team")
        .prefetch_related(None)
        .prefetch_related(prefetched("tags"))
    )
    return iter_record_csv(queryset, COLUMNS, _value)
