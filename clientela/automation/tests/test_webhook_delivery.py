"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1: what is sent and how it is
signed, retries on the back-off schedule, giving up, timeouts, redirects, the claim that keeps
two workers from sending one delivery, redelivery, the sweep and turning a failing webhook off."""

import contextlib
import datetime
import hashlib
import hmac
import json
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from clientela.automation import services
from clientela.automation.models import OutgoingWebhook, WebhookDelivery
from clientela.automation.outgoing import sender, signing
from clientela.automation.services import deliveries
from clientela.contacts import services as contact_services
from clientela.sales import services as sales_services
from clientela.sales.models import Pipeline

from .conftest import run_jobs

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def hook(admin_user, receiver):
    return services.create_webhook(
        actor=admin_user,
        name="Shop",
        url=receiver.url,
        events=["contact.created", "contact.updated", "deal.stage_changed"],
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what waits for the commit (events, job enqueues)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def new_contact(actor, committed, **fields):
    fields.setdefault("first_name", "Núria")
    with committed():
        return contact_services.create_contact(actor=actor, **fields)


def signature_parts(header):
    parts = dict(part.split("=", 1) for part in header.split(","))
    return parts["t"], parts["v1"]


def documented_signature(secret, timestamp, body):
    """The check docs/guide/webhooks.md tells receivers to make."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_a_new_contact_reaches_the_receiver_signed_and_shaped_like_the_api(
    hook, receiver, admin_user, admin_api, committed
):
    contact = new_contact(admin_user, committed, emails=["nuria@example.com"])

    assert run_jobs() == ["succeeded"]
    [request] = receiver.requests
    assert request.path == "/hooks/clientela?x=1"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["User-Agent"] == "Clientela-Webhooks/1"
    assert request.headers["Clientela-Event"] == "contact.created"
    delivery = WebhookDelivery.objects.get()
    assert request.headers["Clientela-Delivery"] == str(delivery.event_id)
    payload = json.loads(request.body)
    assert list(payload) == ["id", "event", "created_at", "data", "changes"]
    assert (payload["id"], payload["event"], payload["changes"]) == (
        str(delivery.event_id),
        "contact.created",
        {},
    )
    assert payload["data"] == admin_api.get(f"/api/v1/contacts/{contact.pk}/").json()
    assert request.body == delivery.body.encode()

    timestamp, given = signature_parts(request.headers["Clientela-Signature"])
    assert abs(int(timestamp) - time.time()) < 60
    assert hmac.compare_digest(given, documented_signature(hook.secret, timestamp, request.body))
    assert signing.verify(hook.secret, request.body, request.headers["Clientela-Signature"])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert (delivery.response_excerpt, delivery.last_error, delivery.next_attempt_at) == (
        "ok",
        "",
        None,
    )
    assert delivery.delivered_at is not None and delivery.duration_ms is not None


def guide_verify():
    """The ``verify`` function of the Python snippet in docs/guide/webhooks.md, as printed."""
    guide = (Path(__file__).resolve().parents[3] / "docs" / "guide" / "webhooks.md").read_text()
    snippet = guide.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(snippet, "webhooks.md", "exec"), namespace)  # noqa: S102 (our own docs)
    return namespace["verify"]


def test_the_guide_s_snippet_accepts_the_signature_and_refuses_a_tampered_body(
    hook, receiver, admin_user, committed
):
    verify = guide_verify()
    new_contact(admin_user, committed)
    run_jobs()
    [request] = receiver.requests
    header = request.headers["Clientela-Signature"]

    assert verify(hook.secret, request.body, header) is True
    assert verify(hook.secret, request.body + b" ", header) is False
    assert verify(hook.secret + "x", request.body, header) is False
    assert verify(hook.secret, request.body, "v1=" + header.split("v1=")[1]) is False


def test_a_tampered_body_or_another_secret_fails_the_check(hook, receiver, admin_user, committed):
    new_contact(admin_user, committed)
    run_jobs()
    [request] = receiver.requests
    header = request.headers["Clientela-Signature"]
    timestamp, given = signature_parts(header)
    tampered = request.body.replace("Núria".encode(), b"Mallory")

    assert tampered != request.body
    assert given != documented_signature(hook.secret, timestamp, tampered)
    assert not signing.verify(hook.secret, tampered, header)
    assert not signing.verify(signing.new_secret(), request.body, header)
    assert not signing.verify(hook.secret, request.body, header, now=time.time() + 600)
    assert not signing.verify(hook.secret, request.body, "t=abc,v1=00")


def test_an_update_carries_the_changes_and_unsubscribed_events_send_nothing(
    hook, receiver, admin_user, committed
):
    contact = new_contact(admin_user, committed, first_name="Ana")
    with committed():
        contact_services.update_contact(contact, actor=admin_user, first_name="Anna")
        contact_services.delete_records([contact], actor=admin_user)  # not subscribed

    assert run_jobs() == ["succeeded", "succeeded"]
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["event"] for b in bodies] == ["contact.created", "contact.updated"]
    assert bodies[1]["changes"] == {"first_name": ["Ana", "Anna"]}
    assert bodies[1]["data"]["first_name"] == "Anna"


def test_a_deal_moving_stage_sends_its_stage_change(hook, receiver, admin_user, committed):
    Pipeline.objects.all().delete()
    pipeline = sales_services.create_pipeline(
        actor=admin_user, name="P", stages=[("A", 10, "open"), ("B", 50, "open")]
    )
    a, b = pipeline.stages.order_by("position")
    deal = sales_services.create_deal(actor=admin_user, name="Web", amount=10, pipeline=pipeline)
    with committed():
        sales_services.move_deal(deal, b, actor=admin_user)

    assert run_jobs() == ["succeeded"]
    body = json.loads(receiver.requests[0].body)
    assert (body["event"], body["changes"]["stage"], body["data"]["stage"]) == (
        "deal.stage_changed",
        [a.pk, b.pk],
        b.pk,
    )


def test_failures_are_retried_on_the_back_off_schedule_until_one_succeeds(
    hook, receiver, admin_user, committed
):
    receiver.answers = [(500, b"down"), (503, b""), (200, b"ok")]
    new_contact(admin_user, committed)
    delivery = WebhookDelivery.objects.get()

    assert run_jobs() == ["failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 500)
    assert (delivery.response_excerpt, delivery.last_error) == (
        "down",
        "The receiver answered 500.",
    )
    first_retry = delivery.next_attempt_at
    assert MINUTE * 0.9 <= first_retry - delivery.last_attempt_at <= MINUTE * 1.1

    assert deliveries.deliver(delivery.pk, now=first_retry - datetime.timedelta(seconds=1)) == (
        "skipped"
    )
    assert deliveries.deliver(delivery.pk, now=first_retry) == "failed"
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert MINUTE * 4.5 <= delivery.next_attempt_at - first_retry <= MINUTE * 5.5

    assert deliveries.deliver(delivery.pk, now=delivery.next_attempt_at) == "succeeded"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 3, None)
    assert len({r.headers["Clientela-Delivery"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0 and hook.last_success_at is not None


def test_after_eight_failed_attempts_it_gives_up(hook, receiver, admin_user, committed):
    receiver.answers = [(500, b"")]
    new_contact(admin_user, committed)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    waits = []
    for _attempt in range(8):
        deliveries.deliver(delivery.pk, now=now)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at

    expected = [60, 300, 1800, 7200, 21600, 43200, 86400]
    assert len(waits) == 7
    assert all(0.9 * e <= w <= 1.1 * e for w, e in zip(waits, expected, strict=True))
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("gave_up", 8, None)
    assert deliveries.deliver(delivery.pk, now=now + datetime.timedelta(days=7)) == "skipped"
    assert len(receiver.requests) == 8


def test_a_receiver_slower_than_the_time_limit_is_a_failure(
    hook, receiver, admin_user, committed, monkeypatch
):
    monkeypatch.setattr(sender, "TOTAL_TIMEOUT", 1.0)
    receiver.delay = 3
    new_contact(admin_user, committed)
    started = time.monotonic()

    assert run_jobs() == ["failed"]
    assert time.monotonic() - started < 2.5
    delivery = WebhookDelivery.objects.get()
    assert (delivery.response_status, delivery.last_error) == (None, "No answer within 1 seconds.")


def test_a_receiver_answering_a_byte_at_a_time_is_cut_at_the_time_limit(
    hook, receiver, admin_user, committed, monkeypatch
):
    monkeypatch.setattr(sender, "TOTAL_TIMEOUT", 1.0)

    def drip(handler):
        with contextlib.suppress(OSError):  # the client hangs up at its time limit
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _n in range(30):
                handler.wfile.write(b"X-Slow: 1\r\n")
                handler.wfile.flush()
                time.sleep(0.1)

    receiver.answers = [drip]
    new_contact(admin_user, committed)
    started = time.monotonic()

    assert run_jobs() == ["failed"]
    assert time.monotonic() - started < 2.5
    assert WebhookDelivery.objects.get().last_error == "No answer within 1 seconds."


def test_a_redirect_is_not_followed(hook, receiver, admin_user, committed):
    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", receiver.url.replace("/hooks/", "/elsewhere/"))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    receiver.answers = [redirect]
    new_contact(admin_user, committed)

    assert run_jobs() == ["failed"]
    assert [r.path for r in receiver.requests] == ["/hooks/clientela?x=1"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_status == 302
    assert delivery.last_error == (
        f"Redirected to {receiver.url.replace('/hooks/', '/elsewhere/')}: "
        "redirects are not followed."
    )


def test_a_huge_answer_is_read_in_part_and_kept_shorter(hook, receiver, admin_user, committed):
    receiver.answers = [(200, b"x" * 500_000)]
    new_contact(admin_user, committed)

    assert run_jobs() == ["succeeded"]
    assert WebhookDelivery.objects.get().response_excerpt == "x" * 2000


def test_a_receiver_that_is_not_there_is_a_connection_failure(
    hook, receiver, admin_user, committed
):
    receiver.server.shutdown()
    receiver.server.server_close()
    new_contact(admin_user, committed)

    assert run_jobs() == ["failed"]
    assert WebhookDelivery.objects.get().last_error.startswith("Could not connect: ")


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_lapses(
    hook, receiver, admin_user, committed
):
    new_contact(admin_user, committed)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()

    assert deliveries.claim(delivery.pk, now) is True
    assert deliveries.claim(delivery.pk, now) is False
    assert deliveries.deliver(delivery.pk, now=now) == "skipped"
    assert receiver.requests == []
    # The first sender died: once its lease is over, the delivery is sent.
    assert deliveries.deliver(delivery.pk, now=now + deliveries.LEASE + MINUTE) == "succeeded"
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_a_delivery_once(admin_user, receiver):
    hook = services.create_webhook(
        actor=admin_user, name="Shop", url=receiver.url, events=["contact.created"]
    )
    contact_services.create_contact(actor=admin_user, first_name="Ana")  # autocommit: queued
    delivery = WebhookDelivery.objects.get(webhook=hook)
    receiver.delay = 0.5
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(deliveries.deliver(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["skipped", "succeeded"]
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 1


def test_redelivery_sends_the_same_delivery_again(hook, receiver, admin_user, committed):
    new_contact(admin_user, committed)
    run_jobs()
    delivery = WebhookDelivery.objects.get()

    with committed():
        assert services.redeliver(delivery, actor=admin_user) is True
    assert WebhookDelivery.objects.get().status == "pending"
    assert run_jobs() == ["succeeded"]

    first, second = receiver.requests
    assert first.headers["Clientela-Delivery"] == second.headers["Clientela-Delivery"]
    assert first.body == second.body
    assert WebhookDelivery.objects.get().attempts == 2


def test_a_delivery_being_sent_is_not_redelivered(hook, receiver, admin_user, committed):
    new_contact(admin_user, committed)
    run_jobs()
    delivery = WebhookDelivery.objects.get()
    deliveries.redeliver(delivery, actor=admin_user)
    deliveries.claim(delivery.pk, timezone.now())  # a sender holds it

    assert services.redeliver(delivery, actor=admin_user) is False


def test_a_redelivery_of_one_that_gave_up_gives_up_again_when_it_fails(
    hook, receiver, admin_user, committed
):
    receiver.answers = [(500, b"")]
    new_contact(admin_user, committed)
    assert run_jobs() == ["failed"]
    WebhookDelivery.objects.update(attempts=8, status="gave_up", next_attempt_at=None)

    with committed():
        services.redeliver(WebhookDelivery.objects.get(), actor=admin_user)
    assert run_jobs() == ["gave_up"]
    assert WebhookDelivery.objects.get().attempts == 9


def test_the_sweep_enqueues_what_is_due_for_active_webhooks_only(
    hook, receiver, admin_user, committed
):
    receiver.answers = [(500, b"")]
    new_contact(admin_user, committed)
    new_contact(admin_user, committed, first_name="Pere")
    assert run_jobs() == ["failed", "failed"]
    due, later = WebhookDelivery.objects.order_by("id")
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=due.pk).update(next_attempt_at=now - MINUTE)

    assert deliveries.send_due(now) == 1
    assert run_jobs() == ["failed"]
    OutgoingWebhook.objects.update(active=False)
    WebhookDelivery.objects.update(next_attempt_at=now - MINUTE)
    assert deliveries.send_due(now) == 0


def test_an_inactive_webhook_gets_no_deliveries(hook, receiver, admin_user, committed):
    services.update_webhook(hook, actor=admin_user, active=False)
    new_contact(admin_user, committed)

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_test_event_reaches_even_a_webhook_that_is_off(hook, receiver, admin_user, committed):
    services.update_webhook(hook, actor=admin_user, active=False)
    with committed():
        delivery = services.send_test_event(hook, actor=admin_user)

    assert run_jobs() == ["succeeded"]
    body = json.loads(receiver.requests[0].body)
    assert (body["event"], body["id"], body["data"]["webhook"]) == (
        "ping",
        str(delivery.event_id),
        {"id": hook.pk, "name": "Shop"},
    )


def test_a_webhook_failing_too_often_is_turned_off_and_its_creator_told(
    hook, receiver, admin_user, committed, monkeypatch
):
    monkeypatch.setattr(deliveries, "DISABLE_AFTER", 2)
    receiver.answers = [(500, b"")]
    new_contact(admin_user, committed)
    new_contact(admin_user, committed, first_name="Pere")
    version = OutgoingWebhook.objects.get().version

    with committed():
        assert run_jobs() == ["failed", "failed"]

    hook.refresh_from_db()
    assert (hook.active, hook.consecutive_failures, hook.version) == (False, 2, version + 1)
    assert hook.disabled_reason == "2 attempts in a row failed."
    [message] = mail.outbox
    assert message.to == [admin_user.email]
    assert message.subject == "Webhook “Shop” was turned off"
    new_contact(admin_user, committed, first_name="Eva")
    assert WebhookDelivery.objects.count() == 2  # nothing more is queued while it is off


def test_turning_it_back_on_clears_the_failures(hook, admin_user):
    OutgoingWebhook.objects.update(active=False, consecutive_failures=50, disabled_reason="x")
    hook = services.update_webhook(hook, actor=admin_user, active=True)

    assert (hook.consecutive_failures, hook.disabled_reason) == (0, "")


def test_an_import_sends_one_delivery_per_new_contact(hook, receiver, admin_user, committed):
    import io

    from clientela.intake.services import imports

    class Upload(io.BytesIO):
        name = "people.csv"

    text = "First Name,Email\nNúria,nuria@example.com\nPere,pere@example.com\n"
    with committed():
        job = imports.start_import(
            Upload(text.encode()), "p.csv", kind="contacts", actor=admin_user
        )
        job = imports.configure_import(job, actor=admin_user, mapping=job.mapping, enqueue=False)
        imports.run_import_job(job.pk)

    assert run_jobs() == ["succeeded", "succeeded"]
    names = sorted(json.loads(r.body)["data"]["first_name"] for r in receiver.requests)
    assert names == ["Núria", "Pere"]
