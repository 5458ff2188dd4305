"""The customer portal: sign-in links through a real SMTP peer, single use and short-lived;
customers see their own cases only, never internal notes; they answer and open cases."""

import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from clientela.collaboration.services import comments
from clientela.contacts import services as contact_services
from clientela.support.choices import CaseChannel, CaseStatus, MessageKind
from clientela.support.models import Case, PortalLink
from clientela.support.services import cases


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "help@botiga.cat"
    yield handler
    controller.stop()


@pytest.fixture
def agent(make_user):
    return make_user("service", username="agent")


@pytest.fixture
def ana(agent):
    return contact_services.create_contact(
        actor=agent, first_name="Ana", emails=["ana@x.es"], language="ca"
    )


def sign_in(client, inbox, address="ana@x.es"):
    client.post(reverse("portal:start"), {"email": address})
    text = inbox.messages[-1].get_body(("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/portal/in/\S+/)", text).group(1)
    assert client.get(path).status_code == 200  # a scanner opening it signs nobody in
    return path, client.post(path)


def test_a_customer_signs_in_with_the_emailed_link_in_their_language(client, inbox, ana):
    _path, response = sign_in(client, inbox)

    assert response["Location"] == reverse("portal:cases")
    message = inbox.messages[0]
    assert message["To"] == "ana@x.es"
    assert "portal de clients" in message["Subject"].lower()  # Catalan, her language


def test_a_link_works_once(client, inbox, ana):
    path, _response = sign_in(client, inbox)
    client.post(reverse("portal:logout"))
    assert client.post(path).status_code == 410
    assert client.get(reverse("portal:cases"))["Location"] == reverse("portal:start")


def test_an_old_link_is_refused(client, inbox, ana):
    client.post(reverse("portal:start"), {"email": "ana@x.es"})
    PortalLink.objects.update(created_at=timezone.now() - timedelta(hours=1))
    text = inbox.messages[-1].get_body(("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/portal/in/\S+/)", text).group(1)
    assert client.post(path).status_code == 410


@pytest.mark.parametrize("address", ["nobody@x.es", "not an address", "a" * 5000, ""])
def test_unknown_addresses_get_the_same_answer_and_no_mail(client, inbox, ana, address):
    response = client.post(reverse("portal:start"), {"email": address})
    known = client.post(reverse("portal:start"), {"email": "ana@x.es"})
    if address and len(address) <= 320:  # an empty or oversized form is shown again
        assert response.content == known.content
    assert len(inbox.messages) == 1


def test_links_are_limited_per_address(client, inbox, ana):
    for _ in range(8):
        client.post(reverse("portal:start"), {"email": "ana@x.es"})
    assert len(inbox.messages) == 5


def test_forged_links_sign_nobody_in(client, ana):
    for path in ["/portal/in/x/", f"/portal/in/{'a' * 43}/", "/portal/in/..%2F..%2Fadmin/"]:
        assert client.post(path).status_code in (404, 410)
    assert client.get(reverse("portal:cases"))["Location"] == reverse("portal:start")


def test_customers_see_their_own_cases_without_internal_notes(client, inbox, agent, ana):
    jordi = contact_services.create_contact(actor=agent, first_name="Jordi", emails=["j@x.es"])
    mine = cases.create_case(actor=agent, subject="Lamp", description="Broken", contact=ana)
    cases.add_note(mine, "She is a difficult customer.", actor=agent)
    cases.reply_to_case(mine, "We are on it.", actor=agent)
    comments.add_comment(mine, actor=agent, body="Ask @ventas about a discount")
    comments.add_comment(
        mine, actor=agent, body="A new lamp leaves **today**", visibility="customer"
    )
    theirs = cases.create_case(actor=agent, subject="Jordi's", description="x", contact=jordi)
    sign_in(client, inbox)

    listed = client.get(reverse("portal:cases")).content.decode()
    assert "Lamp" in listed and "Jordi" not in listed
    page = client.get(reverse("portal:case", args=[mine.pk])).content.decode()
    assert "We are on it." in page and "difficult customer" not in page
    assert "<strong>today</strong>" in page and "discount" not in page  # comments too
    assert client.get(reverse("portal:case", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:case", args=[theirs.pk]), {"body": "hi"}).status_code == 404
    assert theirs.messages.count() == 1


def test_answering_reopens_and_opening_a_case_comes_from_the_portal(client, inbox, agent, ana):
    case = cases.create_case(actor=agent, subject="Lamp", description="Broken", contact=ana)
    cases.reply_to_case(case, "Try a new bulb.", actor=agent)
    sign_in(client, inbox)

    client.post(reverse("portal:case", args=[case.pk]), {"body": "<b>Still broken</b>"})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.messages.last().kind == MessageKind.CUSTOMER
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "&lt;b&gt;Still broken&lt;/b&gt;" in page

    client.post(reverse("portal:case_new"), {"subject": "Invoice", "description": "Wrong VAT"})
    new = Case.objects.get(subject="Invoice")
    assert (new.contact, new.channel) == (ana, CaseChannel.PORTAL)


def test_oversized_or_empty_input_is_refused(client, inbox, ana):
    sign_in(client, inbox)
    assert (
        client.post(reverse("portal:case_new"), {"subject": "", "description": "x"}).status_code
        == 400
    )
    response = client.post(
        reverse("portal:case_new"), {"subject": "Big", "description": "x" * 20_001}
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
