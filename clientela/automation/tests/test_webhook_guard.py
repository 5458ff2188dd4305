"""Where a webhook may point: refused when saved and again when sent if the host leads to a
loopback, private, link-local, multicast, reserved or unspecified address (IPv4, IPv6, IPv4 in
IPv6), unless allowed; only http(s), no credentials, bounded length."""

import pytest
from django.core.exceptions import ValidationError

from clientela.automation import services
from clientela.automation.models import OutgoingWebhook, WebhookDelivery
from clientela.automation.outgoing import guard
from clientela.automation.services import deliveries

pytestmark = pytest.mark.django_db
PUBLIC = "151.101.1.1"


def create(actor, url):
    return services.create_webhook(actor=actor, name="Shop", url=url, events=["contact.created"])


def url_error(actor, url):
    with pytest.raises(ValidationError) as caught:
        create(actor, url)
    assert OutgoingWebhook.objects.count() == 0
    return caught.value.message_dict["url"]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1"),
        ("http://127.1.2.3:8080/hook", "127.1.2.3"),
        ("http://[::1]/hook", "::1"),
        ("http://10.0.0.5/hook", "10.0.0.5"),
        ("http://192.168.1.10/hook", "192.168.1.10"),
        ("http://172.16.0.1/hook", "172.16.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
        ("http://[::ffff:a9fe:a9fe]/hook", "::ffff:a9fe:a9fe"),
        ("http://[fd00::1]/hook", "fd00::1"),
        ("http://[fe80::1]/hook", "fe80::1"),
        ("http://0.0.0.0/hook", "0.0.0.0"),  # noqa: S104 (an address refused here)
        ("http://224.0.0.1/hook", "224.0.0.1"),
        ("http://100.64.0.1/hook", "100.64.0.1"),
        ("http://240.0.0.1/hook", "240.0.0.1"),
    ],
)
def test_private_and_local_addresses_are_refused(admin_user, url, address):
    host = guard.parse(url)[1]
    assert url_error(admin_user, url) == [
        f"“{host}” leads to a private or local address ({address}): refused. An administrator "
        "may allow it with CLIENTELA_WEBHOOK_ALLOW_PRIVATE."
    ]


def test_a_name_resolving_to_loopback_is_refused(admin_user):
    [message] = url_error(admin_user, "http://localhost:8000/hook")
    assert message.startswith("“localhost” leads to a private or local address (")


def test_an_address_written_as_one_number_is_judged_by_what_it_resolves_to(admin_user):
    [message] = url_error(admin_user, "http://2130706433/hook")  # 127.0.0.1
    assert "(127.0.0.1)" in message


def test_a_name_with_one_private_address_among_public_ones_is_refused(admin_user, resolver):
    resolver["shop.example"] = [PUBLIC, "10.0.0.1"]
    [message] = url_error(admin_user, "https://shop.example/hook")
    assert "(10.0.0.1)" in message


def test_a_public_address_is_accepted(admin_user, resolver):
    resolver["shop.example"] = [PUBLIC, "2a04:4e42::1"]
    webhook = create(admin_user, "https://shop.example/hooks/crm?key=1")
    assert webhook.url == "https://shop.example/hooks/crm?key=1"


def test_an_international_host_name_is_checked_in_its_ascii_form(admin_user, resolver):
    resolver["xn--botiga-lleid-99a.example"] = [PUBLIC]
    assert create(admin_user, "https://botiga-lleidà.example/h").pk is not None


def test_private_addresses_may_be_allowed(admin_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert create(admin_user, "http://127.0.0.1:9000/hook").pk is not None


def test_a_name_that_does_not_resolve_is_refused(admin_user, resolver):
    assert url_error(admin_user, "https://nowhere.example/hook") == [
        "The host name “nowhere.example” does not resolve."
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address to send to."),
        ("   ", "Enter the address to send to."),
        ("ftp://shop.example/", "Use an address starting with https:// (or http://)."),
        ("javascript:alert(1)", "Use an address starting with https:// (or http://)."),
        ("file:///etc/passwd", "Use an address starting with https:// (or http://)."),
        ("shop.example/hook", "Use an address starting with https:// (or http://)."),
        (
            "https://user:secret@shop.example/",
            "Put no user name or password in the address: sign with the secret.",
        ),
        (
            "https://:@shop.example/",
            "Put no user name or password in the address: sign with the secret.",
        ),
        ("https:///hook", "The address has no host name."),
        ("https://shop.example:99999/", "This is not a valid address."),
        ("https://shop.example:0/", "This is not a valid address."),
        ("https://shop.example:port/", "This is not a valid address."),
        ("https://[::1/", "This is not a valid address."),
        ("https://sh op.example/", "The address may not contain spaces or control characters."),
        ("https://shop.example/\x00", "The address may not contain spaces or control characters."),
        ("https://shop.example/a\nb", "The address may not contain spaces or control characters."),
        ("https://" + "a" * 300 + ".example/", "The host name is not valid."),
        (
            "https://shop.example/" + "a" * 2000,
            "The address is too long (at most 2000 characters).",
        ),
    ],
)
def test_hostile_and_malformed_addresses_get_a_clear_error(admin_user, resolver, url, message):
    resolver["shop.example"] = [PUBLIC]
    assert url_error(admin_user, url) == [message]


def test_the_address_is_checked_again_when_sending(
    admin_user, resolver, django_capture_on_commit_callbacks
):
    """DNS rebinding: the name resolved to a public address when saved, to loopback later."""
    resolver["shop.example"] = [PUBLIC]
    webhook = create(admin_user, "http://shop.example/hook")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(webhook, actor=admin_user)
    resolver["shop.example"] = ["127.0.0.1"]

    assert deliveries.deliver(delivery.pk) == "failed"
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_status is None
    assert delivery.last_error == (
        "“shop.example” leads to a private or local address (127.0.0.1): refused. An "
        "administrator may allow it with CLIENTELA_WEBHOOK_ALLOW_PRIVATE."
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        (PUBLIC, True),
        ("2a04:4e42::1", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:151.101.1.1", True),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("ff02::1", False),
        ("192.0.2.1", False),  # documentation
        ("not an address", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert guard.is_public(address) is public
