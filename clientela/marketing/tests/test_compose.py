"""A campaign's message as the recipient gets it: their language and values, signed links,
tracked and tagged web links, the open pixel, one-click unsubscribe headers."""

from urllib.parse import parse_qs, urlsplit

import pytest

from clientela.contacts.models import Contact
from clientela.marketing import tracking
from clientela.marketing.models import Campaign, CampaignRecipient
from clientela.marketing.sending import engine
from clientela.marketing.services import campaigns, templates

from .conftest import BASE_URL

pytestmark = pytest.mark.django_db

BODY_CA = (
    "Hola {{ contact.first_name }}!\n\n[Ofertes](https://botiga.cat/ofertes)\n\n"
    "[Baixa]({{ unsubscribe_url }})"
)
BODY_ES = "¡Hola {{ contact.first_name }}!\n\n[Ofertas](https://botiga.cat/ofertas)"


@pytest.fixture
def newsletter(admin_user):
    return templates.create_email_template(
        actor=admin_user,
        name="Butlletí",
        default_language="ca",
        variants=[
            {"language": "ca", "subject": "Novetats, {{ contact.first_name }}", "body": BODY_CA},
            {"language": "es", "subject": "Novedades, {{ contact.first_name }}", "body": BODY_ES},
        ],
    )


def test_each_recipient_gets_their_language_values_and_signed_links(
    admin_user, newsletter, make_contact, smtp_peer
):
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="Tardor",
        from_name="Botiga",
        from_email="news@botiga.cat",
        template=newsletter,
    )
    make_contact("anna@example.com", first_name="Anna", language="ca")
    make_contact("lucia@example.com", first_name="<b>Lucía</b>", language="es")
    make_contact("john@example.com", first_name="John", language="en")  # no English: Catalan
    campaigns.write_recipients(campaign, Contact.objects.all())
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")

    assert engine.run_sender(campaign.pk)["sent"] == 3

    got = {to[0]: message for to, message in smtp_peer.messages}
    rows = {row.email: row for row in CampaignRecipient.objects.all()}
    anna, lucia = got["anna@example.com"], got["lucia@example.com"]
    assert anna["Subject"] == "Novetats, Anna"
    assert lucia["Subject"] == "Novedades, <b>Lucía</b>"
    assert got["john@example.com"]["Subject"] == "Novetats, John"
    assert anna["From"] == "Botiga <news@botiga.cat>"

    row = rows["anna@example.com"]
    assert anna["Message-ID"] == row.message_id
    assert tracking.recipient_of_message_id(row.message_id) == row.pk
    unsubscribe = tracking.link(tracking.UNSUBSCRIBE, row.pk)
    assert anna["List-Unsubscribe"].strip() == f"<{unsubscribe}>"  # a long header is folded
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    text = anna.get_body(("plain",)).get_content()
    html = anna.get_body(("html",)).get_content()
    assert "Hola Anna!" in text
    assert unsubscribe in html  # the body's own unsubscribe link, not tracked
    assert tracking.link(tracking.OPEN, row.pk) in html
    click = next(part for part in html.split('"') if "/m/c/" in part).replace("&amp;", "&")
    parts = urlsplit(click)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    destination = parse_qs(parts.query)["u"][0]
    assert destination == (
        "https://botiga.cat/ofertes?utm_source=clientela&utm_medium=email&utm_campaign=tardor"
    )
    assert tracking.read_token(tracking.CLICK, parts.path.split("/")[3], destination) == row.pk
    lucia_html = lucia.get_body(("html",)).get_content()
    assert "&lt;b&gt;Lucía&lt;/b&gt;" in lucia_html and "<b>Lucía" not in lucia_html


def test_the_web_version_shows_the_message_and_counts_an_open(
    client, admin_user, newsletter, make_contact
):
    campaign = campaigns.create_campaign(actor=admin_user, name="Tardor", template=newsletter)
    make_contact("anna@example.com", first_name="Anna", language="ca")
    campaigns.write_recipients(campaign, Contact.objects.all())
    row = CampaignRecipient.objects.get()

    response = client.get(tracking.link(tracking.WEB_VERSION, row.pk).removeprefix(BASE_URL))

    assert response.status_code == 200
    assert "Hola Anna!" in response.content.decode()
    assert "default-src 'none'" in response["Content-Security-Policy"]
    row.refresh_from_db()
    assert row.opened_at is not None
    forged = client.get(f"/m/v/{row.pk}.{'0' * 32}/")
    assert forged.status_code == 404
