"""The forecast by month and quarter against quotas, and who may set the quotas."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clientela.sales import forecast, services
from clientela.sales.models import Deal, Quota

pytestmark = pytest.mark.django_db
YEAR = 2026


def deal(seller, stages, name, amount, close, *, stage="Qualification", category="pipeline"):
    made = services.create_deal(
        actor=seller,
        name=name,
        amount=amount,
        owner=seller,
        expected_close_date=close,
        forecast_category=category,
    )
    if stage != "Qualification":
        made = services.move_deal(made, stages[stage], actor=seller)
    return made


@pytest.fixture
def book(seller, stages):
    """Jordi's deals in 2026: one won in March, open ones in April and May."""
    won = deal(seller, stages, "Won", "1000", datetime.date(YEAR, 3, 10), stage="Won")
    Deal.objects.filter(pk=won.pk).update(
        closed_at=datetime.datetime(YEAR, 3, 12, 10, tzinfo=datetime.UTC)
    )
    deal(
        seller,
        stages,
        "Commit",
        "500",
        datetime.date(YEAR, 4, 1),
        stage="Negotiation",
        category="commit",
    )
    deal(
        seller,
        stages,
        "Best",
        "300",
        datetime.date(YEAR, 4, 20),
        stage="Proposal",
        category="best_case",
    )
    deal(seller, stages, "Maybe", "200", datetime.date(YEAR, 5, 2))
    deal(seller, stages, "Dropped", "900", datetime.date(YEAR, 5, 3), category="omitted")
    services.set_quota(actor=seller, user=seller, month=datetime.date(YEAR, 3, 1), amount="800")
    services.set_quota(actor=seller, user=seller, month=datetime.date(YEAR, 4, 1), amount="1200")


def test_monthly_forecast_splits_won_commit_best_case_and_weighted(book, seller):
    result = forecast.build(Deal.objects.all(), [seller], YEAR)

    cells = dict(zip([p for p, _label in result.periods], result.rows[0].cells, strict=True))
    march, april, may = (cells[datetime.date(YEAR, m, 1)] for m in (3, 4, 5))
    assert (march.won, march.quota, march.attainment) == (
        Decimal("1000.00"),
        Decimal("800.00"),
        125,
    )
    assert (april.commit, april.best_case, april.weighted) == (
        Decimal("500.00"),
        Decimal("300.00"),
        Decimal("470.00"),  # 500 x 70% + 300 x 40%
    )
    assert april.best_case_total == Decimal("800.00")
    assert (may.pipeline, may.weighted) == (Decimal("200.00"), Decimal("20.00"))  # omitted left out


def test_quarterly_forecast_adds_up_the_months_and_totals_add_up_people(book, seller, make_user):
    other = make_user("sales", username="pere")
    result = forecast.build(Deal.objects.all(), [seller, other], YEAR, "quarter")

    assert [label for _start, label in result.periods] == [
        "Q1 2026",
        "Q2 2026",
        "Q3 2026",
        "Q4 2026",
    ]
    q1, q2 = result.rows[0].cells[:2]
    assert (q1.won, q1.quota) == (Decimal("1000.00"), Decimal("800.00"))
    assert (q2.commit + q2.best_case + q2.pipeline, q2.quota) == (
        Decimal("1000.00"),
        Decimal("1200.00"),
    )
    assert result.totals[1].weighted == Decimal("490.00")
    assert [row.owner for row in result.rows] == [seller]  # pere has nothing to forecast


def test_forecast_page_shows_people_in_the_readers_scope(client, book, seller, make_user):
    client.force_login(seller)
    page = client.get(reverse("sales:forecast"), {"year": YEAR, "period": "quarter"})

    assert page.status_code == 200
    assert [row.owner for row in page.context["forecast"].rows] == [seller]
    assert "Q2 2026" in page.content.decode()


def test_managers_set_quotas_for_a_year_in_one_form(client, make_user, seller):
    client.force_login(make_user("manager"))
    url = reverse("sales:quotas")

    response = client.post(
        f"{url}?year={YEAR}", {f"q_{seller.pk}_1": "1500", f"q_{seller.pk}_2": ""}
    )

    assert response.status_code == 302
    assert list(Quota.objects.values_list("user_id", "month", "amount")) == [
        (seller.pk, datetime.date(YEAR, 1, 1), Decimal("1500.00"))
    ]


def test_a_bad_quota_is_reported_and_saves_nothing(client, make_user, seller):
    client.force_login(make_user("manager"))

    response = client.post(
        f"{reverse('sales:quotas')}?year={YEAR}",
        {f"q_{seller.pk}_1": "1500", f"q_{seller.pk}_2": "-3", f"q_{seller.pk}_3": "much"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Enter an amount between 0 and 999,999,999,999.99.") == 2
    assert 'value="much"' in html
    assert not Quota.objects.exists()


def test_salespeople_may_not_set_quotas(client, seller):
    client.force_login(seller)

    assert client.get(reverse("sales:quotas")).status_code == 403
    assert client.post(reverse("sales:quotas"), {f"q_{seller.pk}_1": "1"}).status_code == 403
    assert not Quota.objects.exists()
