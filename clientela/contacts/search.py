"""What makes companies and contacts findable in the global search."""

from django.utils.translation import gettext_lazy as _

from clientela.core.search import SearchDocument, register

from .models import Company, Contact


def company_document(company):
    text = " ".join(
        [
            company.name,
            company.legal_name,
            company.tax_id,
            company.domain,
            company.city,
            *(p.number for p in company.phones.all()),
        ]
    )
    return SearchDocument(title=company.name, subtitle=company.city, text=text)


def contact_document(contact):
    emails = [e.email for e in contact.emails.all()]
    company_name = contact.company.name if contact.company_id else ""
    text = " ".join(
        [
            contact.first_name,
            contact.last_name,
            contact.second_last_name,
            company_name,
            contact.job_title,
            *emails,
            *(p.number for p in contact.phones.all()),
        ]
    )
    subtitle = " · ".join(p for p in (company_name, emails[0] if emails else "") if p)
    return SearchDocument(title=contact.full_name, subtitle=subtitle, text=text)


register("company", Company, company_document, "contacts:company_detail", _("Companies"))
register("contact", Contact, contact_document, "contacts:contact_detail", _("Contacts"))
