"""``/api/v1/segments/``: CRUD through the services, the live count, a segment's contacts,
If-Match, the permission matrix and hostile input."""

import json

import pytest

from clientela.contacts.models import Contact
from clientela.core.models import ChangeRecord
from clientela.marketing.models import Segment
from clientela.marketing.services import segments as services

from . import world as w

pytestmark = pytest.mark.django_db
URL = "/api/v1/segments/"
GIRONA = {"op": "and", "rules": [{"field": "region", "operator": "eq", "value": "Girona"}]}


@pytest.fixture
def marketer(make_user):
    return make_user("marketing", username="mia")


@pytest.fixture
def people(marketer):
    return [
        w.contact("Ana", region="Girona", owner=marketer),
        w.contact("Bea", region="Girona"),
        w.contact("Cai", region="Madrid"),
    ]


def assert_error(response, status, code, fields):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert sorted(body["fields"]) == sorted(fields)
    return body


def test_crud_with_etags(api, marketer, people):
    client = api(marketer)
    created = client.post(
        URL, {"name": "Girona", "rules": GIRONA, "tags": ["spring"]}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["kind"], body["owner"], body["tags"]) == (
        "Girona",
        "dynamic",
        marketer.pk,
        ["spring"],
    )
    detail = f"{URL}{body['id']}/"
    etag = created["ETag"]
    stale = client.patch(detail, {"name": "X"}, format="json", HTTP_IF_MATCH=f'"{body["id"]}-9"')
    assert_error(stale, 412, "precondition_failed", [])
    changed = client.patch(detail, {"name": "Girona 2"}, format="json", HTTP_IF_MATCH=etag)
    assert (changed.status_code, changed.json()["version"]) == (200, 2)
    listed = client.get(URL)
    assert [row["name"] for row in listed.json()["results"]] == ["Girona 2"]
    assert client.delete(detail).status_code == 204
    assert client.get(detail).status_code == 404
    restored = client.post(f"{detail}restore/")
    assert restored.status_code == 200
    assert ChangeRecord.objects.filter(object_id=body["id"]).count() == 4


def test_rule_errors_are_per_rule(api, marketer):
    tree = {"op": "and", "rules": [{"field": "region", "operator": "eq"}, {"field": "x"}]}
    response = api(marketer).post(URL, {"name": "Bad", "rules": tree}, format="json")
    body = assert_error(response, 400, "invalid", ["rules.0.value", "rules.1.field"])
    assert body["fields"]["rules.1.field"] == ["Unknown field."]
    assert Segment.all_objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "x", "rules": "DROP TABLE"}, ["rules"]),
        ({"name": "x", "rules": [1, 2]}, ["rules"]),
        ({"name": "x", "kind": "galaxy"}, ["kind"]),
        ({"name": "x" * 201}, ["name"]),
        ({"name": "x", "cached_count": 5}, []),  # read-only: ignored
        ({"name": "x", "colour": "red"}, ["colour"]),
    ],
)
def test_malformed_bodies(api, marketer, payload, fields):
    response = api(marketer).post(URL, payload, format="json")
    if not fields:
        assert response.status_code == 201
        assert response.json()["cached_count"] is None
        return
    assert_error(response, 400, "invalid", fields)


def test_oversized_and_broken_json(api, marketer):
    client = api(marketer)
    huge = json.dumps({"name": "x", "rules": {"op": "and", "rules": [], "pad": "x" * 1_100_000}})
    response = client.post(URL, huge, content_type="application/json")
    assert response.status_code == 413
    broken = client.post(URL, "{", content_type="application/json")
    assert broken.json()["code"] == "malformed"
    many = {"op": "and", "rules": [{"field": "region", "operator": "eq", "value": "x"}] * 5000}
    refused = client.post(f"{URL}count/", {"rules": many}, format="json")
    assert refused.json()["fields"] == {"rules": ["At most 50 conditions."]}
    assert Segment.all_objects.count() == 0


def test_live_count_and_contacts(api, marketer, people):
    client = api(marketer)
    count = client.post(f"{URL}count/", {"rules": GIRONA}, format="json")
    assert (count.status_code, count.json()) == (200, {"count": 2})
    unknown = client.post(f"{URL}count/", {"rules": GIRONA, "extra": 1}, format="json")
    assert_error(unknown, 400, "invalid", ["extra"])
    segment = services.create_segment(actor=marketer, name="G", rules=GIRONA)
    page = client.get(f"{URL}{segment.pk}/contacts/?page_size=1")
    assert page.status_code == 200
    first = page.json()
    assert [row["full_name"] for row in first["results"]] == ["Ana"]
    second = client.get(first["next"]).json()
    assert [row["full_name"] for row in second["results"]] == ["Bea"]
    assert second["next"] is None
    bad_cursor = client.get(f"{URL}{segment.pk}/contacts/?cursor=garbage")
    assert_error(bad_cursor, 400, "invalid", ["cursor"])


def test_contacts_follow_the_callers_scope(api, make_user, marketer, people):
    own = make_user("marketing", username="own", scope="own")
    Contact.objects.filter(pk=people[1].pk).update(owner=own)
    segment = services.create_segment(actor=own, name="G", rules=GIRONA, owner=own)
    client = api(own)
    rows = client.get(f"{URL}{segment.pk}/contacts/").json()["results"]
    assert [row["full_name"] for row in rows] == ["Bea"]
    assert client.post(f"{URL}count/", {"rules": GIRONA}, format="json").json() == {"count": 1}


@pytest.mark.parametrize("role", ["sales", "service", "read_only"])
def test_marketing_readers_cannot_write(api, make_user, marketer, role):
    segment = services.create_segment(actor=marketer, name="G", rules=GIRONA)
    client = api(make_user(role))
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"name": "x"}, format="json").status_code == 403
    assert client.patch(f"{URL}{segment.pk}/", {"name": "y"}, format="json").status_code == 403
    assert client.delete(f"{URL}{segment.pk}/").status_code == 403
    assert Segment.objects.get().name == "G"


def test_without_marketing_access_everything_is_refused(api, make_user, marketer):
    from clientela.core.models import Role

    role = Role.objects.create(code="x", name="X", scope="all", access={"contacts": "write"})
    user = make_user("sales")
    user.role = role
    user.save()
    segment = services.create_segment(actor=marketer, name="G")
    client = api(user)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{segment.pk}/contacts/").status_code == 403
    assert client.post(f"{URL}count/", {"rules": GIRONA}, format="json").status_code == 403


def test_a_team_scope_sees_only_its_teams_segments(api, make_user, make_team, marketer):
    team = make_team("North")
    seller = make_user("sales", teams=[team])
    mine = services.create_segment(actor=marketer, name="Team", team=team)
    other = services.create_segment(actor=marketer, name="Other")
    client = api(seller)
    assert [row["id"] for row in client.get(URL).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}{other.pk}/").status_code == 404


def test_the_schema_has_the_segment_endpoints(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert {
        "/api/v1/segments/",
        "/api/v1/segments/count/",
        "/api/v1/segments/{id}/contacts/",
    } <= set(schema["paths"])
