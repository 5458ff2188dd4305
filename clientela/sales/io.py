"""Deals as CSV: streamed in id order, in batches, with custom fields as ``cf_<key>`` columns."""

import csv
import io

from clientela.core import customfields
from clientela.core.prefetch import prefetched, related
from clientela.core.spreadsheet import cell

from .models import Deal, DealContact, PurchaseItem

BATCH_SIZE = 1000
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
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see) in chunks:
    the header, then one chunk per batch of deals."""
    definitions = customfields.definitions_for(Deal)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS + [f"cf_{d.key}" for d in definitions])
    yield buffer.getvalue()
    base = (
        queryset.order_by("pk")
        .select_related("pipeline", "stage", "company", "lost_reason", "owner", "team")
        .prefetch_related(None)  # the caller's own prefetches may differ from these
        .prefetch_related(
            prefetched("contact_links", DealContact.objects.select_related("contact")),
            prefetched("tags"),
        )
    )
    last_id = 0
    while batch := list(base.filter(pk__gt=last_id)[:BATCH_SIZE]):
        buffer.seek(0)
        buffer.truncate()
        for deal in batch:
            row = [cell(_value(deal, column)) for column in COLUMNS]
            row += [cell(deal.custom_fields.get(d.key)) for d in definitions]
            writer.writerow(row)
        yield buffer.getvalue()
        last_id = batch[-1].pk


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
    """Yield the CSV of ``queryset`` (already restricted to what the reader may see) in chunks,
    in id order, one batch at a time."""
    definitions = customfields.definitions_for(queryset.model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PURCHASE_COLUMNS + [f"cf_{d.key}" for d in definitions])
    yield buffer.getvalue()
    base = (
        queryset.order_by("pk")
        .select_related("contact", "company", "owner", "team")
        .prefetch_related(None)
        .prefetch_related(
            prefetched("items", PurchaseItem.objects.order_by("position", "id")),
            prefetched("tags"),
        )
    )
    last_id = 0
    while batch := list(base.filter(pk__gt=last_id)[:BATCH_SIZE]):
        buffer.seek(0)
        buffer.truncate()
        for purchase in batch:
            row = [cell(_purchase_value(purchase, column)) for column in PURCHASE_COLUMNS]
            row += [cell(purchase.custom_fields.get(d.key)) for d in definitions]
            writer.writerow(row)
        yield buffer.getvalue()
        last_id = batch[-1].pk
