"""Products, tax rates, price lists and the line items of deals: the arithmetic (each line rounded
half up to cents, IVA per rate), the deal's amount following its lines, and bad input."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clientela.core.models import ChangeRecord
from clientela.sales import services
from clientela.sales.models import DealLineItem, PriceListItem, Product, TaxRate
from clientela.sales.totals import line_amounts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "tax", "net", "tax_amount"),
    [
        ("3", "19.99", "10", "21", "53.97", "11.33"),  # 53.973 -> 53.97; 11.3337 -> 11.33
        ("1", "0.125", "0", "21", "0.13", "0.03"),  # half up, not to even: 0.125 -> 0.13
        ("1", "10.05", "0", "10", "10.05", "1.01"),  # 1.005 -> 1.01
        ("2.5", "3.3333", "0", "4", "8.33", "0.33"),
        ("1", "100", "100", "21", "0.00", "0.00"),
    ],
)
def test_each_line_is_rounded_half_up_to_cents(quantity, price, discount, tax, net, tax_amount):
    assert line_amounts(Decimal(quantity), Decimal(price), Decimal(discount), Decimal(tax)) == (
        Decimal(net),
        Decimal(tax_amount),
    )


def test_totals_add_rounded_lines_and_split_iva_by_rate(stages, seller, rates, cava, oil):
    deal = services.create_deal(actor=seller, name="Christmas hampers", owner=seller)

    deal = services.set_deal_lines(
        deal,
        [
            {"product": cava, "quantity": 3, "discount": 10},  # 33.75 + 7.09 (21 %)
            {"product": oil, "quantity": 2},  # 60.00 + 6.00 (10 %)
            {"description": "Gift box", "quantity": 1, "unit_price": "4.99"},  # default 21 %
            {"description": "Bread", "quantity": 4, "unit_price": "1.15", "tax_rate": rates[4]},
        ],
        actor=seller,
    )

    lines = list(deal.line_items.order_by("position"))
    assert [(line.description, line.net, line.tax) for line in lines] == [
        ("Cava brut", Decimal("33.75"), Decimal("7.09")),
        ("Oli d’oliva 5 l", Decimal("60.00"), Decimal("6.00")),
        ("Gift box", Decimal("4.99"), Decimal("1.05")),
        ("Bread", Decimal("4.60"), Decimal("0.18")),
    ]
    from clientela.sales.totals import totals_of

    totals = totals_of(lines)
    assert (totals.net, totals.tax, totals.gross) == (
        Decimal("103.34"),
        Decimal("14.32"),
        Decimal("117.66"),
    )
    assert {str(rate): (str(e["base"]), str(e["tax"])) for rate, e in totals.by_rate.items()} == {
        "21.00": ("38.74", "8.14"),
        "10.00": ("60.00", "6.00"),
        "4.00": ("4.60", "0.18"),
    }
    assert list(totals.by_rate) == [Decimal("21.00"), Decimal("10.00"), Decimal("4.00")]


def test_the_deal_amount_follows_its_lines_with_one_history_entry(stages, seller, cava):
    deal = services.create_deal(actor=seller, name="Cava", amount="999", owner=seller)

    deal = services.set_deal_lines(deal, [{"product": cava, "quantity": 10}], actor=seller)

    deal.refresh_from_db()
    assert (deal.amount, deal.amount_base, deal.version) == (
        Decimal("125.00"),
        Decimal("125.00"),
        2,
    )
    change = ChangeRecord.objects.filter(content_type__model="deal", action="update").get()
    assert change.changes["amount"] == ["999.00", "125.00"]
    assert change.changes["line_items"] == [[], ["10 × Cava brut 12.5 +21 % = 125.00"]]


def test_removing_every_line_keeps_the_last_amount(stages, seller, cava):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    services.set_deal_lines(deal, [{"product": cava, "quantity": 2}], actor=seller)

    deal = services.set_deal_lines(deal, [], actor=seller)

    deal.refresh_from_db()
    assert deal.amount == Decimal("25.00")
    assert not deal.line_items.exists()


def test_lines_in_another_currency_come_from_the_default_price_list(stages, seller, cava):
    services.set_exchange_rate(actor=seller, currency="USD", valid_from="2000-01-01", rate="0.9")
    usd = services.save_price_list(actor=seller, name="Export", currency="USD", is_default=True)
    services.update_product(cava, actor=seller, prices=[{"price_list": usd, "unit_price": "15"}])
    deal = services.create_deal(actor=seller, name="Export", currency="USD", owner=seller)

    deal = services.set_deal_lines(deal, [{"product": cava, "quantity": 2}], actor=seller)

    deal.refresh_from_db()
    assert (deal.amount, deal.amount_base) == (Decimal("30.00"), Decimal("27.00"))


def test_a_product_without_a_price_in_the_currency_needs_one(stages, seller, cava):
    services.set_exchange_rate(actor=seller, currency="GBP", valid_from="2000-01-01", rate="1.2")
    deal = services.create_deal(actor=seller, name="Export", currency="GBP", owner=seller)

    with pytest.raises(ValidationError) as caught:
        services.set_deal_lines(deal, [{"product": cava, "quantity": 1}], actor=seller)

    assert caught.value.message_dict == {
        "lines": ["Line 1: “Cava brut” has no price in GBP; enter a unit price."]
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"quantity": "-1"}, "Line 2: enter a quantity greater than 0 and at most 1,000,000."),
        ({"quantity": "0"}, "Line 2: enter a quantity greater than 0 and at most 1,000,000."),
        ({"quantity": "1e9"}, "Line 2: enter a quantity greater than 0 and at most 1,000,000."),
        ({"quantity": "NaN"}, "Line 2: enter a quantity greater than 0 and at most 1,000,000."),
        ({"discount": "150"}, "Line 2: enter a discount from 0 to 100 %."),
        ({"discount": "-5"}, "Line 2: enter a discount from 0 to 100 %."),
        ({"unit_price": "-0.01"}, "Line 2: enter a unit price between 0 and 1,000,000,000."),
        ({"unit_price": "1e15"}, "Line 2: enter a unit price between 0 and 1,000,000,000."),
        ({"unit_price": "0.00001"}, "Line 2: enter a unit price with at most four decimals."),
        ({"description": "x" * 301}, "Line 2: the description is longer than 300 characters."),
        ({"description": " "}, "Line 2: describe the line or choose a product."),
        (
            {"quantity": "1000000", "unit_price": "1000000000"},
            "Line 2: the line's amount is too large.",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_changes(stages, seller, cava, row, message):
    deal = services.create_deal(actor=seller, name="Cava", amount="50", owner=seller)
    services.set_deal_lines(deal, [{"product": cava, "quantity": 1}], actor=seller)
    bad = {"description": "Extra", "quantity": 1, "unit_price": "5", **row}

    with pytest.raises(ValidationError) as caught:
        services.set_deal_lines(deal, [{"product": cava, "quantity": 2}, bad], actor=seller)

    assert caught.value.message_dict == {"lines": [message]}
    deal.refresh_from_db()
    assert (deal.amount, deal.version) == (Decimal("12.50"), 2)
    assert list(DealLineItem.objects.values_list("quantity", flat=True)) == [Decimal("1.000")]


def test_a_rate_or_product_no_longer_used_cannot_go_on_new_lines(stages, seller, rates, cava):
    services.save_tax_rate(
        actor=seller, tax_rate=rates[4], name="IVA superreducido", rate="4", active=False
    )
    cava = services.update_product(cava, actor=seller, active=False)
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)

    with pytest.raises(ValidationError) as caught:
        services.set_deal_lines(
            deal,
            [
                {"product": cava, "quantity": 1},
                {
                    "description": "Bread",
                    "unit_price": "1",
                    "tax_rate": TaxRate.objects.get(pk=rates[4].pk),
                },
            ],
            actor=seller,
        )

    assert caught.value.message_dict["lines"] == [
        "Line 1: the product “Cava brut” is not sold any more.",
        "Line 2: the tax rate “VAT super-reduced (4 %)” is not in use.",
    ]


def test_built_in_tax_rates_are_named_in_the_readers_language_until_renamed(rates, admin_user):
    assert str(rates[21]) == "VAT standard (21 %)"
    with translation.override("es"):
        assert rates[21].display_name in ("IVA general", "VAT standard")  # until translated

    renamed = services.save_tax_rate(
        actor=admin_user, tax_rate=rates[10], name="IVA hostelería", rate="10"
    )
    assert renamed.display_name == "IVA hostelería"


def test_a_rate_used_by_lines_keeps_its_percentage(stages, seller, rates, cava):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    services.set_deal_lines(deal, [{"product": cava, "quantity": 1}], actor=seller)

    with pytest.raises(ValidationError) as caught:
        services.save_tax_rate(actor=seller, tax_rate=rates[21], name="IVA general", rate="22")

    assert list(caught.value.message_dict) == ["rate"]
    assert TaxRate.objects.get(pk=rates[21].pk).rate == Decimal("21.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit_price": "-1"}, "unit_price"),
        ({"unit_price": "99999999999"}, "unit_price"),
        ({"currency": "XYZ"}, "currency"),
        ({"sku": ""}, "sku"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_products_are_refused(admin_user, rates, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.create_product(
            actor=admin_user, **{"sku": "A", "name": "A", "unit_price": "1", **fields}
        )

    assert field in caught.value.message_dict
    assert not Product.objects.exists()


def test_a_product_in_use_is_deactivated_not_deleted(stages, seller, cava):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    services.set_deal_lines(deal, [{"product": cava, "quantity": 1}], actor=seller)

    with pytest.raises(ValidationError):
        services.delete_product(cava, actor=seller)

    assert Product.objects.filter(pk=cava.pk).exists()


# --- pages ---------------------------------------------------------------------------------------


def test_the_line_items_page_saves_lines_and_the_deal_shows_them(client, stages, seller, cava):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    client.force_login(seller)
    url = reverse("sales:deal_lines", args=[deal.pk])
    form = {
        "version": deal.version,
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-sku": "cava-br",
        "lines-0-quantity": "6",
        "lines-0-discount": "5",
        "lines-1-description": "Delivery",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "9.90",
    }

    response = client.post(url, form)

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("81.15")  # 71.25 + 9.90
    html = client.get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()
    assert "Cava brut" in html
    assert "98.19 EUR" in html  # 81.15 + 14.96 + 2.08 (IVA 21 %)
    assert "Edit line items" in html


def test_the_line_items_page_reports_a_bad_line_and_saves_nothing(client, stages, seller, cava):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    client.force_login(seller)

    response = client.post(
        reverse("sales:deal_lines", args=[deal.pk]),
        {
            "version": deal.version,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-sku": "NOPE",
            "lines-0-quantity": "1",
        },
    )

    assert response.status_code == 400
    assert "No product has this SKU." in response.content.decode()
    assert not DealLineItem.objects.exists()


def test_the_deal_form_leaves_the_amount_to_the_lines(client, stages, seller, cava):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    services.set_deal_lines(deal, [{"product": cava, "quantity": 2}], actor=seller)
    client.force_login(seller)

    html = client.get(reverse("sales:deal_edit", args=[deal.pk])).content.decode()

    assert "The net total of the line items." in html


def test_products_are_created_through_their_page_with_list_prices(client, admin_user, rates):
    usd = services.save_price_list(actor=admin_user, name="Export", currency="USD")
    client.force_login(admin_user)

    response = client.post(
        reverse("sales:product_create"),
        {
            "sku": "VI-NEGRE",
            "name": "Vi negre",
            "unit_price": "8.5",
            "currency": "EUR",
            "tax_rate": rates[21].pk,
            "active": "on",
            "prices-TOTAL_FORMS": "1",
            "prices-INITIAL_FORMS": "0",
            "prices-0-price_list": usd.pk,
            "prices-0-unit_price": "10",
        },
    )

    assert response.status_code == 302
    product = Product.objects.get(sku="VI-NEGRE")
    assert product.unit_price == Decimal("8.5")
    assert PriceListItem.objects.get(product=product).unit_price == Decimal("10")
    html = client.get(reverse("sales:product_list")).content.decode()
    assert "VI-NEGRE" in html and "8.50 EUR" in html


def test_read_only_roles_see_products_but_cannot_change_them(client, make_user, cava):
    client.force_login(make_user("read_only"))

    assert client.get(reverse("sales:product_list")).status_code == 200
    assert client.get(reverse("sales:product_create")).status_code == 403
    assert client.post(reverse("sales:product_edit", args=[cava.pk]), {}).status_code == 403


def test_tax_rates_and_price_lists_are_for_managers(client, seller, make_user):
    client.force_login(seller)
    assert client.get(reverse("sales:tax_rates")).status_code == 403
    client.force_login(make_user("manager"))
    assert client.get(reverse("sales:tax_rates")).status_code == 200
    assert client.get(reverse("sales:price_lists")).status_code == 200
