"""``/api/v1/webhooks/``: managers only, since a webhook's secret signs what it receives."""

import pytest

from clientela.intake.models import Webhook

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"


def test_managers_make_and_change_webhooks(api, make_user):
    manager = api(make_user("manager"))

    created = manager.post(
        URL, {"name": "Centralita", "kind": "call", "mapping": {}}, format="json"
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    hook = Webhook.objects.get()
    assert body["address"].endswith(f"/intake/hooks/{hook.token}/")
    assert (body["secret"], body["source"]) == (hook.secret, "phone")
    assert (
        manager.post(URL, {"name": "Y", "kind": "call", "secret": "mine"}, format="json").json()[
            "secret"
        ]
        != "mine"
    )  # made by Clientela, never chosen
    Webhook.objects.filter(name="Y").delete()
    changed = manager.patch(f"{URL}{hook.pk}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    refused = manager.patch(f"{URL}{hook.pk}/", {"kind": "lead"}, format="json")
    assert refused.status_code == 400
    assert manager.delete(f"{URL}{hook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_salespeople_can_neither_read_nor_make_webhooks(api, make_user):
    seller = api(make_user("sales"))

    assert seller.get(URL).status_code == 403
    assert seller.post(URL, {"name": "X", "kind": "call"}, format="json").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "kind": "sms"},
        {"name": "X", "kind": "lead", "source": "fax"},
        {"name": "X", "kind": "lead", "mapping": {"a": "is_staff"}},
        {"name": "X", "kind": "lead", "mapping": ["email"]},
        {"name": "X", "kind": "lead", "mapping": {str(n): "email" for n in range(101)}},
        {"name": "", "kind": "call"},
    ],
)
def test_bad_webhooks_are_400_and_nothing_is_stored(api, make_user, body):
    response = api(make_user("manager")).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert not Webhook.objects.exists()
