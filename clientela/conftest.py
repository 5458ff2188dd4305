"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.test import APIClient

from clientela.core import tokens
from clientela.core.models import Role, Team, User

ROLE_CODES = ["admin", "manager", "sales", "marketing", "service", "read_only"]


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.LANGUAGE_CODE = "en"
    # Real hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_team(db):
    def make(name="Sales", handle=None):
        return Team.objects.get_or_create(name=name, defaults={"handle": handle or name.lower()})[0]

    return make


@pytest.fixture
def make_user(db):
    """``make_user("sales", teams=[team], scope="own")`` -> a user with that built-in role.

    ``scope`` (own/team/all) gives the user a copy of the role with that scope, so tests can
    combine any role with any scope.
    """
    counter = {"n": 0}

    def make(
        role_code="admin",
        *,
        username=None,
        teams=(),
        scope=None,
        password="s3cret-Pass!",
        language="en",
    ):
        counter["n"] += 1
        role = Role.objects.get(code=role_code)
        if scope and scope != role.scope:
            role, _ = Role.objects.get_or_create(
                code=f"{role_code}-{scope}",
                defaults={
                    "name": f"{role.name} ({scope})",
                    "scope": scope,
                    "access": role.access,
                    "is_admin": role.is_admin,
                },
            )
        user = User.objects.create_user(
            username=username or f"{role_code}{counter['n']}",
            password=password,
            role=role,
            email=f"{role_code}{counter['n']}@example.com",
            language=language,
            first_name=role_code.title(),
            last_name=f"User{counter['n']}",
        )
        user.teams.set(teams)
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="admin")


@pytest.fixture
def api(db):
    """``api(user)`` -> an APIClient authenticated with a fresh bearer token of ``user``."""

    def make(user):
        _, raw = tokens.create_token(user, "tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def admin_api(api, admin_user):
    return api(admin_user)
