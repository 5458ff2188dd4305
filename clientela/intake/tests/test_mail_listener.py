"""The inbound SMTP listener, spoken to with a real SMTP client (smtplib)."""

import smtplib

import pytest

from clientela.activities.models import Activity
from clientela.intake.models import MailMessage
from clientela.intake.services.mail.listener import listener

from .imapserver import free_port
from .mailfixtures import SALES, email, raw

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_listener(mailbox):
    server = listener(host="127.0.0.1", port=free_port(), max_bytes=20_000)
    server.start()
    yield server
    server.stop()


def test_mail_for_a_mailbox_is_captured_once(smtp_listener, customer):
    message = raw(email())
    with smtplib.SMTP("127.0.0.1", smtp_listener.port) as client:
        client.sendmail("nuria@vinspuig.cat", [SALES], message)
        client.sendmail("nuria@vinspuig.cat", [SALES], message)  # delivered twice

    activity = Activity.objects.get(kind="email")
    assert (activity.contact, activity.direction, activity.subject) == (
        customer,
        "in",
        "Pressupost",
    )
    assert sorted(MailMessage.objects.values_list("source", "status")) == [
        ("smtp", "captured"),
        ("smtp", "duplicate"),
    ]


def test_other_addresses_are_refused(smtp_listener, customer):
    with (
        smtplib.SMTP("127.0.0.1", smtp_listener.port) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("nuria@vinspuig.cat", ["someone@else.example"], raw(email()))

    assert refused.value.recipients["someone@else.example"][0] == 550
    assert not MailMessage.objects.exists()


def test_a_message_over_the_limit_is_refused(smtp_listener, customer):
    with (
        smtplib.SMTP("127.0.0.1", smtp_listener.port) as client,
        pytest.raises(smtplib.SMTPResponseException) as refused,
    ):
        client.sendmail("nuria@vinspuig.cat", [SALES], raw(email(body="x" * 30_000)))

    assert refused.value.smtp_code == 552
    assert not MailMessage.objects.exists()


def test_a_catch_all_mailbox_takes_any_address(mailbox, customer):
    server = listener(host="127.0.0.1", port=free_port(), max_bytes=20_000, catch_all=mailbox.pk)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", server.port) as client:
            client.sendmail("nuria@vinspuig.cat", ["info@example.com"], raw(email()))
    finally:
        server.stop()

    assert Activity.objects.get(kind="email").contact == customer
