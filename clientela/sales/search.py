"""What makes deals findable in the global search: their name and their company's name."""

from django.utils.translation import gettext_lazy as _

from clientela.core.search import SearchDocument, register

from .models import Deal


def deal_document(deal):
    company_name = deal.company.name if deal.company_id else ""
    return SearchDocument(
        title=deal.name,
        subtitle=" · ".join(p for p in (company_name, f"{deal.amount} {deal.currency}") if p),
        text=" ".join([deal.name, company_name]),
    )


register("deal", Deal, deal_document, "sales:deal_detail", _("Deals"), related=("company",))
