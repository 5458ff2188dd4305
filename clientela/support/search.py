"""What makes cases findable in the global search: their number ("#123" or "123"), subject and
the customer's name and company."""

from django.utils.translation import gettext_lazy as _

from clientela.core.search import SearchDocument, register

from .markdown import plain_text
from .models import Article, Case


def case_document(case):
    contact = str(case.contact) if case.contact_id else ""
    company = case.company.name if case.company_id else ""
    text = " ".join([str(case.pk), case.subject, contact, company])
    subtitle = " · ".join(p for p in (contact, company) if p)
    return SearchDocument(title=f"{case.reference} {case.subject}", subtitle=subtitle, text=text)


register(
    "case",
    Case,
    case_document,
    "support:case_detail",
    _("Cases"),
    related=("contact", "company"),
)


def article_document(article):
    text = " ".join([article.title, plain_text(article.body)])
    return SearchDocument(title=article.title, subtitle=article.get_language_display(), text=text)


register("article", Article, article_document, "support:article_detail", _("Articles"))
