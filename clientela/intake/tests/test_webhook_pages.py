"""The webhook pages: made and changed by managers, with the address, the secret and the
latest calls and their problems."""

import pytest
from django.urls import reverse

from clientela.intake import services
from clientela.intake.models import Webhook

pytestmark = pytest.mark.django_db


def test_a_manager_makes_a_webhook_and_sees_how_to_connect_it(client, make_user):
    client.force_login(make_user("manager"))

    response = client.post(
        reverse("intake:webhook_create"),
        {
            "name": "Typeform",
            "kind": "lead",
            "active": "on",
            "mapping": "answers.empresa = company",
        },
    )

    hook = Webhook.objects.get()
    assert response["Location"] == reverse("intake:webhook_edit", args=[hook.pk])
    assert (hook.source, hook.mapping) == ("social", {"answers.empresa": "company"})
    page = client.get(response["Location"]).content.decode()
    assert f"/intake/hooks/{hook.token}/" in page and hook.secret in page
    assert "answers.empresa = company" in page


def test_refused_calls_are_listed_with_their_problems(client, make_user, admin_user):
    hook = services.create_webhook(actor=admin_user, name="Centralita", kind="call")
    services.receive(hook, {"from": "not a number"})
    client.force_login(make_user("manager"))

    page = client.get(reverse("intake:webhook_edit", args=[hook.pk])).content.decode()

    assert "Refused" in page and "Enter a valid phone number." in page


def test_a_new_secret_replaces_the_old_one(client, make_user, admin_user):
    hook = services.create_webhook(actor=admin_user, name="Centralita", kind="call")
    client.force_login(make_user("manager"))

    client.post(reverse("intake:webhook_secret", args=[hook.pk]))

    old = hook.secret
    hook.refresh_from_db()
    assert hook.secret != old and len(hook.secret) == 64


def test_what_a_webhook_receives_cannot_change(client, make_user, admin_user):
    hook = services.create_webhook(actor=admin_user, name="Centralita", kind="call")
    client.force_login(make_user("manager"))

    client.post(
        reverse("intake:webhook_edit", args=[hook.pk]),
        {"name": "PBX", "kind": "lead", "source": "", "active": "on"},
    )

    hook.refresh_from_db()
    assert (hook.name, hook.kind, hook.source) == ("PBX", "call", "phone")


@pytest.mark.parametrize(
    "data",
    [
        {"name": "X", "kind": "lead", "mapping": "no equals sign"},
        {"name": "X", "kind": "lead", "mapping": "a = is_staff"},
        {"name": "X" * 101, "kind": "lead"},
        {"name": "X", "kind": "sms"},
        {"name": "X", "kind": "lead", "source": "fax"},
    ],
)
def test_bad_webhooks_are_refused_with_nothing_saved(client, make_user, data):
    client.force_login(make_user("manager"))

    response = client.post(reverse("intake:webhook_create"), data)

    assert response.status_code == 400
    assert not Webhook.objects.exists()


def test_salespeople_cannot_see_webhooks(client, make_user, admin_user):
    hook = services.create_webhook(actor=admin_user, name="Centralita", kind="call")
    client.force_login(make_user("sales"))

    assert client.get(reverse("intake:webhook_list")).status_code == 403
    assert client.get(reverse("intake:webhook_edit", args=[hook.pk])).status_code == 403
