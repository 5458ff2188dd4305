"""What makes deals findable in the global search: their name and their company's name (kept
in step when the company is renamed)."""

from django.utils.translation import gettext_lazy as _

from clientela.core.events import subscribe
from clientela.core.search import SearchDocument, index_records, register

from .models import Deal, Purchase


def deal_document(deal):
    company_name = deal.company.name if deal.company_id else ""
    return SearchDocument(
        title=deal.name,
        subtitle=" · ".join(p for p in (company_name, f"{deal.amount} {deal.currency}") if p),
        text=" ".join([deal.name, company_name]),
    )


register("deal", Deal, deal_document, "sales:deal_detail", _("Deals"), related=("company",))


def purchase_document(purchase):
    customer = str(purchase.contact) if purchase.contact_id else ""
    company_name = purchase.company.name if purchase.company_id else ""
    return SearchDocument(
        title=purchase.number,
        subtitle=" · ".join(
            p for p in (customer, company_name, f"{purchase.total_amount} {purchase.currency}") if p
        ),
        text=" ".join([purchase.number, purchase.external_id, customer, company_name]),
    )


register(
    "purchase",
    Purchase,
    purchase_document,
    "sales:purchase_detail",
    _("Purchases"),
    related=("contact", "company"),
)


@subscribe("company.updated")
def _reindex_deals_of_renamed_company(_event, *, record, changes, **_payload):
    """A deal is found by its company's name too: follow a rename (after the commit)."""
    if "name" in changes:
        index_records(Deal.all_objects.filter(company=record, deleted_at__isnull=True))
