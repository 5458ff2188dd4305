"""Deals as CSV: streamed in id order, in batches, with custom fields as ``cf_<key>`` columns."""

from clientela.core.exports import iter_record_csv
from clientela.core.prefetch import prefetched, related

from .models import DealContact, PurchaseItem

COLUMNS = [
    "id",
    "name",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "amount_base",
    "expected_close_date",
    "closed_at",
    "company",
    "contacts",
    "source",
    "source_detail",
    "next_step",
    "forecast_category",
    "lost_reason",
    "owner",
    "team",
    "tags",
    "created_at",
    "updated_at",
]
NAMED = {"pipeline", "stage", "company", "lost_reason", "team"}


def _value(deal, column):
    if column in NAMED:
        linked = getattr(deal, column)
        return str(linked) if linked else ""
    if column == "owner":
        return deal.owner.username if deal.owner_id else ""
    if column == "contacts":
        return [str(link.contact) for link in related(deal, "contact_links")]
    if column == "tags":
        return sorted(t.name for t in related(deal, "tags"))
    return getattr(deal, column)


def iter_deals_csv(queryset):
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see)."""
    queryset = (
        queryset.select_related("pipeline", "stage", "company", "lost_reason", "owner", "team")
        .prefetch_related(None)  # the caller's own prefetches may differ from these
        .prefetch_related(
            prefetched("contact_links", DealContact.objects.select_related("contact")),
            prefetched("tags"),
        )
    )
    return iter_record_csv(queryset, COLUMNS, _value)


# --- purchases -----------------------------------------------------------------------------------

PURCHASE_COLUMNS = [
    "id",
    "number",
    "source",
    "external_id",
    "contact",
    "contact_id",
    "company",
    "company_id",
    "deal_id",
    "purchased_at",
    "channel",
    "status",
    "currency",
    "net_amount",
    "tax_amount",
    "total_amount",
    "total_base",
    "items",
    "note",
    "owner",
    "team",
    "tags",
    "created_at",
]


def _purchase_value(purchase, column):
    if column in ("contact", "company", "team"):
        linked = getattr(purchase, column)
        return str(linked) if linked else ""
    if column == "owner":
        return purchase.owner.username if purchase.owner_id else ""
    if column == "items":
        return [
            f"{item.quantity.normalize():f} × {item.sku or item.description}"
            for item in related(purchase, "items")
        ]
    if column == "tags":
        return sorted(t.name for t in related(purchase, "tags"))
    return getattr(purchase, column)


def iter_purchases_csv(queryset):
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see)."""
    queryset = (
        queryset.select_related("contact", "company", "owner", "team")
        .prefetch_related(None)
        .prefetch_related(
            prefetched("items", PurchaseItem.objects.order_by("position", "id")),
            prefetched("tags"),
        )
    )
    return iter_record_csv(queryset, PURCHASE_COLUMNS, _purchase_value)
