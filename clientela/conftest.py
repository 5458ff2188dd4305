"""Fixtures shared by every app's tests."""

import logging
import threading
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from clientela.core import tokens
from clientela.core.models import Role, Team, User

ROLE_CODES = ["admin", "manager", "sales", "marketing", "service", "read_only"]

# aiosmtpd, the SMTP peer of the mail tests, logs every session's end (at INFO) from its own
# thread, sometimes after pytest has closed the output of the test that started it.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    from clientela.core import settings_cache

    # Rows read in an earlier test's rolled-back transaction must not be remembered.
    settings_cache.clear()
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


# --- a real browser -------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser_page(monkeypatch):
    """A Playwright page in Debian's Chromium. ``page.console_errors`` collects script errors
    and Content-Security-Policy violations, which tests assert are none."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made here by
    # the test (not by the server) would otherwise be refused as "async unsafe".
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        yield page
        context.close()
        browser.close()
    _wait_for_server_threads()


def _wait_for_server_threads():
    """The live server answers each browser connection in a thread that holds a database
    connection until the browser hangs up; let them finish, or PostgreSQL refuses to drop the
    test database at the end of the run."""
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)
