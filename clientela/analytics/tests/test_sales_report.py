"""The sales report's figures, checked against ones worked out by hand on fixed deals."""

import datetime
from decimal import Decimal

import pytest

from clientela.analytics import rollups
from clientela.analytics.reports import sales
from clientela.analytics.reports.filters import Filters
from clientela.analytics.reports.period import custom
from clientela.sales.models import Deal, Quota
from clientela.sales.services import deals

pytestmark = pytest.mark.django_db
Q1 = custom(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))


def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def deal(actor, stages, amount, created, *, closed=None, stage="Lead", owner=None, **fields):
    """A deal created on ``created`` and moved to ``stage`` on ``closed`` (or on its creation)."""
    record = deals.create_deal(
        actor=actor,
        name=f"Deal {amount}",
        amount=amount,
        pipeline=stages["Lead"].pipeline,
        owner=owner or actor,
        **fields,
    )
    if stage != "Lead":
        deals.move_deal(record, stages[stage], actor=actor)
    Deal.all_objects.filter(pk=record.pk).update(
        created_at=at(created), closed_at=at(closed) if closed else None
    )
    record.stage_changes.update(changed_at=at(closed or created))
    return record


@pytest.fixture
def q1(admin_user, make_user, stages):
    """Q1 2026: the seller wins 1,000 (10 days) and 3,000 (30 days) and has 4,000 open at
    Proposal; the admin loses 500. Q4 2025: the admin won 2,000 in 10 days."""
    seller = make_user("sales", username="marta")
    d = datetime.date
    deal(
        admin_user, stages, "1000", d(2026, 1, 10), closed=d(2026, 1, 20), stage="Won", owner=seller
    )
    deal(admin_user, stages, "3000", d(2026, 2, 1), closed=d(2026, 3, 3), stage="Won", owner=seller)
    deal(admin_user, stages, "500", d(2026, 2, 10), closed=d(2026, 2, 15), stage="Lost")
    deal(admin_user, stages, "2000", d(2025, 11, 1), closed=d(2025, 11, 11), stage="Won")
    deal(
        admin_user,
        stages,
        "4000",
        d(2026, 3, 1),
        stage="Proposal",
        owner=seller,
        expected_close_date=d(2026, 3, 15),
    )
    Quota.objects.create(user=seller, month=d(2026, 1, 1), amount=Decimal("2000"))
    Quota.objects.create(user=seller, month=d(2026, 2, 1), amount=Decimal("3000"))
    rollups.rebuild_all()
    return seller


def kpis(report):
    return {k.key: (k.value, k.previous) for k in report.kpis}


def test_headline_figures_against_the_previous_quarter(admin_user, q1):
    report = sales.build(admin_user, Filters(Q1))

    figures = kpis(report)
    assert figures["won_revenue"] == (Decimal("4000.00"), Decimal("2000.00"))
    assert figures["won_deals"] == (2, 1)
    assert figures["win_rate"][0] == pytest.approx(200 / 3) and figures["win_rate"][1] == 100
    assert figures["average_deal"] == (Decimal("2000"), Decimal("2000"))
    assert figures["cycle_days"] == (pytest.approx(20), pytest.approx(10))
    assert figures["created_deals"] == (4, 1)
    assert report.previous.start == datetime.date(2025, 10, 1)
    assert report.kpis[0].change == pytest.approx(100.0)


def test_revenue_by_month_with_the_previous_months_and_the_trend(admin_user, q1):
    table = sales.build(admin_user, Filters(Q1)).table("revenue")

    assert [row[1:4] for row in table.rows] == [
        [Decimal("1000.00"), 1, Decimal("0")],
        [Decimal("0"), 0, Decimal("2000.00")],
        [Decimal("3000.00"), 1, Decimal("0")],
    ]
    # Least squares through 1,000, 0, 3,000: mean 1,333.33, slope 1,000 a month.
    assert [row[4] for row in table.rows] == [
        Decimal("333.33"),
        Decimal("1333.33"),
        Decimal("2333.33"),
    ]


def test_revenue_by_quarter(admin_user, q1):
    year = custom(datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    table = sales.build(admin_user, Filters(year, bucket="quarter")).table("revenue")

    assert [(row[0], row[1]) for row in table.rows] == [
        ("Q3 2025", Decimal("0")),
        ("Q4 2025", Decimal("2000.00")),
        ("Q1 2026", Decimal("4000.00")),
        ("Q2 2026", Decimal("0")),
    ]


def test_pipeline_funnel_leaderboard_and_forecast(admin_user, q1):
    report = sales.build(admin_user, Filters(Q1))

    assert report.table("pipeline").rows == [
        ["Proposal", 1, Decimal("4000.00"), Decimal("2000.00")]
    ]
    # Created in Q1: two won (reached Won), one open at Proposal, one lost from Lead.
    assert report.table("funnel").rows == [
        ["Lead", 4, 75.0],
        ["Proposal", 3, pytest.approx(200 / 3)],
        ["Won", 2, None],
    ]
    seller, admin = q1.get_full_name(), admin_user.get_full_name()
    assert report.table("leaderboard").rows == [
        [seller, Decimal("4000.00"), 2, 100.0, Decimal("2000")],
        [admin, Decimal("0"), 0, 0.0, None],
    ]
    [marta] = [row for row in report.table("forecast").rows if row[0] == seller]
    # Won 4,000, 4,000 open at 50 % due in March, quota 5,000: 80 % attained.
    assert marta == [
        seller,
        Decimal("4000.00"),
        Decimal("0"),
        Decimal("4000.00"),
        Decimal("2000.00"),
        Decimal("5000.00"),
        Decimal("80"),
    ]


def test_a_salesperson_counts_only_their_own_deals(q1):
    report = sales.build(q1, Filters(Q1))

    figures = kpis(report)
    assert figures["won_revenue"] == (Decimal("4000.00"), Decimal("0"))
    assert figures["win_rate"] == (100, None)
    assert figures["created_deals"] == (3, 0)
    assert [row[0] for row in report.table("leaderboard").rows] == [q1.get_full_name()]


def test_filters_by_owner_and_region(admin_user, q1):
    assert kpis(sales.build(admin_user, Filters(Q1, owner=admin_user.pk)))["won_deals"] == (0, 1)
    assert kpis(sales.build(admin_user, Filters(Q1, region="Girona")))["created_deals"] == (0, 0)


def test_an_empty_database_gives_an_empty_report(admin_user, stages):
    report = sales.build(admin_user, Filters(Q1))

    assert kpis(report)["won_revenue"] == (Decimal("0"), Decimal("0"))
    assert kpis(report)["win_rate"] == (None, None)
    assert [row[1] for row in report.table("revenue").rows] == [Decimal("0")] * 3
    assert report.table("pipeline").rows == [] and report.table("leaderboard").rows == []
    assert [row[1] for row in report.table("funnel").rows] == [0, 0, 0]
