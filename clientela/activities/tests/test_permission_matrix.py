"""Every role x record scope on the activities API and pages: list, detail, update, create,
delete, with exact statuses and ids. Activities follow their own owner and team."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from clientela.activities import services
from clientela.activities.models import Activity

ROLES = ["admin", "manager", "sales", "marketing", "service", "read_only"]
SCOPES = ["own", "team", "all"]
WRITERS = {"admin", "manager", "sales", "marketing", "service"}
RECORDS = ["mine", "mate", "team", "outsider", "unassigned"]
IN_SCOPE = {"own": {"mine"}, "team": {"mine", "mate", "team"}, "all": set(RECORDS)}
MATRIX = [(role, scope) for role in ROLES for scope in SCOPES]
URL = "/api/v1/activities/"


def visible_names(role, scope):
    return set(RECORDS) if role == "admin" else IN_SCOPE[scope]


@dataclass
class World:
    role: str
    scope: str
    me: object
    client: object
    records: dict

    def name_of(self, pk):
        return next(n for n, r in self.records.items() if r.pk == pk)

    def expected(self, found, missing, forbidden=None):
        if forbidden is not None and self.role not in WRITERS:
            return dict.fromkeys(RECORDS, forbidden)
        names = visible_names(self.role, self.scope)
        return {name: found if name in names else missing for name in RECORDS}


@pytest.fixture
def world(api, make_user, make_team):
    def build(role, scope):
        ours, theirs = make_team("Ours", "ours"), make_team("Theirs", "theirs")
        me = make_user(role, teams=[ours], scope=scope)
        mate = make_user("sales", teams=[ours])
        outsider = make_user("sales", teams=[theirs])
        owners = {
            "mine": (me, None),
            "mate": (mate, None),
            "team": (None, ours),
            "outsider": (outsider, theirs),
            "unassigned": (None, None),
        }
        records = {
            name: services.log_activity(
                actor=outsider, kind="task", subject=f"Matrix {name}", owner=owner, team=team
            )
            for name, (owner, team) in owners.items()
        }
        return World(role, scope, me, api(me), records)

    return build


def statuses(world, call):
    return {name: call(record).status_code for name, record in world.records.items()}


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_list_shows_exactly_the_activities_in_scope(world, role, scope):
    w = world(role, scope)
    response = w.client.get(URL)
    assert response.status_code == 200
    assert {w.name_of(a["id"]) for a in response.json()["results"]} == visible_names(role, scope)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_detail_is_404_outside_the_scope(world, role, scope):
    w = world(role, scope)
    assert statuses(w, lambda r: w.client.get(f"{URL}{r.pk}/")) == w.expected(200, 404)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_update_changes_exactly_the_activities_in_scope(world, role, scope):
    w = world(role, scope)
    got = statuses(
        w, lambda r: w.client.patch(f"{URL}{r.pk}/", {"subject": "Changed"}, format="json")
    )
    assert got == w.expected(200, 404, forbidden=403)
    changed = {
        n for n, r in w.records.items() if Activity.objects.get(pk=r.pk).subject == "Changed"
    }
    assert changed == {n for n, status in got.items() if status == 200}


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_complete_needs_write_access_and_the_task_in_scope(world, role, scope):
    w = world(role, scope)
    got = statuses(w, lambda r: w.client.post(f"{URL}{r.pk}/complete/"))
    assert got == w.expected(200, 404, forbidden=403)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_create_needs_write_access(world, role, scope):
    w = world(role, scope)
    before = Activity.all_objects.count()
    response = w.client.post(URL, {"kind": "note", "body": "New"}, format="json")
    assert response.status_code == (201 if role in WRITERS else 403)
    assert Activity.all_objects.count() == before + (1 if role in WRITERS else 0)


@pytest.mark.parametrize(("role", "scope"), [("sales", "own"), ("read_only", "all")])
def test_delete_trashes_exactly_the_activities_in_scope(world, role, scope):
    w = world(role, scope)
    got = statuses(w, lambda r: w.client.delete(f"{URL}{r.pk}/"))
    assert got == w.expected(204, 404, forbidden=403)


@pytest.mark.parametrize(
    ("role", "scope"), [("sales", "own"), ("sales", "team"), ("read_only", "all")]
)
def test_detail_pages_follow_the_same_rules(client, world, role, scope):
    w = world(role, scope)
    client.force_login(w.me)

    got = statuses(w, lambda r: client.get(reverse("activities:activity_detail", args=[r.pk])))
    edit = statuses(w, lambda r: client.get(reverse("activities:activity_edit", args=[r.pk])))

    assert got == w.expected(200, 404)
    shown = visible_names(role, scope)
    editable = 200 if role in WRITERS else 403
    assert edit == {name: editable if name in shown else 404 for name in RECORDS}


def test_people_without_activities_access_get_403(api, make_user):
    from clientela.core.models import Role

    role = Role.objects.create(code="contacts-only", name="Contacts only", scope="all")
    role.access = {"contacts": "write"}
    role.save()
    user = make_user("sales")
    user.role = role
    user.save()

    assert api(user).get(URL).status_code == 403
