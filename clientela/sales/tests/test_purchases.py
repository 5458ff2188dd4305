"""Purchases: once per won deal, idempotent shop orders through the API, totals in the base
currency, bad input refused with nothing written, permissions, pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.contacts import services as contact_services
from clientela.core.models import ChangeRecord
from clientela.sales import services
from clientela.sales.models import Purchase, PurchaseItem

pytestmark = pytest.mark.django_db
URL = "/api/v1/purchases/"


@pytest.fixture
def seller_api(api, seller):
    return api(seller)


@pytest.fixture
def customer(customer, seller, admin_user):
    """The seller's customer (the shared fixture's contact is unassigned)."""
    return contact_services.update_contact(customer, actor=admin_user, owner=seller)


def order(customer, **extra):
    return {
        "source": "botiga-online",
        "external_id": "WC-1001",
        "contact": customer.pk,
        "purchased_at": "2026-03-14T10:30:00+01:00",
        "channel": "online_shop",
        "items": [
            {"sku": "CAVA-BR", "description": "Cava brut", "quantity": "6", "unit_price": "12.50",
             "discount": "10", "tax_percent": "21"},
            {"description": "Shipping", "quantity": "1", "unit_price": "4.95", "tax_percent": "21"},
        ],
        **extra,
    }  # fmt: skip


# --- from won deals ------------------------------------------------------------------------------


def test_winning_a_deal_records_one_purchase_even_when_won_again(
    stages, seller, customer, admin_user, cava
):
    buyer = contact_services.create_contact(actor=admin_user, first_name="Pere", owner=seller)
    deal = services.create_deal(
        actor=seller,
        name="Cava",
        company=customer.company,
        contacts=[(customer, "champion"), (buyer, "decision_maker")],
        owner=seller,
    )
    services.set_deal_lines(deal, [{"product": cava, "quantity": 4}], actor=seller)

    services.move_deal(deal, stages["Won"], actor=seller)
    services.move_deal(deal, stages["Negotiation"], actor=seller)
    services.move_deal(deal, stages["Won"], actor=seller)

    purchase = Purchase.objects.get()
    assert (purchase.deal, purchase.contact, purchase.company) == (deal, buyer, customer.company)
    assert (purchase.channel, purchase.source, purchase.owner) == ("sales_team", "deal", seller)
    assert (purchase.net_amount, purchase.tax_amount, purchase.total_amount) == (
        Decimal("50.00"),
        Decimal("10.50"),
        Decimal("60.50"),
    )
    assert [(i.product, i.quantity, i.tax_percent) for i in purchase.items.all()] == [
        (cava, Decimal("4.000"), Decimal("21.00"))
    ]
    deal.refresh_from_db()
    assert purchase.purchased_at == deal.closed_at or purchase.purchased_at < deal.closed_at


def test_a_deal_won_without_lines_is_one_line_of_its_amount(stages, seller, customer):
    deal = services.create_deal(
        actor=seller, name="Consulting", amount="1500", contacts=[customer], owner=seller
    )

    services.update_deal(deal, actor=seller, stage=stages["Won"])

    purchase = Purchase.objects.get()
    assert (purchase.contact, purchase.company) == (customer, customer.company)
    assert (purchase.total_amount, purchase.tax_amount) == (Decimal("1500.00"), Decimal("0.00"))
    assert not purchase.items.exists()


def test_a_deal_won_with_nobody_to_sell_to_records_nothing(stages, seller):
    services.create_deal(actor=seller, name="Nobody", stage=stages["Won"], owner=seller)

    assert not Purchase.all_objects.exists()


def test_a_lost_deal_records_nothing(stages, seller, customer):
    deal = services.create_deal(actor=seller, name="Cava", contacts=[customer], owner=seller)

    services.move_deal(deal, stages["Lost"], actor=seller)

    assert not Purchase.all_objects.exists()


# --- the service ---------------------------------------------------------------------------------


def test_a_purchase_in_dollars_is_also_kept_in_euros(admin_user, customer):
    services.set_exchange_rate(
        actor=admin_user, currency="USD", valid_from=datetime.date(2026, 1, 1), rate="0.92"
    )

    purchase, created = services.record_purchase(
        actor=admin_user,
        contact=customer,
        purchased_at=datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC),
        currency="usd",
        total_amount="121",
        tax_amount="21",
    )

    assert created
    assert (purchase.currency, purchase.net_amount, purchase.total_base, purchase.net_base) == (
        "USD",
        Decimal("100.00"),
        Decimal("111.32"),
        Decimal("92.00"),
    )
    assert purchase.number.startswith("P-2026-")


def test_refunding_changes_the_status_with_history(admin_user, customer):
    purchase, _ = services.record_purchase(
        actor=admin_user, contact=customer, purchased_at=datetime.date(2026, 1, 5), total_amount=50
    )

    purchase = services.update_purchase(purchase, actor=admin_user, status="refunded")

    assert not purchase.counts
    assert purchase.total_amount == Decimal("50.00")
    change = ChangeRecord.objects.filter(content_type__model="purchase", action="update").get()
    assert change.changes == {"status": ["completed", "refunded"]}


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"contact": None}, "contact"),
        ({"currency": "XYZ"}, "currency"),
        ({"total_amount": "-1"}, "total_amount"),
        ({"total_amount": "1e20"}, "total_amount"),
        ({"total_amount": None}, "items"),
        ({"tax_amount": "60"}, "tax_amount"),
        ({"purchased_at": datetime.date(2999, 1, 1)}, "purchased_at"),
        ({"purchased_at": datetime.date(1900, 1, 1)}, "purchased_at"),
        ({"channel": "carrier pigeon"}, "channel"),
        ({"external_id": "X-1", "source": ""}, "source"),
    ],
)
def test_bad_purchases_are_refused_and_nothing_is_written(admin_user, customer, fields, key):
    arguments = {
        "contact": customer,
        "purchased_at": datetime.date(2026, 1, 5),
        "total_amount": "50",
        **fields,
    }

    with pytest.raises(ValidationError) as caught:
        services.record_purchase(actor=admin_user, **arguments)

    assert key in caught.value.message_dict
    assert not Purchase.all_objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="purchase").exists()


# --- the API -------------------------------------------------------------------------------------


def test_a_shop_posting_the_same_order_twice_records_it_once(seller_api, seller, customer):
    first = seller_api.post(URL, order(customer), format="json")
    second = seller_api.post(URL, order(customer, note="retry"), format="json")

    assert first.status_code == 201, first.json()
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["note"] == ""
    body = first.json()
    assert (body["net_amount"], body["tax_amount"], body["total_amount"]) == (
        "72.45",
        "15.22",
        "87.67",
    )  # 67.50 + 14.18 (14.175 rounded up) and 4.95 + 1.04
    assert [item["net"] for item in body["items"]] == ["67.50", "4.95"]
    assert (body["owner"], body["channel"], body["currency"]) == (seller.pk, "online_shop", "EUR")
    assert first["ETag"] == f'"{body["id"]}-1"'
    assert Purchase.objects.count() == 1
    assert PurchaseItem.objects.count() == 2


def test_the_same_order_number_from_another_shop_is_another_purchase(seller_api, customer):
    seller_api.post(URL, order(customer), format="json")

    response = seller_api.post(URL, order(customer, source="marketplace"), format="json")

    assert response.status_code == 201
    assert Purchase.objects.count() == 2


def test_an_order_recorded_outside_the_callers_scope_is_a_conflict(api, make_user, customer):
    api(make_user("admin")).post(URL, order(customer), format="json")
    stranger = api(make_user("sales", scope="own"))
    contact_services.update_contact(customer, actor=None, owner=None)

    response = stranger.post(URL, order(customer), format="json")

    assert response.status_code in (400, 409)
    assert Purchase.objects.count() == 1


def item(**fields):
    return {"description": "Cava", "quantity": "1", "unit_price": "10", **fields}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"items": [item(quantity="-2")]}, "items"),
        ({"items": [item(quantity="0")]}, "items"),
        ({"items": [item(discount="150")]}, "items"),
        ({"items": [item(unit_price="-1")]}, "items"),
        ({"items": [item(unit_price="99999999999999")]}, "items"),
        ({"items": [item(tax_percent="121")]}, "items"),
        ({"items": [item(product=999999)]}, "items"),
        ({"items": [item(colour="red")]}, "items"),
        ({"items": [], "total_amount": "-5"}, "total_amount"),
        ({"items": []}, "items"),
        ({"contact": 999999}, "contact"),
        ({"contact": None}, "contact"),
        ({"purchased_at": "2999-01-01T00:00:00Z"}, "purchased_at"),
        ({"purchased_at": "yesterday"}, "purchased_at"),
        ({"channel": "fax"}, "channel"),
        ({"number": "P-1"}, None),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_orders_are_400_and_write_nothing(seller_api, customer, body, field):
    response = seller_api.post(URL, order(customer, **body), format="json")

    if field is None:  # read-only fields are ignored
        assert response.status_code == 201
        assert response.json()["number"] != "P-1"
        return
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Purchase.all_objects.exists()
    assert not PurchaseItem.objects.exists()


def test_a_ten_megabyte_body_is_refused_with_413(seller_api, customer):
    body = order(customer, note="x" * (10 * 1024 * 1024))

    response = seller_api.post(URL, body, format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Purchase.all_objects.exists()


def test_writes_honour_if_match(seller_api, customer):
    created = seller_api.post(URL, order(customer), format="json").json()
    url = f"{URL}{created['id']}/"

    ok = seller_api.patch(
        url, {"status": "refunded"}, format="json", HTTP_IF_MATCH=f'"{created["id"]}-1"'
    )
    stale = seller_api.patch(
        url, {"status": "cancelled"}, format="json", HTTP_IF_MATCH=f'"{created["id"]}-1"'
    )

    assert ok.status_code == 200
    assert ok.json()["total_amount"] == "87.67"
    assert stale.status_code == 412
    assert Purchase.objects.get().status == "refunded"


def test_read_only_roles_read_purchases_but_cannot_write(api, make_user, seller_api, customer):
    created = seller_api.post(URL, order(customer), format="json").json()
    reader = api(make_user("read_only"))

    assert reader.get(f"{URL}{created['id']}/").status_code == 200
    assert reader.post(URL, order(customer, external_id="WC-2"), format="json").status_code == 403
    assert (
        reader.patch(f"{URL}{created['id']}/", {"status": "cancelled"}, format="json").status_code
        == 403
    )
    assert reader.delete(f"{URL}{created['id']}/").status_code == 403


def test_purchases_outside_the_scope_are_404(api, make_user, seller_api, customer):
    created = seller_api.post(URL, order(customer), format="json").json()
    stranger = api(make_user("sales", scope="own"))

    assert stranger.get(f"{URL}{created['id']}/").status_code == 404
    assert stranger.get(URL).json()["results"] == []


def test_list_filters_by_contact_and_pages_by_cursor(seller_api, customer, admin_user):
    for n in range(3):
        seller_api.post(URL, order(customer, external_id=f"WC-{n}"), format="json")
    other = contact_services.create_contact(actor=admin_user, first_name="Pau")
    seller_api.post(URL, order(other, external_id="WC-9"), format="json")

    first = seller_api.get(URL, {"contact": customer.pk, "page_size": 2}).json()
    second = seller_api.get(first["next"]).json()

    assert [p["external_id"] for p in first["results"] + second["results"]] == [
        "WC-2", "WC-1", "WC-0"
    ]  # fmt: skip


def test_export_lists_items_and_defuses_formulas(seller_api, customer):
    seller_api.post(URL, order(customer, note="=HYPERLINK(1)"), format="json")

    text = b"".join(seller_api.get(f"{URL}export/").streaming_content).decode()

    assert "6 × CAVA-BR, 1 × Shipping" in text
    assert "'=HYPERLINK(1)" in text


# --- pages ---------------------------------------------------------------------------------------


def test_the_contact_page_shows_their_purchases(client, seller, customer, admin_user):
    purchase, _ = services.record_purchase(
        actor=admin_user,
        contact=customer,
        purchased_at=datetime.date(2026, 1, 5),
        total_amount="50",
        channel="store",
        owner=seller,
    )
    client.force_login(seller)

    html = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()

    assert 'id="purchases-heading"' in html
    assert f">{purchase.number}</a>" in html
    assert "50.00 EUR" in html
    assert f"{reverse('sales:purchase_create')}?contact={customer.pk}" in html


def test_a_purchase_is_recorded_through_its_form_from_the_contact(client, seller, customer, cava):
    client.force_login(seller)
    url = f"{reverse('sales:purchase_create')}?contact={customer.pk}"
    assert f'value="{customer.pk}" selected' in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "contact": customer.pk,
            "purchased_at": "2026-03-01T10:00",
            "channel": "store",
            "status": "completed",
            "currency": "EUR",
            "owner": seller.pk,
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-sku": "CAVA-BR",
            "items-0-quantity": "2",
        },
    )

    purchase = Purchase.objects.get()
    assert response["Location"] == reverse("sales:purchase_detail", args=[purchase.pk])
    assert (purchase.total_amount, purchase.channel) == (Decimal("30.25"), "store")
    html = client.get(response["Location"]).content.decode()
    assert "Cava brut" in html and "30.25 EUR" in html
    listing = client.get(reverse("sales:purchase_list")).content.decode()
    assert purchase.number in listing


def test_people_without_sales_access_see_no_purchases(client, make_user, customer):
    from clientela.core.models import Role

    role = Role.objects.get(code="service")
    role.access = {"contacts": "write"}
    role.save()
    client.force_login(make_user("service"))

    assert client.get(reverse("sales:purchase_list")).status_code == 403
    html = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()
    assert 'id="purchases-heading"' not in html
