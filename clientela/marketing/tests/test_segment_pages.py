"""Segment pages without JavaScript: the rule rows, the count button, the JSON box, the live
count endpoint, the export, a list's members, freezing; who may do what."""

import json

import pytest

from clientela.contacts.models import Contact
from clientela.marketing.models import Segment, SegmentMember
from clientela.marketing.services import segments as services

from . import world as w

pytestmark = pytest.mark.django_db
LIST = "/marketing/segments/"
NEW = "/marketing/segments/new/"
COUNT = "/marketing/segments/count/"
GIRONA = {"op": "and", "rules": [{"field": "region", "operator": "eq", "value": "Girona"}]}


@pytest.fixture
def marketer(make_user):
    return make_user("marketing", username="mia")


@pytest.fixture
def signed_in(client, marketer):
    client.force_login(marketer)
    return client


@pytest.fixture
def people(marketer):
    return [
        w.contact("Ana", region="Girona", owner=marketer),
        w.contact("Bea", region="Girona"),
        w.contact("Cai", region="Madrid"),
    ]


def rows_post(**extra):
    data = {"name": "Girona buyers", "kind": "dynamic", "rows": "4", "match": "and"}
    data.update(extra)
    return data


def test_create_from_rows_with_a_group(signed_in, marketer, people):
    w.purchase(people[1], 3, "50")
    data = rows_post(
        **{
            "match": "and",
            "group_op_A": "or",
            "r0-field": "region",
            "r0-operator": "eq",
            "r0-value": "Girona",
            "r1-field": "purchases.count",
            "r1-operator": "gte",
            "r1-value": "1",
            "r1-days": "3650",
            "r1-group": "A",
            "r2-field": "lifecycle_stage",
            "r2-operator": "in",
            "r2-value": "customer, evangelist",
            "r2-group": "A",
            "owner": marketer.pk,
        }
    )
    response = signed_in.post(NEW, data)
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{segment.pk}/"
    assert segment.rules == {
        "op": "and",
        "rules": [
            {"field": "region", "operator": "eq", "value": "Girona"},
            {
                "op": "or",
                "rules": [
                    {
                        "field": "purchases.count",
                        "operator": "gte",
                        "value": "1",
                        "params": {"days": 3650},
                    },
                    {
                        "field": "lifecycle_stage",
                        "operator": "in",
                        "value": ["customer", "evangelist"],
                    },
                ],
            },
        ],
    }
    page = signed_in.get(f"{LIST}{segment.pk}/")
    assert page.status_code == 200
    assert page.context["count"] == 1
    assert [c.first_name for c in page.context["contacts"]] == ["Bea"]
    assert "Region / province is Girona and (" in page.content.decode()


def test_the_count_button_counts_without_saving(signed_in, people):
    data = rows_post(**{"r0-field": "region", "r0-operator": "eq", "r0-value": "Girona"})
    response = signed_in.post(NEW, {**data, "preview": "1"})
    assert response.status_code == 200
    assert response.context["count"] == 2
    assert "2 contacts match." in response.content.decode()
    assert Segment.all_objects.count() == 0
    more = signed_in.post(NEW, {**data, "more_rows": "1"})
    assert len(more.context["rows"]) == 1 + 3 + 5  # the rule, three blank rows, five more


def test_rule_errors_are_shown_per_condition_and_nothing_is_saved(signed_in, people):
    data = rows_post(
        **{
            "r0-field": "region",
            "r0-operator": "gt",
            "r1-field": "completeness",
            "r1-operator": "gt",
            "r1-value": "lots",
        }
    )
    response = signed_in.post(NEW, data)
    assert response.status_code == 400
    assert response.context["rule_errors"] == [
        "Condition 1, operator: This operator cannot be used with this field.",
        "Condition 2, value: Enter a number (at most 6 decimals).",
    ]
    assert Segment.all_objects.count() == 0
    assert response.context["rows"][1]["value"] == "lots"  # what was typed is kept


def test_the_json_box_wins_over_the_rows(signed_in, people):
    deep = {
        "op": "or",
        "rules": [
            {
                "op": "and",
                "rules": [
                    {
                        "op": "or",
                        "rules": [{"field": "region", "operator": "eq", "value": "Madrid"}],
                    }
                ],
            }
        ],
    }
    data = rows_post(**{"r0-field": "region", "r0-operator": "eq", "r0-value": "Girona"})
    response = signed_in.post(NEW, {**data, "rules_json": json.dumps(deep)})
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert segment.rules == deep
    edit = signed_in.get(f"{LIST}{segment.pk}/edit/")
    assert json.loads(edit.context["rules_json"]) == deep  # too deep for rows: edited as JSON


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "The rules are not valid JSON."),
        ("[1, 2]", "Expected a group of rules."),
        ("x" * 70_000, "The rules are too long."),
    ],
)
def test_a_broken_json_box_is_a_clear_error(signed_in, raw, message):
    response = signed_in.post(NEW, {**rows_post(), "rules_json": raw})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Segment.all_objects.count() == 0


def test_hostile_rows_are_bounded(signed_in, people):
    data = rows_post(
        rows="999999999",
        **{"r0-field": "x" * 5000, "r0-operator": "'; DROP TABLE--", "r0-value": "v" * 50_000},
    )
    response = signed_in.post(NEW, data)
    assert response.status_code == 400
    assert response.context["rule_errors"] == ["Condition 1, field: Unknown field."]
    assert Contact.objects.count() == 3


def test_live_count_endpoint(signed_in, people):
    response = signed_in.post(COUNT, {"rules_json": json.dumps(GIRONA)})
    assert (response.status_code, response.json()) == (200, {"count": 2})
    rows = signed_in.post(
        COUNT, {"rows": "1", "r0-field": "region", "r0-operator": "eq", "r0-value": "Madrid"}
    )
    assert rows.json() == {"count": 1}
    as_json = signed_in.post(COUNT, json.dumps(GIRONA), content_type="application/json")
    assert as_json.json() == {"count": 2}
    bad = signed_in.post(COUNT, {"rules_json": '{"op": "and", "rules": [{"field": "nope"}]}'})
    assert (bad.status_code, bad.json()) == (
        400,
        {"errors": ["Condition 1, field: Unknown field."]},
    )
    huge = signed_in.post(COUNT, "x" * 70_000, content_type="application/json")
    assert (huge.status_code, huge.json()) == (400, {"errors": ["The rules are too long."]})
    assert signed_in.get(COUNT).status_code == 405


def test_counts_and_contacts_follow_the_viewers_scope(client, make_user, people):
    marketer = people[0].owner
    own_scope = make_user("marketing", username="own", scope="own")
    Contact.objects.filter(pk=people[1].pk).update(owner=own_scope)
    segment = services.create_segment(actor=marketer, name="G", rules=GIRONA, owner=own_scope)
    hidden = services.create_segment(actor=marketer, name="H", rules=GIRONA)
    client.force_login(own_scope)
    page = client.get(f"{LIST}{segment.pk}/")
    assert page.status_code == 200
    assert (page.context["count"], [c.first_name for c in page.context["contacts"]]) == (
        1,
        ["Bea"],
    )
    assert client.get(f"{LIST}{hidden.pk}/").status_code == 404
    response = client.post(COUNT, {"rules_json": json.dumps(GIRONA)})
    assert response.json() == {"count": 1}
    export = client.get(f"{LIST}{segment.pk}/export/")
    body = b"".join(export.streaming_content).decode()
    assert [line.split(",")[1] for line in body.splitlines()[1:]] == ["Bea"]


def test_export_is_the_segments_contacts_as_csv(signed_in, marketer, people):
    segment = services.create_segment(actor=marketer, name="G", rules=GIRONA)
    response = signed_in.get(f"{LIST}{segment.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,first_name")
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["Ana", "Bea"]


def test_members_of_a_static_list(signed_in, marketer, people):
    ana, bea, _cai = people
    segment = services.create_segment(actor=marketer, name="VIP", kind="static")
    url = f"{LIST}{segment.pk}/members/"
    signed_in.post(url, {"action": "add", "contacts": f"{ana.pk}, {bea.pk}\n999999"})
    assert set(SegmentMember.objects.values_list("contact_id", flat=True)) == {ana.pk, bea.pk}
    signed_in.post(url, {"action": "remove", "contacts": str(bea.pk)})
    assert list(SegmentMember.objects.values_list("contact_id", flat=True)) == [ana.pk]
    bad = signed_in.post(url, {"action": "add", "contacts": "1 OR 1=1"}, follow=True)
    assert "is not a contact id" in bad.content.decode()
    assert SegmentMember.objects.count() == 1
    page = signed_in.get(f"{LIST}{segment.pk}/")
    assert page.context["count"] == 1 and page.context["members_form"] is not None


def test_freeze_makes_a_list(signed_in, marketer, people):
    segment = services.create_segment(actor=marketer, name="Girona", rules=GIRONA)
    response = signed_in.post(f"{LIST}{segment.pk}/freeze/")
    frozen = Segment.objects.get(kind="static")
    assert response["Location"] == f"{LIST}{frozen.pk}/"
    assert frozen.members.count() == 2


def test_list_page_shows_counts(signed_in, marketer, people):
    segment = services.create_segment(actor=marketer, name="Girona", rules=GIRONA)
    services.count_segment(segment)
    services.create_segment(actor=marketer, name="Hidden")
    response = signed_in.get(LIST + "?q=giro")
    assert response.status_code == 200
    assert [s.name for s in response.context["records"]] == ["Girona"]
    assert ">2</span>" in response.content.decode()


def test_segments_are_in_the_menu_for_marketing_readers(client, make_user):
    client.force_login(make_user("sales"))
    assert "/marketing/segments/" in client.get("/marketing/campaigns/").content.decode()


@pytest.mark.parametrize("role", ["sales", "read_only", "service"])
def test_readers_cannot_change_segments(client, make_user, role, marketer, people):
    segment = services.create_segment(actor=marketer, name="G", rules=GIRONA)
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, rows_post()).status_code == 403
    assert client.get(f"{LIST}{segment.pk}/edit/").status_code in (403, 404)
    assert client.post(f"{LIST}{segment.pk}/freeze/").status_code == 403
    assert client.post(f"{LIST}{segment.pk}/delete/").status_code in (403, 404)
    assert Segment.all_objects.count() == 1


def test_no_marketing_access_is_forbidden(client, make_user, marketer):
    from clientela.core.models import Role

    role = Role.objects.create(
        code="nomkt", name="No marketing", scope="all", access={"contacts": "write"}
    )
    user = make_user("sales")
    user.role = role
    user.save()
    segment = services.create_segment(actor=marketer, name="G")
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{segment.pk}/").status_code == 403
    assert client.post(COUNT, {"rules_json": json.dumps(GIRONA)}).status_code == 403
    assert client.get(f"{LIST}{segment.pk}/export/").status_code == 403
