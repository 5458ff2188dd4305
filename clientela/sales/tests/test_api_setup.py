"""Sales configuration and targets over the API: pipelines, lost reasons, exchange rates,
quotas and the forecast."""

import datetime

import pytest

from clientela.sales import services
from clientela.sales.models import ExchangeRate, Quota

pytestmark = pytest.mark.django_db


def test_pipelines_list_their_stages_in_order(api, seller, stages):
    body = api(seller).get("/api/v1/pipelines/").json()

    assert [p["name"] for p in body["results"]] == ["New business"]
    assert [s["name"] for s in body["results"][0]["stages"]] == [
        "Qualification",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_managers_post_rates_and_quotas_salespeople_only_read(api, make_user, seller):
    manager = api(make_user("manager"))
    rate = {"currency": "usd", "valid_from": "2026-01-01", "rate": "0.9"}
    quota = {"user": seller.pk, "month": "2026-03-17", "amount": "5000"}

    assert manager.post("/api/v1/exchange-rates/", rate, format="json").status_code == 201
    assert manager.post("/api/v1/quotas/", quota, format="json").status_code == 201
    assert api(seller).post("/api/v1/quotas/", quota, format="json").status_code == 403
    assert list(Quota.objects.values_list("month", flat=True)) == [datetime.date(2026, 3, 1)]
    assert ExchangeRate.objects.get().currency == "USD"
    assert [q["user"] for q in api(seller).get("/api/v1/quotas/").json()["results"]] == [seller.pk]


@pytest.mark.parametrize(
    "body",
    [
        {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1"},
        {"currency": "XYZ", "valid_from": "2026-01-01", "rate": "1"},
        {"currency": "USD", "valid_from": "2026-01-01", "rate": "0"},
        {"currency": "USD", "valid_from": "0000-01-01", "rate": "1"},
    ],
)
def test_bad_rates_are_400_and_nothing_is_stored(api, make_user, body):
    response = api(make_user("manager")).post("/api/v1/exchange-rates/", body, format="json")

    assert response.status_code == 400
    assert not ExchangeRate.objects.exists()


def test_forecast_over_the_api(api, make_user, seller, stages):
    services.create_deal(
        actor=seller,
        name="Cava",
        amount="1000",
        owner=seller,
        expected_close_date=datetime.date(2026, 5, 4),
        forecast_category="commit",
    )

    response = api(seller).get("/api/v1/forecast/?year=2026&period=quarter")

    assert response.status_code == 200
    body = response.json()
    assert body["periods"] == ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]
    assert body["rows"][0]["owner"] == seller.pk
    assert body["rows"][0]["cells"][1]["commit"] == "1000.00"
    assert api(seller).get("/api/v1/forecast/?year=20260").status_code == 400
