"""``/api/v1/deals/``: CRUD, moves with If-Match, bad input, permissions."""

import pytest

from clientela.core.models import ChangeRecord
from clientela.sales import services
from clientela.sales.models import Deal

pytestmark = pytest.mark.django_db
URL = "/api/v1/deals/"


@pytest.fixture
def seller_api(api, seller):
    return api(seller)


def test_create_defaults_pipeline_stage_owner_and_links_contacts(
    admin_api, stages, admin_user, customer
):
    response = admin_api.post(
        URL,
        {
            "name": "Cava",
            "amount": "1200.00",
            "currency": "eur",
            "company": customer.company_id,
            "contacts": [{"contact": customer.pk, "role": "champion"}],
            "tags": ["summer"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stage"], body["status"], body["owner"], body["currency"]) == (
        stages["Qualification"].pk,
        "open",
        admin_user.pk,
        "EUR",
    )
    assert body["contacts"] == [{"contact": customer.pk, "role": "champion"}]
    assert body["amount_base"] == "1200.00"
    assert response["ETag"] == f'"{body["id"]}-1"'


def test_move_with_if_match_and_a_stale_second_move_is_412(seller_api, stages, seller):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    etag = f'"{deal.pk}-1"'

    first = seller_api.post(
        f"{URL}{deal.pk}/move/",
        {"stage": stages["Won"].pk},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    second = seller_api.post(
        f"{URL}{deal.pk}/move/",
        {"stage": stages["Lost"].pk},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert first.status_code == 200
    assert first.json()["status"] == "won"
    assert second.status_code == 412
    deal.refresh_from_db()
    assert deal.status == "won"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "100000000000000"}, "amount"),
        ({"currency": "XXX1"}, "currency"),
        ({"currency": "QQQ"}, "currency"),
        ({"expected_close_date": "0000-01-01"}, "expected_close_date"),
        ({"expected_close_date": "1066-10-14"}, "expected_close_date"),
        ({"name": ""}, "name"),
        ({"name": "<script>alert(1)</script>" * 20}, "name"),
        ({"contacts": [{"contact": 999999}]}, "contacts"),
        ({"contacts": [{"contact": 1, "role": "boss"}]}, "contacts"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(seller_api, stages, customer, body, field):
    response = seller_api.post(URL, {"name": "Cava", **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Deal.all_objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="deal").exists()


def test_a_stage_of_another_pipeline_is_400_and_the_deal_stays(
    seller_api, stages, other_pipeline, seller
):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)

    response = seller_api.post(
        f"{URL}{deal.pk}/move/", {"stage": other_pipeline.stages.first().pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"stage": ["This stage belongs to another pipeline."]}
    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["Qualification"], 1)


def test_read_only_roles_read_but_cannot_write(api, make_user, stages, seller):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    reader = api(make_user("marketing"))

    assert reader.get(f"{URL}{deal.pk}/").status_code == 200
    assert reader.post(URL, {"name": "Mine"}, format="json").status_code == 403
    assert (
        reader.post(f"{URL}{deal.pk}/move/", {"stage": stages["Won"].pk}, format="json").status_code
        == 403
    )


def test_deals_outside_the_scope_are_404(api, make_user, stages, seller):
    deal = services.create_deal(actor=seller, name="Cava", owner=seller)
    stranger = api(make_user("sales", scope="own"))

    assert stranger.get(f"{URL}{deal.pk}/").status_code == 404
    assert stranger.get(URL).json()["results"] == []


def test_export_defuses_formulas(seller_api, stages, seller):
    services.create_deal(actor=seller, name="=HYPERLINK(1)", owner=seller)

    response = seller_api.get(f"{URL}export/")

    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[1].split(",")[1] == "'=HYPERLINK(1)"


def test_qualifying_a_lead_over_the_api(admin_api, stages, admin_user, customer):
    response = admin_api.post(
        f"{URL}qualify/", {"contact": customer.pk, "amount": "300"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["owner"], body["amount"]) == (
        "Deal with Núria Puig",
        admin_user.pk,
        "300.00",
    )
    assert body["contacts"] == [{"contact": customer.pk, "role": "decision_maker"}]
    assert admin_api.post(f"{URL}qualify/", {"contact": 999999}, format="json").status_code == 400
