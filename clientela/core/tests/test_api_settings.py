"""Users, teams and custom field definitions over the API: read by everyone signed in, written
only by administrators, through ``core.services``."""

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.contacts.models import Company, Contact
from clientela.core.models import CustomField, Team, User

ROLES = ["admin", "manager", "sales", "marketing", "service", "read_only"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def content_type(record_type):
    return ContentType.objects.get_for_model(Contact if record_type == "contact" else Company)


# --- who may read and write ----------------------------------------------------------------------

WRITES = {
    "users": {"username": "nueva", "role": "sales", "password": "Larga-y-segura-1"},
    "teams": {"name": "Soporte", "handle": "soporte"},
    "custom-fields": {
        "record_type": "contact",
        "key": "shoe_size",
        "label": "Shoe size",
        "field_type": "integer",
    },
}
MODELS = {"users": User, "teams": Team, "custom-fields": CustomField}


@pytest.mark.parametrize("resource", sorted(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_but_only_admins_create(api, make_user, role, resource):
    client = api(make_user(role))
    before = MODELS[resource].objects.count()

    listed = client.get(f"/api/v1/{resource}/")
    created = client.post(f"/api/v1/{resource}/", WRITES[resource], format="json")

    assert listed.status_code == 200
    assert created.status_code == (201 if role == "admin" else 403)
    assert MODELS[resource].objects.count() == before + (1 if role == "admin" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_change_and_remove_teams(api, make_user, make_team, role):
    team = make_team("Ventas", "ventas")
    client = api(make_user(role))
    changed = client.patch(f"/api/v1/teams/{team.pk}/", {"description": "Norte"}, format="json")
    removed = client.delete(f"/api/v1/teams/{team.pk}/")
    expected = (200, 204) if role == "admin" else (403, 403)
    assert (changed.status_code, removed.status_code) == expected
    assert Team.objects.filter(pk=team.pk).exists() == (role != "admin")


def test_anonymous_gets_401(client):
    for resource in WRITES:
        assert client.get(f"/api/v1/{resource}/").status_code == 401


# --- users ---------------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_sign_in(admin_api, make_team):
    team = make_team("Ventas", "ventas")
    response = admin_api.post(
        "/api/v1/users/",
        {
            "username": "marta",
            "first_name": "Marta",
            "last_name": "Vidal",
            "email": "marta@example.es",
            "role": "sales",
            "teams": [team.pk],
            "language": "ca",
            "password": "Larga-y-segura-1",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert "password" not in body
    assert (body["full_name"], body["role"], body["teams"], body["is_admin"]) == (
        "Marta Vidal",
        "sales",
        [team.pk],
        False,
    )
    user = User.objects.get(username="marta")
    assert user.check_password("Larga-y-segura-1")
    assert user.role.code == "sales"


def test_a_user_created_without_password_cannot_sign_in_with_one(admin_api):
    response = admin_api.post("/api/v1/users/", {"username": "sinclave"}, format="json")
    assert response.status_code == 201
    assert not User.objects.get(username="sinclave").has_usable_password()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "admin"}, "username"),
        ({"username": "con espacios"}, "username"),
        ({"username": "x", "password": "123"}, "password"),
        ({"username": "x", "role": "emperor"}, "role"),
        ({"username": "x", "email": "nope"}, "email"),
        ({"username": "x", "is_superuser": True}, "is_superuser"),
    ],
)
def test_invalid_users_are_refused(admin_api, body, field):
    before = User.objects.count()
    response = admin_api.post("/api/v1/users/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert User.objects.count() == before


def test_admin_updates_a_user_and_deactivates_instead_of_deleting(admin_api, make_user):
    user = make_user("sales")
    changed = admin_api.patch(
        f"/api/v1/users/{user.pk}/", {"role": "manager", "last_name": "Nou"}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["last_name"]) == ("manager", "Nou")

    assert admin_api.delete(f"/api/v1/users/{user.pk}/").status_code == 204
    user.refresh_from_db()
    assert user.is_active is False
    assert admin_api.get(f"/api/v1/users/{user.pk}/").json()["is_active"] is False


def test_a_deactivated_users_token_stops_working(api, admin_api, make_user):
    user = make_user("sales")
    client = api(user)
    assert client.get("/api/v1/users/").status_code == 200
    admin_api.delete(f"/api/v1/users/{user.pk}/")
    assert client.get("/api/v1/users/").status_code == 401


def test_admins_cannot_deactivate_themselves(admin_api, admin_user):
    response = admin_api.delete(f"/api/v1/users/{admin_user.pk}/")
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_users_list_pages_by_username(admin_api, make_user):
    for name in ("carla", "bea", "dani"):
        make_user("sales", username=name)
    first = admin_api.get("/api/v1/users/?page_size=2").json()
    second = admin_api.get(first["next"]).json()
    assert [u["username"] for u in first["results"] + second["results"]] == [
        "admin",
        "bea",
        "carla",
        "dani",
    ]


# --- teams ---------------------------------------------------------------------------------------


def test_team_crud(admin_api, make_user):
    created = admin_api.post(
        "/api/v1/teams/", {"name": "Atención", "handle": "atencion"}, format="json"
    )
    assert created.status_code == 201
    team = Team.objects.get(handle="atencion")
    member = make_user("service", teams=[team])
    detail = admin_api.get(f"/api/v1/teams/{team.pk}/").json()
    assert (detail["name"], detail["members"]) == ("Atención", [member.pk])
    assert (
        admin_api.put(
            f"/api/v1/teams/{team.pk}/",
            {"name": "Atención al cliente", "handle": "atencion"},
            format="json",
        ).status_code
        == 200
    )
    duplicate = admin_api.post(
        "/api/v1/teams/", {"name": "Otro", "handle": "atencion"}, format="json"
    )
    assert duplicate.status_code == 400
    assert list(duplicate.json()["fields"]) == ["handle"]
    assert admin_api.delete(f"/api/v1/teams/{team.pk}/").status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


# --- custom fields -------------------------------------------------------------------------------


def test_custom_field_crud_per_record_type(admin_api):
    created = admin_api.post(
        "/api/v1/custom-fields/",
        {
            "record_type": "company",
            "key": "sector_code",
            "label": "Sector code",
            "field_type": "choice",
            "choices": ["a", "b"],
            "default": "a",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["record_type"] == "company"
    definition = CustomField.objects.get(key="sector_code")
    assert definition.content_type == content_type("company")
    CustomField.objects.create(
        content_type=content_type("contact"), key="nickname", label="Nickname", field_type="text"
    )

    def keys(query=""):
        return [f["key"] for f in admin_api.get(f"/api/v1/custom-fields/{query}").json()["results"]]

    assert keys("?record_type=company") == ["sector_code"]
    assert keys("?record_type=contact") == ["nickname"]
    assert sorted(keys()) == ["nickname", "sector_code"]
    assert admin_api.get("/api/v1/custom-fields/?record_type=invoice").status_code == 400

    changed = admin_api.patch(
        f"/api/v1/custom-fields/{definition.pk}/", {"label": "Sector"}, format="json"
    )
    assert changed.json()["label"] == "Sector"
    assert admin_api.delete(f"/api/v1/custom-fields/{definition.pk}/").status_code == 204
    assert not CustomField.objects.filter(pk=definition.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"field_type": "choice"}, "choices"),
        ({"field_type": "integer", "default": "many"}, "default"),
        ({"field_type": "text", "pattern": "("}, "pattern"),
        ({"field_type": "integer", "min_value": 5, "max_value": 1}, "max_value"),
        ({"field_type": "colour"}, "field_type"),
        ({"record_type": "invoice"}, "record_type"),
        ({"key": "existing"}, "key"),
    ],
)
def test_invalid_custom_field_definitions_are_refused(admin_api, body, field):
    CustomField.objects.create(
        content_type=content_type("contact"), key="existing", label="E", field_type="text"
    )
    before = CustomField.objects.count()
    payload = {
        "record_type": "contact",
        "key": "new_field",
        "label": "New",
        "field_type": "text",
        **body,
    }
    response = admin_api.post("/api/v1/custom-fields/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert CustomField.objects.count() == before


def test_custom_field_key_and_type_are_fixed_once_created(admin_api):
    definition = CustomField.objects.create(
        content_type=content_type("contact"), key="score", label="Score", field_type="integer"
    )
    response = admin_api.patch(
        f"/api/v1/custom-fields/{definition.pk}/",
        {"key": "points", "field_type": "text"},
        format="json",
    )
    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == ["field_type", "key"]
    definition.refresh_from_db()
    assert (definition.key, definition.field_type) == ("score", "integer")
