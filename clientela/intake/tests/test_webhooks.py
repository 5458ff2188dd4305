"""Webhooks: calls logged on the right contact, leads from Lead Ads or any JSON, signed, done
once; forged, malformed and oversized calls refused."""

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.urls import reverse

from clientela.activities.models import Activity
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.intake import services
from clientela.intake.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def call_hook(admin_user):
    return services.create_webhook(actor=admin_user, name="Centralita", kind="call")


@pytest.fixture
def lead_hook(admin_user):
    return services.create_webhook(
        actor=admin_user, name="Facebook", kind="lead", mapping={"interes": "deal_name"}
    )


@pytest.fixture
def send(client):
    def post(hook, payload, *, secret=None, header="HTTP_X_CLIENTELA_SIGNATURE"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        digest = hmac.new((secret or hook.secret).encode(), body, hashlib.sha256).hexdigest()
        return client.post(
            reverse("intake:webhook", args=[hook.token]),
            body,
            content_type="application/json",
            **{header: f"sha256={digest}"},
        )

    return post


def test_an_inbound_call_is_logged_on_the_contact_with_that_number(
    send, call_hook, admin_user, make_user
):
    pere = contact_services.create_contact(
        actor=admin_user, first_name="Pere", phones=["+34600123456"]
    )
    agent = make_user("sales", username="laia")
    agent.email = "laia@example.com"
    agent.save()

    response = send(
        call_hook,
        {
            "call_id": "c-1",
            "from": "600 12 34 56",
            "to": "+34930000000",
            "direction": "inbound",
            "duration": 95,
            "status": "answered",
            "agent": "LAIA@example.com",
            "started_at": "2026-11-20T10:15:00+01:00",
            "recording_url": "https://pbx.example.com/rec/c-1.mp3",
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "done", "contact": pere.pk}
    call = Activity.objects.get()
    assert (call.kind, call.direction, call.duration_seconds, call.outcome, call.owner) == (
        "call",
        "in",
        95,
        "connected",
        agent,
    )
    assert call.contact == pere
    assert "https://pbx.example.com/rec/c-1.mp3" in call.body
    assert call.timeline_at.isoformat() == "2026-11-20T09:15:00+00:00"


def test_a_call_without_an_agent_goes_to_the_contact_owner(send, call_hook, make_user):
    nobody = make_user("sales", username="sense-correu")
    nobody.email = ""
    nobody.save()

    send(call_hook, {"from": "+34600999888", "agent": ""})

    assert Activity.objects.get().owner is None  # a new contact without a rule has no owner


def test_a_call_sent_twice_is_logged_once(send, call_hook):
    payload = {"call_id": "c-2", "from": "+34600999888", "duration": 10}

    first, again = send(call_hook, payload), send(call_hook, payload)

    assert first.json()["status"] == "done" and again.json()["status"] == "duplicate"
    assert Activity.objects.count() == 1 and Contact.objects.count() == 1
    assert Contact.objects.get().source == "phone"


def test_an_outbound_call_matches_the_number_called(send, call_hook, admin_user):
    pere = contact_services.create_contact(
        actor=admin_user, first_name="Pere", phones=["+34600123456"]
    )

    send(call_hook, {"from": "+34930000000", "to": "+34600123456", "direction": "outbound"})

    assert Activity.objects.get().contact == pere


def test_a_facebook_lead_becomes_a_contact_with_a_deal(send, lead_hook, pipeline):
    response = send(
        lead_hook,
        {
            "id": "1234567890",
            "created_time": "2026-11-20T10:15:00+0000",
            "field_data": [
                {"name": "full_name", "values": ["Marta Soler Vila"]},
                {"name": "email", "values": ["marta@example.com"]},
                {"name": "phone_number", "values": ["+34611222333"]},
                {"name": "interes", "values": ["Cocina completa"]},
            ],
        },
        header="HTTP_X_HUB_SIGNATURE_256",
    )

    assert response.status_code == 200, response.json()
    marta = Contact.objects.get()
    assert (marta.first_name, marta.last_name, marta.source) == ("Marta", "Soler Vila", "social")
    assert marta.primary_email == "marta@example.com"
    assert marta.deals.get().name == "Cocina completa"
    assert "Lead from “Facebook”" in Activity.objects.get().subject


def test_any_json_is_read_with_the_mapping(send, admin_user):
    hook = services.create_webhook(
        actor=admin_user, name="Typeform", kind="lead", mapping={"answers.empresa": "company"}
    )

    send(hook, {"answers": {"empresa": "Fusteria Vidal", "email": "x@fusteria.cat"}})

    assert Contact.objects.get().company.name == "Fusteria Vidal"


@pytest.mark.parametrize("secret", ["wrong", ""])
def test_a_forged_call_is_refused_and_nothing_kept(send, call_hook, secret):
    response = send(call_hook, {"from": "+34600999888"}, secret=secret or "x")

    assert response.status_code == 401
    assert not Activity.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_call_without_a_signature_is_refused(client, call_hook):
    response = client.post(
        reverse("intake:webhook", args=[call_hook.token]),
        {"from": "+34600999888"},
        content_type="application/json",
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"{not json", "payload"),
        (b"\xff\xfe", "payload"),
        ([1, 2], "payload"),
        ({"from": "not a number"}, "from"),
        ({"from": "+34600999888", "duration": -1}, "duration"),
        ({"from": "+34600999888", "duration": "long"}, "duration"),
        ({"from": "+34600999888", "duration": True}, "duration"),
        ({"from": "+34600999888", "started_at": "yesterday"}, "started_at"),
        ({"from": "+34600999888", "recording_url": "javascript:alert(1)"}, "recording_url"),
    ],
)
def test_malformed_calls_are_400_with_the_reason(send, call_hook, payload, field):
    response = send(call_hook, payload)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Activity.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"field_data": []}, "payload"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@example.com", "first_name": "x" * 5000}, "first_name"),
        ({"leadgen_id": "1", "page_id": "2"}, "payload"),  # a bare notification: no fields
    ],
)
def test_malformed_leads_are_400_and_kept_for_review(send, lead_hook, payload, field):
    response = send(lead_hook, payload)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Contact.objects.exists()
    assert WebhookDelivery.objects.get().status == "refused"


def test_an_oversized_call_is_413(send, lead_hook):
    response = send(lead_hook, {"notes": "x" * (1024 * 1024)})

    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_unknown_and_inactive_webhooks_are_404(send, call_hook, admin_user, client):
    services.update_webhook(call_hook, actor=admin_user, active=False)

    assert send(call_hook, {"from": "+34600999888"}).status_code == 404
    assert (
        client.post("/intake/hooks/nope/", b"{}", content_type="application/json").status_code
        == 404
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "", "kind": "call"},
        {"name": "X", "kind": "sms"},
        {"name": "X", "kind": "lead", "source": "fax"},
        {"name": "X", "kind": "lead", "mapping": {"a": "is_superuser"}},
        {"name": "X", "kind": "lead", "mapping": {str(n): "email" for n in range(101)}},
    ],
)
def test_bad_webhooks_are_refused(admin_user, fields):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_webhook(actor=admin_user, **fields)


def test_the_owner_of_a_lead_is_told(
    send, lead_hook, make_user, django_capture_on_commit_callbacks
):
    ana = make_user("sales", username="ana")
    services.create_rule(actor=None, name="All", record_type="contact", strategy="user", user=ana)

    with django_capture_on_commit_callbacks(execute=True):
        send(lead_hook, {"email": "marta@example.com", "full_name": "Marta Soler"})

    assert [m.to for m in mail.outbox] == [[ana.email]]
    assert mail.outbox[0].subject == "New lead: Marta Soler"
