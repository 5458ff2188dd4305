"""Every role x record scope x endpoint of the contacts API, with exact statuses and exact ids.

Each world has records owned by the caller, by a teammate, assigned to the caller's team only,
owned by an outsider (another team), and unassigned; plus two in the trash (the caller's and the
outsider's). Administrators see everything whatever their scope; the other roles see their scope;
read-only users may read but never write (403 before any lookup).
"""

import csv
import io
from dataclasses import dataclass

import pytest

from clientela.contacts import services
from clientela.contacts.models import Company, Contact

ROLES = ["admin", "manager", "sales", "marketing", "service", "read_only"]
SCOPES = ["own", "team", "all"]
WRITERS = {"admin", "manager", "sales", "marketing", "service"}
RECORDS = ["mine", "mate", "team", "outsider", "unassigned"]
IN_SCOPE = {"own": {"mine"}, "team": {"mine", "mate", "team"}, "all": set(RECORDS)}
MATRIX = [(role, scope) for role in ROLES for scope in SCOPES]
URL = "/api/v1/contacts/"


def visible_names(role, scope):
    return set(RECORDS) if role == "admin" else IN_SCOPE[scope]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    role: str
    scope: str
    client: object
    records: dict
    trashed: dict

    def name_of(self, pk):
        return next(n for n, r in {**self.records, **self.trashed}.items() if r.pk == pk)

    def expected(self, found, missing, forbidden=None):
        """The status each record should get: ``found`` in scope, ``missing`` out of it,
        ``forbidden`` for everything when the role may not write."""
        if forbidden is not None and self.role not in WRITERS:
            return dict.fromkeys(RECORDS, forbidden)
        names = visible_names(self.role, self.scope)
        return {name: found if name in names else missing for name in RECORDS}


@pytest.fixture
def world(api, make_user, make_team):
    def build(role, scope, model=Contact):
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

        def make(name, owner, team):
            if model is Company:
                return services.create_company(
                    actor=outsider, name=f"Matrix {name}", owner=owner, team=team
                )
            return services.create_contact(
                actor=outsider, first_name="Matrix", last_name=name, owner=owner, team=team
            )

        records = {name: make(name, *owners[name]) for name in RECORDS}
        trashed = {
            "trashed_mine": make("trashed_mine", me, None),
            "trashed_outsider": make("trashed_outsider", outsider, theirs),
        }
        services.delete_records(list(trashed.values()), actor=outsider)
        return World(role, scope, api(me), records, trashed)

    return build


def statuses(world, call):
    return {name: call(record).status_code for name, record in world.records.items()}


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_list_shows_exactly_the_records_in_scope(world, role, scope):
    w = world(role, scope)
    response = w.client.get(URL)
    assert response.status_code == 200
    assert {w.name_of(c["id"]) for c in response.json()["results"]} == visible_names(role, scope)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_detail_is_404_outside_the_scope(world, role, scope):
    w = world(role, scope)
    assert statuses(w, lambda r: w.client.get(f"{URL}{r.pk}/")) == w.expected(200, 404)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_create_needs_write_access(world, role, scope):
    w = world(role, scope)
    before = Contact.all_objects.count()
    response = w.client.post(URL, {"first_name": "Nuevo"}, format="json")
    assert response.status_code == (201 if role in WRITERS else 403)
    assert Contact.all_objects.count() == before + (1 if role in WRITERS else 0)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_update_changes_exactly_the_records_in_scope(world, role, scope):
    w = world(role, scope)
    got = statuses(w, lambda r: w.client.patch(f"{URL}{r.pk}/", {"city": "Nou"}, format="json"))
    assert got == w.expected(200, 404, forbidden=403)
    changed = {n for n, r in w.records.items() if Contact.objects.get(pk=r.pk).city == "Nou"}
    assert changed == {n for n, status in got.items() if status == 200}


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_delete_trashes_exactly_the_records_in_scope(world, role, scope):
    w = world(role, scope)
    got = statuses(w, lambda r: w.client.delete(f"{URL}{r.pk}/"))
    assert got == w.expected(204, 404, forbidden=403)
    alive = {n for n, r in w.records.items() if Contact.objects.filter(pk=r.pk).exists()}
    assert alive == {n for n, status in got.items() if status != 204}


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_restore_needs_write_access_and_the_record_in_scope(world, role, scope):
    w = world(role, scope)
    got = {
        name: w.client.post(f"{URL}{record.pk}/restore/").status_code
        for name, record in w.trashed.items()
    }
    if role not in WRITERS:
        expected = {"trashed_mine": 403, "trashed_outsider": 403}
    else:
        sees_outsider = role == "admin" or scope == "all"
        expected = {"trashed_mine": 200, "trashed_outsider": 200 if sees_outsider else 404}
    assert got == expected
    restored = {n for n, r in w.trashed.items() if Contact.objects.filter(pk=r.pk).exists()}
    assert restored == {n for n, status in got.items() if status == 200}


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_trash_list_is_for_writers_and_scoped(world, role, scope):
    w = world(role, scope)
    response = w.client.get(f"{URL}?trashed=true")
    if role not in WRITERS:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        return
    assert response.status_code == 200
    expected = {"trashed_mine"} | (
        {"trashed_outsider"} if role == "admin" or scope == "all" else set()
    )
    assert {w.name_of(c["id"]) for c in response.json()["results"]} == expected


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_search_finds_exactly_the_records_in_scope(world, role, scope):
    w = world(role, scope)
    response = w.client.get("/api/v1/search/?q=matrix&limit=50")
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["entity"] for r in results} <= {"contact"}
    assert {w.name_of(r["id"]) for r in results} == visible_names(role, scope)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_export_contains_exactly_the_records_in_scope(world, role, scope):
    w = world(role, scope)
    response = w.client.get(f"{URL}export/")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert {w.name_of(int(row["id"])) for row in rows} == visible_names(role, scope)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_history_is_404_outside_the_scope(world, role, scope):
    w = world(role, scope)
    assert statuses(w, lambda r: w.client.get(f"{URL}{r.pk}/history/")) == w.expected(200, 404)


@pytest.mark.parametrize(("role", "scope"), MATRIX)
def test_company_list_and_update_follow_the_same_scopes(world, role, scope):
    w = world(role, scope, model=Company)
    response = w.client.get("/api/v1/companies/")
    assert {w.name_of(c["id"]) for c in response.json()["results"]} == visible_names(role, scope)
    got = statuses(
        w, lambda r: w.client.patch(f"/api/v1/companies/{r.pk}/", {"city": "Nou"}, format="json")
    )
    assert got == w.expected(200, 404, forbidden=403)
