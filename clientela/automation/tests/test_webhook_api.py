"""``/api/v1/outgoing-webhooks/``: CRUD with ETags, the secret, the delivery log, redelivery and
test events; malformed, hostile and oversized input refused whole; automation writers only."""

import json

import pytest
from django.utils import timezone

from clientela.automation import services
from clientela.automation.models import OutgoingWebhook, WebhookDelivery
from clientela.automation.services import deliveries

pytestmark = pytest.mark.django_db
BASE = "/api/v1/outgoing-webhooks/"
GOOD = {"name": "Shop", "url": "https://shop.example/hooks", "events": ["contact.created"]}


@pytest.fixture(autouse=True)
def _public_shop(resolver):
    resolver["shop.example"] = ["151.101.1.1"]


@pytest.fixture
def hook(admin_user):
    return services.create_webhook(actor=admin_user, **GOOD)


def post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def patch(client, path, data, **headers):
    return client.patch(path, json.dumps(data), content_type="application/json", **headers)


def test_creating_answers_the_secret_once_and_an_etag(admin_api):
    response = post(admin_api, BASE, {**GOOD, "events": ["deal.won", "contact.created"]})

    assert response.status_code == 201
    body = response.json()
    webhook = OutgoingWebhook.objects.get()
    assert body["secret"] == webhook.secret and webhook.secret.startswith("whsec_")
    assert body["events"] == ["contact.created", "deal.won"]  # catalogue order
    assert (body["active"], body["version"], body["consecutive_failures"]) == (True, 1, 0)
    assert response["ETag"] == f'"{webhook.pk}-1"'
    assert "secret" not in admin_api.get(f"{BASE}{webhook.pk}/").json()
    assert "secret" not in admin_api.get(BASE).json()["results"][0]
    assert admin_api.get(f"{BASE}{webhook.pk}/secret/").json() == {"secret": webhook.secret}


def test_a_change_needs_the_current_etag(admin_api, hook):
    stale = patch(admin_api, f"{BASE}{hook.pk}/", {"name": "Old"}, HTTP_IF_MATCH='"1-0"')
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"

    response = patch(admin_api, f"{BASE}{hook.pk}/", {"active": False}, HTTP_IF_MATCH=hook.etag)
    assert response.status_code == 200
    assert (response.json()["active"], response["ETag"]) == (False, f'"{hook.pk}-2"')
    again = patch(admin_api, f"{BASE}{hook.pk}/", {"active": True}, HTTP_IF_MATCH=hook.etag)
    assert again.status_code == 412


def test_put_replaces_and_delete_removes_with_its_log(admin_api, hook):
    response = admin_api.put(
        f"{BASE}{hook.pk}/",
        json.dumps({**GOOD, "name": "Botiga", "events": ["case.created"]}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["name"]) == (200, "Botiga")
    services.send_test_event(hook, actor=None)

    assert admin_api.delete(f"{BASE}{hook.pk}/", HTTP_IF_MATCH='"x"').status_code == 412
    assert admin_api.delete(f"{BASE}{hook.pk}/").status_code == 204
    assert (OutgoingWebhook.objects.count(), WebhookDelivery.objects.count()) == (0, 0)


def test_rotating_the_secret_answers_the_new_one(admin_api, hook):
    response = admin_api.post(f"{BASE}{hook.pk}/rotate-secret/")

    hook_now = OutgoingWebhook.objects.get()
    assert response.status_code == 200
    assert response.json()["secret"] == hook_now.secret != hook.secret
    assert response["ETag"] == f'"{hook.pk}-2"'


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {**GOOD, "events": ["contact.exploded"]},
            "events",
            '0: "contact.exploded" is not a valid choice.',
        ),
        ({**GOOD, "events": []}, "events", "This list may not be empty."),
        (
            {**GOOD, "events": "contact.created"},
            "events",
            'Expected a list of items but got type "str".',
        ),
        ({**GOOD, "events": [{"$gt": ""}]}, "events", "0: \"{'$gt': ''}\" is not a valid choice."),
        (
            {**GOOD, "events": ["contact.created"] * 51},
            "events",
            "Ensure this field has no more than 50 elements.",
        ),
        (
            {**GOOD, "url": "http://169.254.169.254/latest"},
            "url",
            "“169.254.169.254” leads to a private or local address (169.254.169.254): refused. "
            "An administrator may allow it with CLIENTELA_WEBHOOK_ALLOW_PRIVATE.",
        ),
        (
            {**GOOD, "url": "gopher://shop.example/"},
            "url",
            "Use an address starting with https:// (or http://).",
        ),
        (
            {**GOOD, "url": "https://" + "a" * 2000},
            "url",
            "Ensure this field has no more than 2000 characters.",
        ),
        ({**GOOD, "url": ["https://shop.example/"]}, "url", "Not a valid string."),
        ({**GOOD, "name": "x" * 101}, "name", "Ensure this field has no more than 100 characters."),
        ({**GOOD, "name": "   "}, "name", "This field may not be blank."),
        ({**GOOD, "active": "maybe"}, "active", "Must be a valid boolean."),
        ({**GOOD, "secret": "mine"}, "secret", "Unknown field."),
        ({"url": GOOD["url"], "events": GOOD["events"]}, "name", "This field is required."),
    ],
)
def test_bad_input_is_refused_whole_with_a_clear_message(admin_api, data, field, message):
    response = post(admin_api, BASE, data)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"][field] == [message]
    assert OutgoingWebhook.objects.count() == 0


def test_malformed_and_oversized_bodies(admin_api, settings):
    malformed = admin_api.post(BASE, "{not json", content_type="application/json")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed")
    not_an_object = post(admin_api, BASE, ["a", "list"])
    assert not_an_object.status_code == 400
    huge = post(admin_api, BASE, {**GOOD, "name": "x" * (settings.API_MAX_BODY_BYTES + 1)})
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    assert admin_api.get(f"{BASE}abc/").status_code == 404
    assert admin_api.get(f"{BASE}99999999999999999999999/").status_code == 404
    assert OutgoingWebhook.objects.count() == 0


def test_the_delivery_log_pages_newest_first_and_filters_by_status(admin_api, hook):
    made = [services.send_test_event(hook, actor=None) for _n in range(3)]
    WebhookDelivery.objects.filter(pk=made[0].pk).update(status="gave_up")

    first = admin_api.get(f"{BASE}{hook.pk}/deliveries/?page_size=2").json()
    assert [d["id"] for d in first["results"]] == [made[2].pk, made[1].pk]
    rest = admin_api.get(first["next"]).json()
    assert [d["id"] for d in rest["results"]] == [made[0].pk]
    given_up = admin_api.get(f"{BASE}{hook.pk}/deliveries/?status=gave_up").json()["results"]
    assert [(d["id"], d["status"], d["event"]) for d in given_up] == [
        (made[0].pk, "gave_up", "ping")
    ]
    assert given_up[0]["payload"]["id"] == str(made[0].event_id)

    for query in ("status=nope", "cursor=garbage", "page_size=0", "ordering=oldest"):
        response = admin_api.get(f"{BASE}{hook.pk}/deliveries/?{query}")
        assert (response.status_code, response.json()["code"]) == (400, "invalid"), query


def test_one_delivery_and_its_redelivery(admin_api, hook, admin_user):
    delivery = services.send_test_event(hook, actor=None)
    other = services.create_webhook(actor=admin_user, **{**GOOD, "name": "Other"})

    detail = admin_api.get(f"{BASE}{hook.pk}/deliveries/{delivery.pk}/")
    assert (detail.status_code, detail.json()["event_id"]) == (200, str(delivery.event_id))
    assert admin_api.get(f"{BASE}{other.pk}/deliveries/{delivery.pk}/").status_code == 404

    WebhookDelivery.objects.update(status="gave_up", attempts=8, next_attempt_at=None)
    response = admin_api.post(f"{BASE}{hook.pk}/deliveries/{delivery.pk}/redeliver/")
    assert (response.status_code, response.json()["status"]) == (202, "pending")

    deliveries.claim(delivery.pk, timezone.now())  # a sender holds it now
    busy = admin_api.post(f"{BASE}{hook.pk}/deliveries/{delivery.pk}/redeliver/")
    assert (busy.status_code, busy.json()["code"]) == (409, "conflict")
    missing = admin_api.post(f"{BASE}{other.pk}/deliveries/{delivery.pk}/redeliver/")
    assert missing.status_code == 404


def test_a_test_event_is_queued(admin_api, hook):
    response = admin_api.post(f"{BASE}{hook.pk}/test/")

    assert response.status_code == 202
    assert (response.json()["event"], response.json()["status"]) == ("ping", "pending")
    assert WebhookDelivery.objects.get().webhook_id == hook.pk


def test_managers_may_and_other_roles_may_not(api, make_user, hook, client):
    manager = api(make_user("manager"))
    assert manager.get(BASE).status_code == 200
    assert post(manager, BASE, {**GOOD, "name": "Theirs"}).status_code == 201

    for role in ("marketing", "sales", "service", "read_only"):  # marketing reads automation
        other = api(make_user(role))
        for response in (
            other.get(BASE),
            other.get(f"{BASE}{hook.pk}/"),
            other.get(f"{BASE}{hook.pk}/secret/"),
            other.get(f"{BASE}{hook.pk}/deliveries/"),
            post(other, BASE, GOOD),
            patch(other, f"{BASE}{hook.pk}/", {"name": "Mine"}),
            other.post(f"{BASE}{hook.pk}/test/"),
            other.delete(f"{BASE}{hook.pk}/"),
        ):
            assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert client.get(BASE).status_code == 401
    assert OutgoingWebhook.objects.get(pk=hook.pk).name == "Shop"
    assert WebhookDelivery.objects.count() == 0
