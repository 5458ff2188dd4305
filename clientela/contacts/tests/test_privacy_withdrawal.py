"""The public withdrawal link: works once without signing in, in the person's language;
forged, altered, reused and stale links are refused; bursts are limited."""

import pytest
from django.core import signing
from django.urls import reverse

from clientela.contacts import services
from clientela.contacts.models import ConsentRecord
from clientela.contacts.privacy import consent, erasure, links

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def marta(admin_user):
    contact = services.create_contact(
        actor=admin_user, first_name="Marta", emails=["marta@example.com"], language="ca"
    )
    consent.record_consent(contact, actor=admin_user, source="ui")
    return contact


def url(token):
    return reverse("contacts:withdraw_consent", args=[token])


def withdrawals(contact):
    return ConsentRecord.objects.filter(contact=contact, action="withdraw").count()


def test_get_asks_and_post_withdraws_once_in_the_persons_language(client, marta):
    token = links.withdrawal_token(marta)

    asked = client.get(url(token), HTTP_ACCEPT_LANGUAGE="en")
    assert withdrawals(marta) == 0  # a mail scanner following the link changes nothing
    done = client.post(url(token), REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT="Thunderbird")

    assert (asked.status_code, done.status_code) == (200, 200)
    assert asked.headers["Content-Language"] == "ca"
    assert '<html lang="ca">' in asked.content.decode()
    record = ConsentRecord.objects.get(contact=marta, action="withdraw")
    assert (record.source, record.ip_address, record.user_agent, record.recorded_by) == (
        "withdrawal_link",
        "192.0.2.1",
        "Thunderbird",
        None,
    )
    marta.refresh_from_db()
    assert marta.consent_status == "withdrawn"


def test_a_used_link_is_refused(client, marta):
    token = links.withdrawal_token(marta)
    client.post(url(token))

    again = client.post(url(token))

    assert again.status_code == 400
    assert withdrawals(marta) == 1


def test_a_link_made_before_a_later_grant_is_refused(client, admin_user, marta):
    old = links.withdrawal_token(marta)
    consent.record_consent(marta, actor=admin_user, source="ui")

    assert client.post(url(old)).status_code == 400
    assert client.post(url(links.withdrawal_token(marta))).status_code == 200
    assert withdrawals(marta) == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, contact: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token, contact: signing.dumps(
            {"c": contact.pk, "p": "marketing_email", "r": 1}, salt="another-salt"
        ),
        lambda token, contact: signing.dumps(
            {"c": contact.pk, "p": "marketing_email", "r": 1}, key="not-the-secret", salt=links.SALT
        ),
        lambda token, contact: signing.dumps(
            {"c": contact.pk, "p": "nonsense", "r": 1}, salt=links.SALT
        ),
        lambda token, contact: signing.dumps({"c": "x"}, salt=links.SALT),
        lambda token, contact: "not-a-token",
        lambda token, contact: "x" * 5000,
    ],
)
def test_forged_or_altered_links_are_refused(client, marta, forge):
    token = forge(links.withdrawal_token(marta), marta)

    assert client.post(url(token)).status_code == 400
    assert client.get(url(token)).status_code == 400
    assert withdrawals(marta) == 0


def test_a_link_for_another_contact_cannot_be_made_by_editing_the_id(client, admin_user, marta):
    other = services.create_contact(actor=admin_user, first_name="Pau")
    value = signing.loads(links.withdrawal_token(marta), salt=links.SALT)
    value["c"] = other.pk
    _payload, _sep, signature = links.withdrawal_token(marta).rpartition(":")
    tampered = signing.dumps(value, salt=links.SALT, compress=True).rpartition(":")[0]

    assert client.post(url(f"{tampered}:{signature}")).status_code == 400
    assert ConsentRecord.objects.filter(contact=other).count() == 0


def test_a_link_of_an_anonymised_contact_is_refused(client, admin_user, marta):
    token = links.withdrawal_token(marta)
    erasure.anonymise_contact(marta, actor=admin_user)

    assert client.post(url(token)).status_code == 400


def test_bursts_are_rate_limited(client, marta):
    for _ in range(20):
        client.get(url("forged"), REMOTE_ADDR="203.0.113.50")

    limited = client.get(url(links.withdrawal_token(marta)), REMOTE_ADDR="203.0.113.50")
    other_sender = client.get(url(links.withdrawal_token(marta)), REMOTE_ADDR="203.0.113.51")

    assert (limited.status_code, other_sender.status_code) == (429, 200)
