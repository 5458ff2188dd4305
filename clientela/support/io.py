"""Cases as CSV: streamed in id order, in batches, with custom fields as ``cf_<key>`` columns."""

from clientela.core.exports import iter_record_csv
from clientela.core.prefetch import prefetched, related

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
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see)."""
    queryset = (
        queryset.select_related("category", "contact", "company", "owner", "team", "sla_policy")
        .prefetch_related(None)  # the caller's own prefetches may differ from these
        .prefetch_related(prefetched("tags"))
    )
    return iter_record_csv(queryset, COLUMNS, _value)
