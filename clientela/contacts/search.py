"""What makes companies and contacts findable in the global search.

Phones are indexed twice, international and national digits (``34600123456 600123456``), so
"600 123 456" and "+34 600 123 456" both find the number. Contacts are also found by their
company's name: ``services.update_company`` reindexes them when it changes.
"""

from django.utils.translation import gettext_lazy as _

from clientela.core.prefetch import related
from clientela.core.search import SearchDocument, register
from clientela.core.validators import phone_search_words

from .models import Company, Contact


def _phone_words(phones):
    return [word for phone in phones for word in phone_search_words(phone.number)]


def company_document(company):
    text = " ".join(
        [
            company.name,
            company.legal_name,
            company.tax_id,
            company.domain,
            company.city,
            *_phone_words(related(company, "phones")),
        ]
    )
    return SearchDocument(title=company.name, subtitle=company.city, text=text)


def contact_document(contact):
    emails = [e.email for e in related(contact, "emails")]
    company_name = contact.company.name if contact.company_id else ""
    text = " ".join(
        [
            contact.first_name,
            contact.last_name,
            contact.second_last_name,
            company_name,
            contact.job_title,
            *emails,
            *_phone_words(related(contact, "phones")),
        ]
    )
    subtitle = " · ".join(p for p in (company_name, emails[0] if emails else "") if p)
    return SearchDocument(title=contact.full_name, subtitle=subtitle, text=text)


register(
    "company",
    Company,
    company_document,
    "contacts:company_detail",
    _("Companies"),
    related=("phones",),
)
register(
    "contact",
    Contact,
    contact_document,
    "contacts:contact_detail",
    _("Contacts"),
    related=("company", "emails", "phones"),
)
