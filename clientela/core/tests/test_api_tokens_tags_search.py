"""The caller's API tokens, tags and the global search over the API."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from clientela.contacts import services
from clientela.core.models import ApiToken, Tag


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- tokens --------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works(api, make_user):
    user = make_user("sales")
    client = api(user)
    response = client.post("/api/v1/tokens/", {"name": "Zapier"}, format="json")
    assert response.status_code == 201
    raw = response.json()["token"]
    assert raw.startswith(f"clt_{response.json()['prefix']}_")
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["Zapier", "tests"]
    assert all("token" not in t for t in listed)
    assert bearer(raw).get("/api/v1/users/").status_code == 200


def test_tokens_are_private_to_their_owner(api, make_user):
    owner, other = make_user("sales"), make_user("sales")
    api(owner).post("/api/v1/tokens/", {"name": "mine"}, format="json")
    token = ApiToken.objects.get(name="mine")
    other_client = api(other)
    assert [t["name"] for t in other_client.get("/api/v1/tokens/").json()["results"]] == ["tests"]
    assert other_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_token_stops_it_at_once(api, make_user):
    user = make_user("sales")
    client = api(user)
    created = client.post("/api/v1/tokens/", {"name": "temporal"}, format="json").json()
    revoke = client.delete(f"/api/v1/tokens/{created['id']}/")
    assert revoke.status_code == 204
    assert bearer(created["token"]).get("/api/v1/users/").status_code == 401
    listed = {t["name"]: t for t in client.get("/api/v1/tokens/").json()["results"]}
    assert listed["temporal"]["is_active"] is False
    assert listed["temporal"]["revoked_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "expires_at": "soon"}, "expires_at"),
        ({"name": "x", "user": 1}, "user"),
    ],
)
def test_invalid_token_requests_are_refused(admin_api, body, field):
    before = ApiToken.objects.count()
    response = admin_api.post("/api/v1/tokens/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert ApiToken.objects.count() == before


def test_an_expiring_token_keeps_its_expiry(admin_api):
    when = timezone.now() + datetime.timedelta(days=30)
    response = admin_api.post(
        "/api/v1/tokens/", {"name": "30 días", "expires_at": when.isoformat()}, format="json"
    )
    assert response.status_code == 201
    assert ApiToken.objects.get(name="30 días").expires_at == when


# --- tags ----------------------------------------------------------------------------------------


def test_tags_are_listed_by_name_and_created_by_writers(api, make_user):
    Tag.objects.create(name="vip")
    writer = api(make_user("marketing"))
    created = writer.post("/api/v1/tags/", {"name": " boda ", "color": "#AA0000"}, format="json")
    assert created.status_code == 201
    assert created.json()["color"] == "#aa0000"
    assert [t["name"] for t in writer.get("/api/v1/tags/").json()["results"]] == ["boda", "vip"]

    reader = api(make_user("read_only"))
    assert reader.get("/api/v1/tags/").status_code == 200
    assert reader.post("/api/v1/tags/", {"name": "nope"}, format="json").status_code == 403
    assert not Tag.objects.filter(name="nope").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "vip"}, "name"), ({"name": "x", "color": "red"}, "color"), ({}, "name")],
)
def test_invalid_tags_are_refused(admin_api, body, field):
    Tag.objects.create(name="vip")
    response = admin_api.post("/api/v1/tags/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Tag.objects.count() == 1


# --- search --------------------------------------------------------------------------------------


def test_search_finds_contacts_and_companies_best_first(admin_api, admin_user):
    company = services.create_company(actor=admin_user, name="Ferretería Pons")
    contact = services.create_contact(actor=admin_user, first_name="Jordi", last_name="Pons")
    services.create_contact(actor=admin_user, first_name="Marta", last_name="Ruiz")

    response = admin_api.get("/api/v1/search/?q=pons")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"entity": "contact", "id": contact.pk, "title": "Jordi Pons", "subtitle": ""},
        {"entity": "company", "id": company.pk, "title": "Ferretería Pons", "subtitle": ""},
    ]
    only = admin_api.get("/api/v1/search/?q=pons&entity=company").json()["results"]
    assert [r["id"] for r in only] == [company.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "q"), ("q=", "q"), ("q=a&limit=0", "limit"), ("q=a&entity=invoice", "entity")],
)
def test_bad_search_parameters_are_400(admin_api, query, field):
    response = admin_api.get(f"/api/v1/search/?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_search_with_only_punctuation_finds_nothing(admin_api, admin_user):
    services.create_contact(actor=admin_user, first_name="Ana")
    assert admin_api.get("/api/v1/search/?q=%22*()").json() == {"results": []}
