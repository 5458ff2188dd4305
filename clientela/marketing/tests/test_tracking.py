"""Signed links in campaign e-mail: tokens cannot be forged, links are tagged and tracked, and
the open pixel, click redirect, unsubscribe (page and RFC 8058 one-click) and preference
centre record what they should — once — and nothing for a link we did not make."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.urls import reverse

from clientela.contacts.models import ConsentRecord, Contact
from clientela.marketing import tracking
from clientela.marketing.choices import EngagementKind
from clientela.marketing.models import CampaignEvent, CampaignRecipient
from clientela.marketing.services import campaigns

from .conftest import BASE_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipient(campaign, make_contact):
    make_contact("ana@example.com", language="ca")
    campaigns.write_recipients(campaign, Contact.objects.all())
    return CampaignRecipient.objects.get()


def _path(url):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _events(kind):
    return list(CampaignEvent.objects.filter(kind=kind).values_list("recipient_id", "url"))


# --- tokens and links ---------------------------------------------------------------------------


def test_a_token_is_only_good_for_its_recipient_purpose_and_destination():
    good = tracking.token(tracking.CLICK, 42, "https://botiga.cat/")
    assert tracking.read_token(tracking.CLICK, good, "https://botiga.cat/") == 42
    number, _, signature = good.partition(".")
    assert tracking.read_token(tracking.CLICK, good, "https://evil.example/") is None
    assert tracking.read_token(tracking.OPEN, good, "https://botiga.cat/") is None
    assert tracking.read_token(tracking.CLICK, f"43.{signature}", "https://botiga.cat/") is None
    assert (
        tracking.read_token(tracking.CLICK, f"{number}.{'0' * 32}", "https://botiga.cat/") is None
    )
    for junk in ("", ".", "42", "x.y", "-1.abc", "9" * 40 + ".abc", "42." + "a" * 5000):
        assert tracking.read_token(tracking.CLICK, junk, "https://botiga.cat/") is None


def test_instrument_tags_and_tracks_web_links_only(campaign):
    html = (
        "<html><body>"
        '<p><a href="https://botiga.cat/ofertes?a=1&amp;b=2">Ofertes</a></p>'
        '<p><a href="https://botiga.cat/?utm_source=instagram">Ja etiquetat</a></p>'
        '<p><a href="mailto:hola@botiga.cat">Escriu-nos</a></p>'
        f'<p><a href="{BASE_URL}/m/u/7.abc/">Baixa</a></p>'
        "</body></html>"
    )
    out = tracking.instrument(html, campaign, 7)

    hrefs = [part.split('"')[0] for part in out.split('href="')[1:]]
    first = urlsplit(hrefs[0].replace("&amp;", "&"))
    assert first.path == reverse("track:click", args=[first.path.split("/")[3]])
    destination = parse_qs(first.query)["u"][0]
    assert destination == (
        "https://botiga.cat/ofertes?a=1&b=2&utm_source=clientela&utm_medium=email"
        "&utm_campaign=newsletter-de-tardor"
    )
    assert tracking.read_token(tracking.CLICK, first.path.split("/")[3], destination) == 7
    assert parse_qs(urlsplit(hrefs[1].replace("&amp;", "&")).query)["u"] == [
        "https://botiga.cat/?utm_source=instagram"
    ]
    assert hrefs[2:] == ["mailto:hola@botiga.cat", f"{BASE_URL}/m/u/7.abc/"]
    pixel = tracking.link(tracking.OPEN, 7)
    assert out.endswith(
        f'<img src="{pixel}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px"></body></html>'
    )


def test_instrument_leaves_links_alone_when_the_campaign_says_so(campaign):
    campaign.track_clicks = campaign.track_opens = campaign.utm_tagging = False
    html = '<p><a href="https://botiga.cat/">Botiga</a></p>'
    assert tracking.instrument(html, campaign, 7) == html


# --- the public links ---------------------------------------------------------------------------


def test_the_open_pixel_records_an_open_and_answers_the_same_to_anyone(client, recipient):
    response = client.get(_path(tracking.link(tracking.OPEN, recipient.pk)))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    forged = client.get(reverse("track:open", args=[f"{recipient.pk}.{'f' * 32}"]))
    assert (forged.status_code, forged.content) == (200, response.content)

    assert _events(EngagementKind.OPEN) == [(recipient.pk, "")]
    recipient.refresh_from_db()
    assert recipient.opened_at is not None


def test_opens_are_capped_per_hour(client, recipient):
    path = _path(tracking.link(tracking.OPEN, recipient.pk))
    for _ in range(25):
        client.get(path)
    assert len(_events(EngagementKind.OPEN)) == 20


def test_a_click_redirects_to_the_written_address_and_counts_as_an_open(client, recipient):
    url = "https://botiga.cat/ofertes?x=1&y=dos"
    response = client.get(_path(tracking.click_link(recipient.pk, url)))
    assert (response.status_code, response["Location"]) == (302, url)
    assert _events(EngagementKind.CLICK) == [(recipient.pk, url)]
    assert _events(EngagementKind.OPEN) == [(recipient.pk, "")]


@pytest.mark.parametrize(
    "destination",
    ["https://evil.example/", "javascript:alert(1)", "https://botiga.cat/ofertes?x=1", ""],
)
def test_a_click_link_cannot_be_pointed_elsewhere(client, recipient, destination):
    good = tracking.token(tracking.CLICK, recipient.pk, "https://botiga.cat/ofertes")
    path = reverse("track:click", args=[good]) + "?u=" + quote(destination, safe="")
    assert client.get(path).status_code == 404
    assert not CampaignEvent.objects.exists()


def test_an_oversized_click_link_is_refused(client, recipient):
    url = "https://botiga.cat/?" + "a" * 5000
    token = tracking.token(tracking.CLICK, recipient.pk, url)
    path = reverse("track:click", args=[token]) + "?u=" + quote(url, safe="")
    assert client.get(path).status_code == 404


def test_unsubscribe_page_asks_before_doing_anything(client, recipient):
    response = client.get(_path(tracking.link(tracking.UNSUBSCRIBE, recipient.pk)))
    assert response.status_code == 200
    assert response["Content-Language"] == "ca"  # the contact's language
    assert "Vols deixar de rebre" in response.content.decode()
    assert recipient.contact.consent_status == "granted"
    assert not CampaignEvent.objects.exists()


def test_one_click_unsubscribe_withdraws_consent_once(client, recipient):
    path = _path(tracking.link(tracking.UNSUBSCRIBE, recipient.pk))
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert (response.status_code, response.content) == (200, b"Unsubscribed.\n")
    contact = Contact.objects.get(pk=recipient.contact_id)
    assert contact.consent_status == "withdrawn"
    record = ConsentRecord.objects.filter(contact=contact).latest("id")
    assert (record.action, record.source, record.purpose) == (
        "withdraw",
        "withdrawal_link",
        "marketing_email",
    )
    # A second click (the page's button, a retry by the provider) changes nothing more.
    client.post(path)
    assert ConsentRecord.objects.filter(contact=contact, action="withdraw").count() == 1
    assert len(_events(EngagementKind.UNSUBSCRIBE)) == 1
    recipient.refresh_from_db()
    assert recipient.unsubscribed_at is not None


def test_unsubscribe_with_a_forged_link_changes_nothing(client, recipient):
    response = client.post(reverse("track:unsubscribe", args=[f"{recipient.pk}.{'0' * 32}"]))
    assert response.status_code == 404
    assert Contact.objects.get(pk=recipient.contact_id).consent_status == "granted"


def test_preference_centre_changes_consent_and_language(client, recipient):
    path = _path(tracking.link(tracking.PREFERENCES, recipient.pk))
    assert client.get(path).status_code == 200

    response = client.post(path, {"language": "es"})  # unticked: no more marketing e-mail
    assert response.status_code == 200
    contact = Contact.objects.get(pk=recipient.contact_id)
    assert (contact.consent_status, contact.language) == ("withdrawn", "es")
    assert response["Content-Language"] == "es"

    client.post(path, {"language": "es", "marketing_email": "on"})
    contact.refresh_from_db()
    assert contact.consent_status == "granted"
    sources = list(
        ConsentRecord.objects.filter(contact=contact).order_by("id").values_list("source", "action")
    )
    assert sources[-2:] == [("preference_centre", "withdraw"), ("preference_centre", "grant")]


@pytest.mark.parametrize("language", ["", "fr", "<script>", "e" * 5000])
def test_preference_centre_refuses_a_language_we_do_not_write_in(client, recipient, language):
    path = _path(tracking.link(tracking.PREFERENCES, recipient.pk))
    response = client.post(path, {"language": language})
    assert response.status_code == 400
    contact = Contact.objects.get(pk=recipient.contact_id)
    assert (contact.consent_status, contact.language) == ("granted", "ca")
