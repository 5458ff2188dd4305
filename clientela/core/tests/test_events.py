"""After-commit events: subscribers see committed changes only."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from clientela.contacts import services
from clientela.core import events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def received():
    calls = []

    def on_created(name, **payload):
        calls.append((name, payload["record"].first_name))

    events.subscribe("contact.created")(on_created)
    yield calls
    events.unsubscribe("contact.created", on_created)


def test_subscriber_runs_after_commit_not_before(
    admin_user, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.create_contact(actor=admin_user, first_name="Ana")
        assert received == []
    assert len(callbacks) == 1
    assert received == [("contact.created", "Ana")]


def test_subscriber_never_runs_for_a_rolled_back_change(
    admin_user, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.create_contact(actor=admin_user, first_name="Ghost")
            raise RuntimeError("the caller fails afterwards")
        services.create_contact(actor=admin_user, first_name="Real")
    assert len(callbacks) == 1
    assert received == [("contact.created", "Real")]


def test_failed_validation_publishes_nothing(
    admin_user, received, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.create_contact(actor=admin_user, first_name="Ana", emails=["bad"])
    assert (callbacks, received) == ([], [])


def test_broken_subscriber_does_not_stop_the_others(
    admin_user, received, django_capture_on_commit_callbacks, caplog
):
    def broken(name, **payload):
        raise ValueError("boom")

    events._subscribers["contact.created"].insert(0, broken)  # runs before ``received``
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.create_contact(actor=admin_user, first_name="Ana")
    finally:
        events.unsubscribe("contact.created", broken)
    assert received == [("contact.created", "Ana")]
    assert "event subscriber failed" in caplog.text


def test_wildcard_subscriber_sees_every_event(admin_user, django_capture_on_commit_callbacks):
    names = []

    def everything(name, **payload):
        names.append(name)

    events.subscribe("*")(everything)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            contact = services.create_contact(actor=admin_user, first_name="Ana")
            services.update_contact(contact, actor=admin_user, first_name="Anna")
            services.delete_records([contact], actor=admin_user)
            services.restore_records([contact], actor=admin_user)
            services.delete_records([contact], actor=admin_user)
            services.purge_records([contact], actor=admin_user)
    finally:
        events.unsubscribe("*", everything)
    assert names == [
        "contact.created",
        "contact.updated",
        "contact.deleted",
        "contact.restored",
        "contact.deleted",
        "contact.purged",
    ]
