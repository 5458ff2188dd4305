"""Sales settings: pipelines and stages, lost reasons, exchange rates — for managers only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clientela.sales import services
from clientela.sales.models import ExchangeRate, LostReason, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, make_user):
    client.force_login(make_user("manager"))
    return client


def stage_rows(rows, initial=0):
    data = {
        "stages-TOTAL_FORMS": str(len(rows)),
        "stages-INITIAL_FORMS": str(initial),
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"stages-{i}-{key}"] = value
    return data


def test_a_manager_creates_a_pipeline_with_its_stages(manager, pipeline):
    response = manager.post(
        reverse("sales:pipeline_create"),
        {
            "name": "Renovaciones",
            **stage_rows(
                [
                    {"name": "Aviso", "probability": "50", "kind": "open"},
                    {"name": "Renovado", "probability": "3", "kind": "won"},
                    {"name": "", "probability": "10", "kind": "open"},
                ]
            ),
        },
    )

    assert response["Location"] == reverse("sales:pipeline_list")
    created = Pipeline.objects.get(name="Renovaciones")
    assert list(created.stages.values_list("name", "probability", "kind")) == [
        ("Aviso", 50, "open"),
        ("Renovado", 100, "won"),
    ]


def test_a_stage_with_deals_cannot_be_deleted(manager, stages, seller):
    services.create_deal(actor=seller, name="Cava")
    pipeline = stages["Qualification"].pipeline
    rows = [
        {"id": str(s.pk), "name": s.name, "probability": str(s.probability), "kind": s.kind}
        for s in pipeline.stages.all()
    ]
    rows[0]["DELETE"] = "on"

    response = manager.post(
        reverse("sales:pipeline_edit", args=[pipeline.pk]),
        {"name": pipeline.name, "is_default": "on", **stage_rows(rows, initial=len(rows))},
    )

    assert response.status_code == 400
    assert "“Qualification” still has deals: move them first." in response.content.decode()
    assert pipeline.stages.count() == 5


def test_stages_are_renamed_and_reordered(manager, stages):
    pipeline = stages["Qualification"].pipeline
    order = ["Proposal", "Qualification", "Negotiation", "Won", "Lost"]
    rows = [
        {
            "id": str(stages[name].pk),
            "name": "Propuesta" if name == "Proposal" else name,
            "probability": str(stages[name].probability),
            "kind": stages[name].kind,
        }
        for name in order
    ]

    manager.post(
        reverse("sales:pipeline_edit", args=[pipeline.pk]),
        {"name": pipeline.name, "is_default": "on", **stage_rows(rows, initial=len(rows))},
    )

    assert list(pipeline.stages.values_list("name", flat=True)) == [
        "Propuesta",
        "Qualification",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_the_default_pipeline_cannot_be_archived(manager, pipeline):
    response = manager.post(
        reverse("sales:pipeline_edit", args=[pipeline.pk]),
        {"name": pipeline.name, "is_default": "on", "archived": "on", **stage_rows([])},
    )

    assert response.status_code == 400
    pipeline.refresh_from_db()
    assert pipeline.archived is False


def test_exchange_rates_are_added_and_bad_ones_refused(manager):
    url = reverse("sales:exchange_rates")

    manager.post(url, {"currency": "USD", "valid_from": "2026-01-01", "rate": "0.91"})
    bad = manager.post(url, {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1"})
    worse = manager.post(url, {"currency": "USD", "valid_from": "2026-01-01", "rate": "-1"})

    assert (bad.status_code, worse.status_code) == (400, 400)
    assert list(ExchangeRate.objects.values_list("currency", "valid_from", "rate")) == [
        ("USD", datetime.date(2026, 1, 1), Decimal("0.91000000"))
    ]


def test_lost_reasons_are_added_and_withdrawn(manager, db):
    manager.post(reverse("sales:lost_reasons"), {"name": "Plazo de entrega"})
    reason = LostReason.objects.get(name="Plazo de entrega")

    manager.post(reverse("sales:lost_reason_toggle", args=[reason.pk]))

    reason.refresh_from_db()
    assert reason.active is False


@pytest.mark.parametrize(
    "name", ["sales:pipeline_list", "sales:exchange_rates", "sales:lost_reasons"]
)
def test_salespeople_cannot_change_sales_settings(client, seller, name):
    client.force_login(seller)

    assert client.get(reverse(name)).status_code == 403
