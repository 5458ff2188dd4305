"""The customers report and what the daily training adds for it: cohorts, behaviour groups,
churn risk and next best actions, and analytics segments turned into marketing segments."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.analytics.models import CohortCell, CustomerCluster, CustomerScore
from clientela.analytics.predictions import next_action
from clientela.analytics.reports import customers as report
from clientela.analytics.reports.filters import Filters
from clientela.analytics.reports.period import custom
from clientela.analytics.services import cohorts, customers
from clientela.contacts import services as contact_services
from clientela.marketing import rules
from clientela.marketing.models import Segment
from clientela.marketing.services import segments as marketing_segments
from clientela.sales.services import purchases
from clientela.support.services import cases as case_services

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def buy(actor, contact, when, amount="100"):
    purchases.record_purchase(actor=actor, contact=contact, total_amount=amount, purchased_at=when)


@pytest.fixture
def cohort_buyers(admin_user):
    """January 2026: Anna and Bru first buy; Anna again in February and April, Bru in
    February. February: Carla first buys (on 1 February at 00:30 in Madrid, still 31 January
    in UTC), and again in March."""
    anna, bru, carla = (
        contact_services.create_contact(actor=admin_user, first_name=name)
        for name in ("Anna", "Bru", "Carla")
    )
    for who, moments in (
        (anna, [(2026, 1, 5), (2026, 2, 9), (2026, 4, 2)]),
        (bru, [(2026, 1, 20), (2026, 2, 3)]),
        (carla, [(2026, 3, 11)]),
    ):
        for year, month, day in moments:
            buy(admin_user, who, datetime.datetime(year, month, day, 12, tzinfo=UTC))
    buy(admin_user, carla, datetime.datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "40")
    return anna, bru, carla


def test_cohorts_count_customers_by_first_month_in_the_company_time_zone(cohort_buyers):
    cohorts.rebuild()

    cells = {
        (c.cohort.isoformat(), c.month.isoformat()): (c.customers, c.revenue)
        for c in CohortCell.objects.all()
    }
    assert cells == {
        ("2026-01-01", "2026-01-01"): (2, Decimal("200.00")),
        ("2026-01-01", "2026-02-01"): (2, Decimal("200.00")),
        ("2026-01-01", "2026-04-01"): (1, Decimal("100.00")),
        ("2026-02-01", "2026-02-01"): (1, Decimal("40.00")),
        ("2026-02-01", "2026-03-01"): (1, Decimal("100.00")),
    }


def test_the_cohort_table_shows_retention_per_month(admin_user, cohort_buyers):
    cohorts.rebuild()
    first_half = custom(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))

    table = report.build(admin_user, Filters(first_half)).table("cohorts")

    january, february = table.rows
    assert january[1:5] == [2, 100.0, 0.0, 50.0]  # 2 customers; month 1: 2, month 3: 1
    assert february[1:3] == [1, 100.0]


def test_a_salesperson_sees_only_their_customers(make_user, cohort_buyers):
    seller = make_user("sales", scope="own")
    cohorts.rebuild()
    customers.retrain()

    found = report.build(
        seller, Filters(custom(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)))
    )

    assert {k.key: k.value for k in found.kpis}["customers"] == 0
    assert found.table("cohorts").rows == [] and found.table("segments").rows == []


def test_next_best_actions_follow_the_rules():
    facts = next_action.Facts
    assert next_action.suggest(facts("champions", 0.9, open_cases=1)) == "resolve_case"
    assert next_action.suggest(facts("champions", 0.9, detractor=True)) == "answer_detractor"
    assert next_action.suggest(facts("champions", 0.2)) == "save_valued"
    assert next_action.suggest(facts("hibernating", 0.9)) == "win_back"
    assert next_action.suggest(facts("potential", 0.9, open_deals=2)) == "follow_deal"
    assert next_action.suggest(facts("new", None)) == "welcome"
    assert next_action.suggest(facts("loyal", 0.95)) == "ask_referral"
    assert next_action.suggest(facts("lost", 0.1)) == "newsletter"
    assert next_action.risk_level(0.3) == "high" and next_action.risk_level(None) is None


def test_training_stores_next_actions_and_behaviour_groups(admin_user):
    now = timezone.now()
    people = []
    for n in range(40):
        person = contact_services.create_contact(actor=admin_user, first_name=f"C{n}")
        often = n < 20
        for k in range(6 if often else 1):
            days = 5 + 20 * k if often else 400 + n
            buy(admin_user, person, now - datetime.timedelta(days=days), "300" if often else "20")
        people.append(person)
    case_services.create_case(actor=admin_user, subject="Broken", contact=people[0])

    customers.retrain(now)

    assert CustomerScore.objects.get(contact=people[0]).next_action == "resolve_case"
    assert CustomerScore.objects.get(contact=people[1]).next_action == "ask_referral"
    groups = list(CustomerCluster.objects.all())
    assert [g.size for g in groups] == [20, 20]
    labels = {s.contact_id: s.cluster for s in CustomerScore.objects.all()}
    assert len({labels[p.pk] for p in people[:20]}) == 1
    assert labels[people[0].pk] != labels[people[39].pk]
    assert all(g.name and g.description for g in groups)


def test_an_rfm_segment_becomes_a_dynamic_marketing_segment(client, admin_user):
    now = timezone.now()
    champion = contact_services.create_contact(actor=admin_user, first_name="Champ")
    CustomerScore.objects.create(
        contact=champion,
        recency=5,
        frequency=5,
        monetary=5,
        segment="champions",
        p_alive=0.95,
        computed_at=now,
    )
    other = contact_services.create_contact(actor=admin_user, first_name="Other")
    CustomerScore.objects.create(
        contact=other,
        recency=1,
        frequency=1,
        monetary=1,
        segment="lost",
        p_alive=0.1,
        computed_at=now,
    )
    client.force_login(admin_user)

    response = client.post(
        reverse("analytics:make_segment"), {"source": "segment", "value": "champions"}
    )

    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{segment.pk}/")
    assert segment.kind == "dynamic" and segment.name == "Champions (Customer segment (RFM))"
    assert list(marketing_segments.segment_contacts(segment)) == [champion]


@pytest.mark.parametrize(
    "data", [{"source": "segment", "value": "nobody"}, {"source": "x", "value": "champions"}]
)
def test_an_unknown_segment_is_refused(client, admin_user, data):
    client.force_login(admin_user)

    response = client.post(reverse("analytics:make_segment"), data, follow=True)

    assert not Segment.objects.exists()
    assert "Unknown" in response.content.decode()


def test_only_marketing_writers_make_segments(client, make_user):
    client.force_login(make_user("sales"))

    response = client.post(
        reverse("analytics:make_segment"), {"source": "segment", "value": "champions"}
    )

    assert response.status_code == 403 and not Segment.objects.exists()


def test_churn_risk_rules_mirror_the_chance_still_active(admin_user):
    now = timezone.now()
    for name, alive in (("Safe", 0.9), ("Risky", 0.2), ("Unknown", None)):
        contact = contact_services.create_contact(actor=admin_user, first_name=name)
        CustomerScore.objects.create(
            contact=contact,
            recency=3,
            frequency=3,
            monetary=3,
            segment="loyal",
            p_alive=alive,
            computed_at=now,
        )

    def names(rule):
        tree = rules.validate("contact", {"op": "and", "rules": [rule]})
        return sorted(c.first_name for c in rules.queryset("contact", tree))

    assert names({"field": "analytics.churn_risk", "operator": "gte", "value": 50}) == ["Risky"]
    assert names({"field": "analytics.churn_risk", "operator": "lt", "value": 50}) == ["Safe"]
    between = {"field": "analytics.churn_risk", "operator": "between", "value": [5, 15]}
    assert names(between) == ["Safe"]
    empty = {"field": "analytics.churn_risk", "operator": "is_empty"}
    assert names(empty) == ["Unknown"]
