"""E-mail sent from a contact's or a deal's page, through a real SMTP peer (aiosmtpd): logged
with its Message-ID, sent once however often the form is posted, and the customer's reply
threads back to it."""

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from clientela.activities.models import Activity
from clientela.intake.services import mail
from clientela.sales import services as sales_services

from .imapserver import free_port
from .mailfixtures import SALES, email, raw

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp_peer(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    yield handler
    controller.stop()


def _form(client, **params):
    response = client.get(reverse("intake:send_email"), params)
    assert response.status_code == 200
    return response.context["form"].initial


def test_an_email_sent_from_a_contact_is_sent_and_logged(
    client, make_user, customer, mailbox, smtp_peer
):
    client.force_login(make_user("manager"))
    initial = _form(client, contact=customer.pk)
    assert initial["to"] == "nuria@vinspuig.cat"
    data = {
        "contact": customer.pk,
        "from_address": SALES,
        "to": initial["to"],
        "subject": "Pressupost",
        "body": "Bon dia,\n\nUs envio el pressupost.",
        "message_id": initial["message_id"],
    }

    response = client.post(reverse("intake:send_email"), data)
    client.post(reverse("intake:send_email"), data)  # sent twice: a double click

    assert (
        response["Location"] == reverse("contacts:contact_detail", args=[customer.pk]) + "#timeline"
    )
    assert len(smtp_peer.messages) == 1
    recipients, sent = smtp_peer.messages[0]
    assert (recipients, sent["From"], sent["Subject"]) == (
        ["nuria@vinspuig.cat"],
        SALES,
        "Pressupost",
    )
    assert sent["Message-ID"] == initial["message_id"]
    activity = Activity.objects.get(kind="email")
    assert (activity.contact, activity.direction, activity.message_id) == (
        customer,
        "out",
        initial["message_id"],
    )
    assert activity.body == "<p>Bon dia,</p><p>Us envio el pressupost.</p>"


def test_the_reply_threads_back_to_the_sent_email_and_its_deal(
    client, make_user, customer, mailbox, smtp_peer, dovecot, admin_user, pipeline
):
    deal = sales_services.create_deal(actor=admin_user, name="Cava 2027", contacts=[customer])
    client.force_login(make_user("manager"))
    initial = _form(client, deal=deal.pk)
    client.post(
        reverse("intake:send_email"),
        {
            "deal": deal.pk,
            "from_address": SALES,
            "to": "nuria@vinspuig.cat",
            "subject": "Proposta",
            "body": "Aquí la tens.",
            "message_id": initial["message_id"],
        },
    )
    sent = Activity.objects.get(kind="email")
    assert (sent.deal, sent.contact) == (deal, customer)
    # The copy the server keeps in Sent is the same message: not captured again.
    dovecot.append(raw(email(sender=SALES, to="nuria@vinspuig.cat", subject="Proposta",
                             message_id=initial["message_id"])), "Sent")  # fmt: skip
    dovecot.append(raw(email(subject="Re: Proposta", message_id="<re@vinspuig.cat>",
                             in_reply_to=initial["message_id"])))  # fmt: skip

    mail.sync_mailbox(mailbox)

    reply = Activity.objects.filter(kind="email").exclude(pk=sent.pk).get()
    assert (reply.deal, reply.contact, reply.direction) == (deal, customer, "in")
    assert Activity.objects.filter(kind="email").count() == 2


def test_a_failing_mail_server_logs_nothing(client, make_user, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    client.force_login(make_user("manager"))
    initial = _form(client, contact=customer.pk)

    response = client.post(
        reverse("intake:send_email"),
        {"contact": customer.pk, "from_address": settings.DEFAULT_FROM_EMAIL, "to": "a@b.cat",
         "subject": "S", "body": "B", "message_id": initial["message_id"]},
    )  # fmt: skip

    assert response.status_code == 400
    assert "The e-mail could not be sent: " in response.content.decode()
    assert not Activity.objects.exists()


def test_only_who_may_see_the_contact_and_log_activities_sends(
    client, make_user, customer, smtp_peer
):
    client.force_login(make_user("sales", scope="own"))  # not their contact
    assert client.get(reverse("intake:send_email"), {"contact": customer.pk}).status_code == 404
    client.force_login(make_user("read_only"))
    assert client.get(reverse("intake:send_email"), {"contact": customer.pk}).status_code == 403
    assert smtp_peer.messages == []


def test_the_contact_timeline_offers_to_send_an_email(client, admin_user, customer):
    client.force_login(admin_user)

    page = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()

    assert f"{reverse('intake:send_email')}?contact={customer.pk}" in page
