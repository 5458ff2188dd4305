"""Quotes: numbered versions of a deal's lines as a PDF in the customer's language, read back
with pypdf to check what it says."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clientela.contacts import services as contact_services
from clientela.sales import services
from clientela.sales.models import Quote

pytestmark = pytest.mark.django_db


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(data))).pages)


@pytest.fixture
def quoted_deal(stages, seller, customer, cava, oil, admin_user):
    contact_services.update_company(customer.company, actor=admin_user, tax_id="B08123457")
    services.save_seller_profile(
        actor=admin_user,
        name="Celler Ferrer SL",
        tax_id="B63272603",
        address="Carrer Major 1, 08001 Barcelona",
        quote_validity_days=15,
        quote_terms="Pagament a 30 dies.",
    )
    deal = services.create_deal(
        actor=seller,
        name="Nadal 2026",
        company=customer.company,
        contacts=[(customer, "decision_maker")],
        owner=seller,
    )
    services.set_deal_lines(
        deal,
        [
            {"product": cava, "quantity": 100, "discount": 5},  # 1,187.50 + 249.38
            {"product": oil, "quantity": 1},  # 30.00 + 3.00
        ],
        actor=seller,
    )
    return deal


def test_quote_versions_increment_and_numbers_follow_the_year(quoted_deal, seller):
    first = services.create_quote(quoted_deal, actor=seller)
    second = services.create_quote(quoted_deal, actor=seller)

    year = timezone.localdate().year
    assert [(q.version, q.number) for q in Quote.objects.order_by("version")] == [
        (1, f"Q-{year}-0001"),
        (2, f"Q-{year}-0002"),
    ]
    assert (second.net_amount, second.tax_amount, second.total_amount) == (
        Decimal("1217.50"),
        Decimal("252.38"),
        Decimal("1469.88"),
    )
    assert first.valid_until == timezone.localdate(first.created_at) + timezone.timedelta(days=15)
    assert second.snapshot["taxes"] == [
        {"rate": "21.00", "base": "1187.50", "tax": "249.38"},
        {"rate": "10.00", "base": "30.00", "tax": "3.00"},
    ]


def test_the_pdf_is_in_the_catalan_of_the_contact(quoted_deal, seller, customer, admin_user):
    contact_services.update_contact(customer, actor=admin_user, language="ca")

    quote = services.create_quote(quoted_deal, actor=seller)

    text = pdf_text(quote.pdf)
    assert quote.language == "ca"
    assert bytes(quote.pdf).startswith(b"%PDF")
    for expected in (
        "Celler Ferrer SL",
        "NIF/CIF: B63272603",
        "Client",
        "Vins Puig SL",
        "NIF/CIF: B08123457",
        "Núria Puig",
        "Descripció",
        "Oli d’oliva 5 l",
        "1.187,50 €",
        "1.469,88 €",
        "Pagament a 30 dies.",
    ):
        assert expected in text, expected
    month = quote.valid_until.month
    catalan_months = ["gener", "febrer", "març", "abril", "maig", "juny", "juliol", "agost",
                      "setembre", "octubre", "novembre", "desembre"]  # fmt: skip
    assert catalan_months[month - 1] in text


def test_the_pdf_is_in_spanish_for_a_spanish_contact(quoted_deal, seller, customer, admin_user):
    contact_services.update_contact(customer, actor=admin_user, language="es")

    text = pdf_text(services.create_quote(quoted_deal, actor=seller).pdf)

    assert "Descripción" in text
    assert "Cliente" in text
    assert "1 469,88 €" in text.replace("\xa0", " ")  # Spanish groups digits with a space


def test_the_pdf_is_in_english_without_a_language(quoted_deal, seller):
    quote = services.create_quote(quoted_deal, actor=seller)

    text = pdf_text(quote.pdf)
    assert quote.language == "en"
    assert "Description" in text
    assert "Customer" in text
    assert "1,469.88 €" in text
    assert "VAT 21 % on 1,187.50 €" in text


def test_a_deal_without_lines_gets_no_quote(stages, seller):
    deal = services.create_deal(actor=seller, name="Empty", owner=seller)

    with pytest.raises(ValidationError):
        services.create_quote(deal, actor=seller)

    assert not Quote.objects.exists()


def test_user_text_cannot_break_the_pdf(stages, seller, admin_user):
    deal = services.create_deal(actor=seller, name="<b>Deal & co</b>", owner=seller)
    services.set_deal_lines(
        deal, [{"description": "<font size=99>x</font> & <br/>", "unit_price": "1"}], actor=seller
    )

    text = pdf_text(services.create_quote(deal, actor=seller).pdf)

    assert "<font size=99>x</font> & <br/>" in text


# --- API and pages --------------------------------------------------------------------------------


def test_api_creates_lists_and_downloads_quotes(api, seller, quoted_deal):
    client = api(seller)
    url = f"/api/v1/deals/{quoted_deal.pk}/quotes/"

    created = client.post(url, {"language": "es"}, format="json")
    again = client.post(url, {}, format="json")
    listed = client.get(url)
    pdf = client.get(f"{url}1/pdf/")

    assert created.status_code == 201, created.json()
    assert (created.json()["version"], created.json()["language"]) == (1, "es")
    assert again.json()["version"] == 2
    assert [q["version"] for q in listed.json()] == [2, 1]
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "Descripción" in pdf_text(pdf.content)
    assert client.get(f"{url}9/pdf/").status_code == 404


def test_api_quote_errors(api, make_user, seller, quoted_deal, stages):
    url = f"/api/v1/deals/{quoted_deal.pk}/quotes/"
    empty = services.create_deal(actor=seller, name="Empty", owner=seller)

    assert api(make_user("read_only")).post(url, {}, format="json").status_code == 403
    assert api(make_user("sales", scope="own")).get(url).status_code == 404
    assert api(seller).post(url, {"language": "fr"}, format="json").status_code == 400
    response = api(seller).post(f"/api/v1/deals/{empty.pk}/quotes/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "non_field_errors": ["Add line items to the deal before making a quote."]
    }
    assert not Quote.objects.exists()


def test_the_deal_page_makes_quotes_and_lists_their_versions(client, seller, quoted_deal):
    client.force_login(seller)

    response = client.post(reverse("sales:quote_create", args=[quoted_deal.pk]))

    assert response.status_code == 302
    html = client.get(reverse("sales:deal_detail", args=[quoted_deal.pk])).content.decode()
    quote = Quote.objects.get()
    assert f"{quote.number} · version 1" in html
    assert reverse("sales:quote_download", args=[quoted_deal.pk, 1]) in html
    assert "Create quote" in html
    download = client.get(reverse("sales:quote_download", args=[quoted_deal.pk, 1]))
    assert download["Content-Disposition"] == f'attachment; filename="{quote.number}-v1.pdf"'


def test_readers_download_quotes_but_cannot_make_them(client, make_user, seller, quoted_deal):
    services.create_quote(quoted_deal, actor=seller)
    client.force_login(make_user("read_only"))

    assert client.get(reverse("sales:quote_download", args=[quoted_deal.pk, 1])).status_code == 200
    assert client.post(reverse("sales:quote_create", args=[quoted_deal.pk])).status_code == 403
    html = client.get(reverse("sales:deal_detail", args=[quoted_deal.pk])).content.decode()
    assert "Create quote" not in html
