"""The report builder: specs checked with clear errors, records grouped by one or two
dimensions (dates by bucket in the company's time zone) in the reader's scope, saved and
shared reports."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.analytics.builder import query
from clientela.analytics.models import SavedReport
from clientela.analytics.services import library
from clientela.contacts import services as contact_services
from clientela.sales.models import Deal
from clientela.sales.services import deals

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def spec(**data):
    return query.Spec.from_data({"entity": "deal", **data})


@pytest.fixture
def book(admin_user, make_user, stages):
    """Five deals: the seller's 100 (Jan), 200 (Jan, in Girona) and 300 (Feb); the admin's
    400 (Feb) and 500 (created 31 March 23:30 UTC: 1 April in Madrid)."""
    seller = make_user("sales", username="marta", scope="own")
    girona = contact_services.create_company(actor=admin_user, name="Puig", region="Girona")
    made = [
        (seller, "100", datetime.datetime(2026, 1, 5, 10, tzinfo=UTC), {}),
        (seller, "200", datetime.datetime(2026, 1, 25, 10, tzinfo=UTC), {"company": girona}),
        (seller, "300", datetime.datetime(2026, 2, 5, 10, tzinfo=UTC), {}),
        (admin_user, "400", datetime.datetime(2026, 2, 6, 10, tzinfo=UTC), {}),
        (admin_user, "500", datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), {}),
    ]
    for owner, amount, created, extra in made:
        deal = deals.create_deal(
            actor=admin_user,
            name=amount,
            amount=amount,
            owner=owner,
            pipeline=stages["Lead"].pipeline,
            **extra,
        )
        Deal.all_objects.filter(pk=deal.pk).update(created_at=created)
    return seller


def rows(table):
    return [list(row) for row in table.rows]


def test_count_by_month_in_the_company_time_zone(admin_user, book):
    table = query.run(spec(group_by=[{"dimension": "created", "bucket": "month"}]), admin_user)

    assert rows(table) == [["January 2026", 2], ["February 2026", 2], ["April 2026", 1]]


def test_sum_by_owner_then_by_month(admin_user, book):
    table = query.run(
        spec(
            group_by=[{"dimension": "owner"}, {"dimension": "created", "bucket": "quarter"}],
            operation="sum",
            measure="amount",
        ),
        admin_user,
    )

    assert [c.label for c in table.columns] == ["Owner", "Q1 2026", "Q2 2026"]
    # Largest first: the admin's 900 before the seller's 600.
    assert rows(table) == [
        [admin_user.get_full_name(), Decimal("400.00"), Decimal("500.00")],
        [book.get_full_name(), Decimal("600.00"), None],
    ]


@pytest.mark.parametrize(
    "operation, expected",
    [("avg", Decimal("300")), ("min", Decimal("100.00")), ("max", Decimal("500.00"))],
)
def test_average_minimum_and_maximum(admin_user, book, operation, expected):
    table = query.run(spec(operation=operation, measure="amount"), admin_user)

    assert rows(table) == [[expected]]


def test_rules_select_the_records(admin_user, book):
    rules = {"op": "and", "rules": [{"field": "amount", "operator": "gte", "value": 300}]}
    table = query.run(spec(rules=rules, group_by=[{"dimension": "owner"}]), admin_user)

    assert rows(table) == [[admin_user.get_full_name(), 2], [book.get_full_name(), 1]]


def test_region_of_the_company_and_none(admin_user, book):
    table = query.run(spec(group_by=[{"dimension": "region"}]), admin_user)

    assert rows(table) == [["None", 4], ["Girona", 1]]


def test_a_salesperson_counts_only_their_deals(book):
    table = query.run(spec(group_by=[{"dimension": "owner"}]), book)

    assert rows(table) == [[book.get_full_name(), 3]]


@pytest.mark.parametrize(
    "data, key",
    [
        ({"entity": "planets"}, "entity"),
        ({"entity": "deal", "group_by": [{"dimension": "x"}]}, "group_by.0"),
        ({"entity": "deal", "group_by": [{"dimension": "created"}]}, "group_by.0"),
        ({"entity": "deal", "group_by": [{"dimension": "owner"}] * 2}, "group_by"),
        ({"entity": "deal", "group_by": [{"dimension": "owner"}] * 3}, "group_by"),
        ({"entity": "deal", "operation": "median"}, "operation"),
        ({"entity": "deal", "operation": "sum", "measure": "records"}, "measure"),
        ({"entity": "deal", "chart": "radar"}, "chart"),
        ({"entity": "deal", "rules": {"op": "and", "rules": [{"field": "nope"}]}}, "rules.0.field"),
        ("not an object", "spec"),
    ],
)
def test_a_bad_spec_says_what_is_wrong(data, key):
    with pytest.raises(ValidationError) as error:
        query.Spec.from_data(data)

    assert key in error.value.message_dict


def test_save_share_and_read_a_report(admin_user, make_user, make_team, book):
    team = make_team("Vendes")
    admin_user.teams.add(team)
    teammate = make_user("sales", teams=[team])
    outsider = make_user("sales")
    saved = library.save_report(
        actor=admin_user,
        name="  Deals   by owner ",
        spec={"entity": "deal", "group_by": [{"dimension": "owner"}]},
        sharing="team",
        team=team,
    )

    assert saved.name == "Deals by owner"
    assert list(SavedReport.objects.visible_to(teammate)) == [saved]
    assert list(SavedReport.objects.visible_to(outsider)) == []
    with pytest.raises(ValidationError):
        library.save_report(actor=outsider, name="x", spec=saved.spec, sharing="team", team=team)
    with pytest.raises(Exception):  # noqa: B017 - only the owner changes it
        library.save_report(actor=teammate, name="Mine now", spec=saved.spec, report=saved)


def test_the_builder_page_shows_and_saves(client, admin_user, book):
    client.force_login(admin_user)
    form = {
        "entity": "deal",
        "rows": "0",
        "match": "and",
        "group1": "created",
        "bucket1": "month",
        "operation": "count",
        "measure": "records",
        "chart": "line",
    }

    shown = client.post(reverse("analytics:builder"), {**form, "show": "1"})
    assert shown.status_code == 200 and "January 2026" in shown.content.decode()

    saved = client.post(reverse("analytics:builder"), {**form, "save": "1", "name": "By month"})
    report = SavedReport.objects.get()
    assert saved.status_code == 302 and report.spec["group_by"][0]["bucket"] == "month"
    page = client.get(reverse("analytics:saved_report", args=[report.pk]))
    assert page.status_code == 200 and "April 2026" in page.content.decode()
    csv = client.get(reverse("analytics:saved_report_csv", args=[report.pk]))
    assert "January 2026,2" in b"".join(csv.streaming_content).decode()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"group1": "nope"}, "Unknown thing to group by"),
        ({"operation": "sum"}, "Count records, or sum"),
        ({"rules_json": "{not json"}, "not valid JSON"),
        ({"rules_json": "[1, 2]"}, "Expected a group of rules"),
        ({"entity": "<script>"}, "Choose what to report on"),
        ({"save": "1", "name": ""}, "Give it a name"),
    ],
)
def test_the_builder_refuses_bad_input_clearly(client, admin_user, stages, change, message):
    client.force_login(admin_user)
    form = {"entity": "deal", "rows": "0", "operation": "count", "measure": "records"}

    page = client.post(reverse("analytics:builder"), {**form, **change})

    assert page.status_code == 400 and message in page.content.decode()
    assert not SavedReport.objects.exists()


def test_someone_elses_private_report_is_not_found(client, admin_user, make_user, stages):
    saved = library.save_report(actor=admin_user, name="Private", spec={"entity": "deal"})
    client.force_login(make_user("sales"))

    assert client.get(reverse("analytics:saved_report", args=[saved.pk])).status_code == 404
    assert client.get(reverse("analytics:builder_edit", args=[saved.pk])).status_code == 404
    assert client.post(reverse("analytics:saved_report_delete", args=[saved.pk])).status_code == 403
