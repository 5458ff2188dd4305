"""Settings pages: administrators manage users, teams, roles and custom fields; nobody else."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from clientela.contacts.models import Company, Contact
from clientela.core.models import CustomField, Role, Team, User

PAGES = [
    ("core:settings", []),
    ("core:user_list", []),
    ("core:user_create", []),
    ("core:team_list", []),
    ("core:team_create", []),
    ("core:role_list", []),
    ("core:customfield_list", []),
    ("core:customfield_create", []),
]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("role_code", ["manager", "sales", "marketing", "service", "read_only"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_settings_pages_are_forbidden_to_non_admins(client, make_user, role_code, name, args):
    client.force_login(make_user(role_code))
    assert client.get(reverse(name, args=args)).status_code == 403


def test_settings_writes_are_forbidden_to_non_admins(client, make_user):
    client.force_login(make_user("manager"))
    response = client.post(reverse("core:team_create"), {"name": "Ops", "handle": "ops"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Ops").exists()


@pytest.mark.parametrize(("name", "args"), [p for p in PAGES if p[0] != "core:settings"])
def test_settings_pages_render_for_admins(admin_client, name, args):
    assert admin_client.get(reverse(name, args=args)).status_code == 200


def test_settings_menu_entry_only_for_admins(client, admin_user, make_user):
    client.force_login(make_user("manager"))
    assert 'href="/settings/"' not in client.get(reverse("core:account")).content.decode()
    client.force_login(admin_user)
    assert 'href="/settings/"' in client.get(reverse("core:account")).content.decode()


# --- users ---------------------------------------------------------------------------------------


def user_data(**overrides):
    data = {
        "username": "laia",
        "first_name": "Laia",
        "last_name": "Puig",
        "email": "laia@example.com",
        "role": Role.objects.get(code="sales").pk,
        "language": "ca",
        "password1": "Very-long-pass-42",
        "password2": "Very-long-pass-42",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_with_role_teams_and_language(admin_client, make_team):
    team = make_team("Sales")
    response = admin_client.post(reverse("core:user_create"), user_data(teams=[team.pk]))
    assert response["Location"] == reverse("core:user_list")
    user = User.objects.get(username="laia")
    assert (user.role.code, user.language, list(user.teams.all())) == ("sales", "ca", [team])
    assert user.check_password("Very-long-pass-42")


def test_user_with_mismatched_passwords_is_not_created(admin_client):
    response = admin_client.post(reverse("core:user_create"), user_data(password2="other"))
    assert response.status_code == 400
    assert response.context["form"].errors["password2"] == ["The two passwords differ."]
    assert not User.objects.filter(username="laia").exists()


def test_user_with_weak_password_or_taken_name_is_not_created(admin_client, admin_user):
    response = admin_client.post(
        reverse("core:user_create"),
        user_data(username="ADMIN", password1="123", password2="123"),
    )
    errors = response.context["form"].errors
    assert errors["username"] == ["A user with this username already exists."]
    assert (
        "This password is too short. It must contain at least 8 characters." in errors["password1"]
    )
    assert User.objects.count() == 1
    html = response.content.decode()
    assert 'class="field-errors"' in html


def test_admin_edits_a_user(admin_client, make_user):
    person = make_user("sales", username="pau")
    data = user_data(username="pau", role=Role.objects.get(code="manager").pk, language="es")
    response = admin_client.post(reverse("core:user_edit", args=[person.pk]), data)
    assert response["Location"] == reverse("core:user_list")
    person.refresh_from_db()
    assert (person.role.code, person.language, person.email) == (
        "manager",
        "es",
        "laia@example.com",
    )
    assert person.check_password("s3cret-Pass!")  # the edit form never touches the password


def test_admin_deactivates_a_user_but_not_themselves(admin_client, admin_user, make_user):
    person = make_user("sales", username="pau")
    assert admin_client.get(reverse("core:user_deactivate", args=[person.pk])).status_code == 200
    admin_client.post(reverse("core:user_deactivate", args=[person.pk]))
    person.refresh_from_db()
    assert person.is_active is False
    response = admin_client.post(reverse("core:user_deactivate", args=[admin_user.pk]))
    assert response["Location"] == reverse("core:user_edit", args=[admin_user.pk])
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


# --- teams ---------------------------------------------------------------------------------------


def test_admin_creates_a_team_with_handle_and_members(admin_client, make_user):
    member = make_user("sales", username="pau")
    response = admin_client.post(
        reverse("core:team_create"),
        {"name": "Support", "handle": "Support", "description": "Cases", "members": [member.pk]},
    )
    assert response["Location"] == reverse("core:team_list")
    team = Team.objects.get(name="Support")
    assert (team.handle, team.description, list(team.members.all())) == (
        "support",
        "Cases",
        [member],
    )
    assert "@support" in admin_client.get(reverse("core:team_list")).content.decode()


def test_team_handle_must_be_unique_and_a_slug(admin_client, make_team):
    make_team("Sales", handle="sales")
    response = admin_client.post(
        reverse("core:team_create"), {"name": "Sales two", "handle": "SALES"}
    )
    assert response.context["form"].errors["handle"] == ["Another team uses this handle."]
    response = admin_client.post(
        reverse("core:team_create"), {"name": "Sales two", "handle": "sales two!"}
    )
    assert "handle" in response.context["form"].errors
    assert Team.objects.count() == 1


def test_admin_edits_team_members(admin_client, make_team, make_user):
    team = make_team("Sales")
    old, new = make_user("sales", teams=[team]), make_user("sales")
    admin_client.post(
        reverse("core:team_edit", args=[team.pk]),
        {"name": "Sales", "handle": "sales", "members": [new.pk]},
    )
    assert list(team.members.all()) == [new]
    assert list(old.teams.all()) == []


# --- roles ---------------------------------------------------------------------------------------


def test_admin_changes_a_roles_scope_and_access(admin_client):
    role = Role.objects.get(code="sales")
    response = admin_client.post(
        reverse("core:role_edit", args=[role.pk]),
        {
            "scope": "own",
            "access_contacts": "read",
            "access_sales": "none",
            "access_activities": "read",
            "access_support": "write",
            "access_marketing": "write",
            "access_automation": "read",
            "access_settings": "none",
            "access_privacy": "none",
        },
    )
    assert response["Location"] == reverse("core:role_list")
    role.refresh_from_db()
    assert (role.scope, role.access) == (
        "own",
        {
            "contacts": "read",
            "sales": "none",
            "activities": "read",
            "support": "write",
            "marketing": "write",
            "automation": "read",
            "settings": "none",
            "privacy": "none",
        },
    )


def test_built_in_role_names_are_shown_in_the_readers_language(admin_client, admin_user):
    admin_user.language = "ca"
    admin_user.save()

    page = admin_client.get(reverse("core:role_list")).content.decode()

    for name in ("Administrador", "Responsable", "Vendes", "Màrqueting", "Només lectura"):
        assert name in page
    assert ">Sales<" not in page


def test_role_edit_rejects_unknown_levels(admin_client):
    role = Role.objects.get(code="sales")
    response = admin_client.post(
        reverse("core:role_edit", args=[role.pk]),
        {
            "scope": "everything",
            "access_contacts": "admin",
            "access_sales": "write",
            "access_activities": "write",
            "access_support": "read",
            "access_marketing": "read",
            "access_automation": "none",
            "access_settings": "none",
            "access_privacy": "none",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"scope", "access_contacts"}
    role.refresh_from_db()
    assert (role.scope, role.access) == (
        "team",
        {
            "contacts": "write",
            "sales": "write",
            "activities": "write",
            "support": "read",
            "marketing": "read",
        },
    )


def test_admin_role_cannot_be_narrowed(admin_client):
    role = Role.objects.get(code="admin")
    response = admin_client.post(
        reverse("core:role_edit", args=[role.pk]),
        {"scope": "own", "access_contacts": "none", "access_settings": "none"},
    )
    assert response["Location"] == reverse("core:role_list")
    role.refresh_from_db()
    assert role.scope == "all"


# --- custom fields -------------------------------------------------------------------------------


def field_data(**overrides):
    data = {
        "record_type": "contact",
        "key": "loyalty_level",
        "label": "Loyalty level",
        "field_type": "choice",
        "required": "on",
        "default": "Silver",
        "choices": "Bronze\nSilver\n\nGold\nSilver",
        "help_text": "From the loyalty programme",
        "position": "3",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_choice_custom_field(admin_client):
    response = admin_client.post(reverse("core:customfield_create"), field_data())
    assert response["Location"] == reverse("core:customfield_list")
    field = CustomField.objects.get(key="loyalty_level")
    assert field.content_type == ContentType.objects.get_for_model(Contact)
    assert (field.field_type, field.required, field.default, field.choices, field.position) == (
        "choice",
        True,
        "Silver",
        ["Bronze", "Silver", "Gold"],
        3,
    )
    html = admin_client.get(reverse("core:customfield_list")).content.decode()
    assert "Loyalty level" in html


def test_custom_field_pattern_must_compile(admin_client):
    response = admin_client.post(
        reverse("core:customfield_create"),
        field_data(field_type="text", choices="", default="", pattern="([A-Z"),
    )
    assert response.status_code == 400
    assert (
        response.context["form"]
        .errors["pattern"][0]
        .startswith("This is not a valid regular expression")
    )
    assert not CustomField.objects.exists()


def test_custom_field_key_is_unique_per_record_type(admin_client):
    admin_client.post(reverse("core:customfield_create"), field_data())
    response = admin_client.post(reverse("core:customfield_create"), field_data())
    assert response.context["form"].errors["key"] == [
        "This record type already has a field with this key."
    ]
    response = admin_client.post(
        reverse("core:customfield_create"), field_data(record_type="company")
    )
    assert response["Location"] == reverse("core:customfield_list")
    assert CustomField.objects.filter(key="loyalty_level").count() == 2
    assert (
        CustomField.objects.filter(content_type=ContentType.objects.get_for_model(Company)).count()
        == 1
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"default": "Platinum"}, "default", "Choose one of the options."),
        ({"choices": ""}, "choices", "Choice fields need at least one option."),
        ({"key": "Bad Key"}, "key", None),
        (
            {
                "field_type": "integer",
                "choices": "",
                "default": "",
                "min_value": "5",
                "max_value": "1",
            },
            "max_value",
            "The maximum must not be below the minimum.",
        ),
        (
            {"field_type": "integer", "choices": "", "default": "99", "max_value": "10"},
            "default",
            "Must be at most 10.",
        ),
        (
            {"field_type": "text", "choices": "", "default": "abc", "pattern": r"\d+"},
            "default",
            "Does not have the expected format.",
        ),
    ],
)
def test_invalid_custom_field_shows_field_error_and_saves_nothing(
    admin_client, overrides, field, message
):
    response = admin_client.post(reverse("core:customfield_create"), field_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    if message is not None:
        assert errors[0].startswith(message.rstrip("."))
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not CustomField.objects.exists()


def test_admin_edits_a_custom_field_but_not_its_key(admin_client):
    admin_client.post(reverse("core:customfield_create"), field_data())
    field = CustomField.objects.get()
    response = admin_client.post(
        reverse("core:customfield_edit", args=[field.pk]),
        field_data(key="renamed", label="Loyalty tier", required="", choices="Silver\nGold"),
    )
    assert response["Location"] == reverse("core:customfield_list")
    field.refresh_from_db()
    assert (field.key, field.label, field.required, field.choices) == (
        "loyalty_level",
        "Loyalty tier",
        False,
        ["Silver", "Gold"],
    )


def test_admin_deletes_a_custom_field_after_confirming(admin_client):
    admin_client.post(reverse("core:customfield_create"), field_data())
    field = CustomField.objects.get()
    url = reverse("core:customfield_delete", args=[field.pk])
    assert admin_client.get(url).status_code == 200
    assert CustomField.objects.exists()
    assert admin_client.post(url)["Location"] == reverse("core:customfield_list")
    assert not CustomField.objects.exists()


def test_hostile_labels_are_escaped_in_settings_lists(admin_client):
    admin_client.post(
        reverse("core:customfield_create"),
        field_data(label='<img src=x onerror="alert(1)">'),
    )
    html = admin_client.get(reverse("core:customfield_list")).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


# --- locked-out users ----------------------------------------------------------------------------


def test_admin_sees_a_lockout_and_unlocks_the_user(admin_client, make_user):
    from django.test import Client

    locked = make_user("sales", username="bruno", password="Right-pass-123")
    stranger = Client()
    for _ in range(5):
        stranger.post(reverse("core:login"), {"username": "bruno", "password": "wrong"})
    assert (
        stranger.post(
            reverse("core:login"), {"username": "bruno", "password": "Right-pass-123"}
        ).status_code
        == 429
    )

    page = admin_client.get(reverse("core:user_edit", args=[locked.pk])).content.decode()
    assert "is locked out for a while" in page

    response = admin_client.post(reverse("core:user_unlock", args=[locked.pk]))

    assert response["Location"] == reverse("core:user_edit", args=[locked.pk])
    page = admin_client.get(reverse("core:user_edit", args=[locked.pk])).content.decode()
    assert "is locked out for a while" not in page
    answer = stranger.post(
        reverse("core:login"), {"username": "bruno", "password": "Right-pass-123"}
    )
    assert answer.status_code == 302


def test_unlock_needs_post_and_settings_access(client, admin_client, make_user):
    target = make_user("sales")
    assert admin_client.get(reverse("core:user_unlock", args=[target.pk])).status_code == 405

    client.force_login(make_user("manager"))
    assert client.post(reverse("core:user_unlock", args=[target.pk])).status_code == 403
