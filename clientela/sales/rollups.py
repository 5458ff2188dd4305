"""What each contact and company bought, kept on the record (``contacts.models.PurchaseRollup``).

Counted from their completed purchases outside the trash, in the base currency, and refreshed
in the same transaction as every write of a purchase through ``core.records`` (created,
changed, moved by a merge, trashed, restored): a segment rule on a whole purchase history
("five purchases or more", "last purchase over a year ago") is then a filter on a column
instead of a grouping of every purchase. Rules over a window of days or a product still read
the purchases.
"""

from decimal import Decimal

from django.db.models import Count, Max, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clientela.contacts.models import Company, Contact

from .choices import PurchaseStatus
from .models import Purchase

BUYERS = {"contact": Contact, "company": Company}
BATCH = 20_000


def refresh_purchases(purchases, changes):
    """``core.records`` hook: refresh the buyers of ``purchases``, and those a changed purchase
    belonged to before (``changes``: ``{pk: {field: [before, after]}}``)."""
    for link, model in BUYERS.items():
        ids = {getattr(p, f"{link}_id") for p in purchases}
        ids |= {change[link][0] for change in changes.values() if link in change}
        refresh(model, ids - {None})


def refresh(model, ids):
    """Recount the purchases of the ``model`` records (contacts or companies) with ``ids``."""
    ids = list(ids)
    if ids:
        model._base_manager.filter(pk__in=ids).update(**_rollup(model))


def rebuild(model, *, purchases=Purchase, batch=BATCH):
    """Recount every record of ``model``, a range of ids at a time (migrations, with their
    historical models, and benchmarks)."""
    records = model._base_manager
    last = records.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last, batch):
        records.filter(pk__gt=start, pk__lte=start + batch).update(**_rollup(model, purchases))


def _rollup(model, purchases=Purchase):
    link = model._meta.model_name  # "contact" or "company"
    purchases = (
        purchases._base_manager.filter(
            **{link: OuterRef("pk")}, status=PurchaseStatus.COMPLETED, deleted_at__isnull=True
        )
        .order_by()
        .values(link)
    )

    def of(aggregate):
        return Subquery(purchases.annotate(result=aggregate).values("result"))

    return {
        "purchase_count": Coalesce(of(Count("*")), Value(0)),
        "purchase_total": Coalesce(of(Sum("total_base")), Value(Decimal(0))),
        "first_purchase_at": of(Min("purchased_at")),
        "last_purchase_at": of(Max("purchased_at")),
    }
