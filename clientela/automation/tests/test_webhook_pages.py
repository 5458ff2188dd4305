"""Outgoing webhook pages: create with grouped event checkboxes (the secret shown once), edit,
the detail with its delivery log, the actions, one delivery's request and response; bad input
refused whole; administrators and managers only."""

import pytest
from django.urls import reverse

from clientela.automation import services
from clientela.automation.models import OutgoingWebhook, WebhookDelivery

pytestmark = pytest.mark.django_db
GOOD = {"name": "Shop", "url": "https://shop.example/hooks", "events": ["contact.created"]}


@pytest.fixture(autouse=True)
def _public_shop(resolver):
    resolver["shop.example"] = ["151.101.1.1"]


@pytest.fixture
def hook(admin_user):
    return services.create_webhook(actor=admin_user, **GOOD)


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def detail(hook):
    return reverse("automation:webhook_detail", args=[hook.pk])


def test_the_form_groups_the_events_by_record(signed_in):
    page = signed_in.get(reverse("automation:webhook_create")).content.decode()
    main = page.split("<main", 1)[1]

    assert 'value="contact.created"' in main and 'value="deal.won"' in main
    assert main.index("Contacts") < main.index('value="contact.created"') < main.index("Deals")
    assert main.index("Deals") < main.index('value="deal.won"')
    assert "<script" not in main


def test_creating_shows_the_secret_once(signed_in):
    response = signed_in.post(
        reverse("automation:webhook_create"),
        {
            "name": "Shop",
            "url": GOOD["url"],
            "events": ["contact.created", "deal.won"],
            "active": "on",
        },
    )

    webhook = OutgoingWebhook.objects.get()
    assert response.status_code == 302 and response.url == detail(webhook)
    assert (webhook.events, webhook.active) == (["contact.created", "deal.won"], True)
    first = signed_in.get(detail(webhook)).content.decode()
    assert webhook.secret in first
    assert "A deal was won" in first
    assert webhook.secret not in signed_in.get(detail(webhook)).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**GOOD, "url": "http://10.0.0.1/"}, "leads to a private or local address (10.0.0.1)"),
        ({**GOOD, "url": "https://user:pw@shop.example/"}, "Put no user name or password"),
        ({**GOOD, "url": "javascript:alert(1)"}, "Use an address starting with https://"),
        ({**GOOD, "events": []}, "Choose at least one event."),
        ({**GOOD, "events": ["contact.created", "<script>"]}, "Select a valid choice."),
        ({**GOOD, "name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({**GOOD, "url": "https://shop.example/" + "a" * 2000}, "at most 2000 characters"),
    ],
)
def test_bad_input_is_refused_with_its_message_and_nothing_saved(signed_in, data, message):
    response = signed_in.post(reverse("automation:webhook_create"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert OutgoingWebhook.objects.count() == 0


def test_editing_changes_what_it_listens_to(signed_in, hook):
    response = signed_in.post(
        reverse("automation:webhook_edit", args=[hook.pk]),
        {"name": "Botiga", "url": GOOD["url"], "events": ["case.created", "case.resolved"]},
    )

    hook.refresh_from_db()
    assert response.status_code == 302
    assert (hook.name, hook.events, hook.active, hook.version) == (
        "Botiga",
        ["case.created", "case.resolved"],
        False,
        2,
    )
    form = signed_in.get(reverse("automation:webhook_edit", args=[hook.pk])).content.decode()
    assert 'value="case.resolved" id="id_events_' in form and "checked" in form


def test_the_log_pages_and_filters_by_status(signed_in, hook, settings):
    made = [services.send_test_event(hook, actor=None) for _n in range(3)]
    WebhookDelivery.objects.filter(pk=made[1].pk).update(status="gave_up", attempts=8)

    page = signed_in.get(detail(hook)).content.decode()
    links = [reverse("automation:delivery_detail", args=[hook.pk, d.pk]) for d in made]
    assert page.index(links[2]) < page.index(links[1]) < page.index(links[0])
    given_up = signed_in.get(detail(hook), {"status": "gave_up"}).content.decode()
    assert links[1] in given_up and links[0] not in given_up and "Gave up" in given_up
    for query in ({"status": "nonsense"}, {"cursor": "%%%"}, {"cursor": "x" * 5000}):
        assert signed_in.get(detail(hook), query).status_code == 200


def test_the_log_moves_by_pages(signed_in, hook, monkeypatch):
    from clientela.automation import views_webhooks

    monkeypatch.setattr(views_webhooks, "LOG_PAGE", 2)
    made = [services.send_test_event(hook, actor=None) for _n in range(3)]
    first = signed_in.get(detail(hook))
    next_link = first.content.decode().split('rel="next" href="')[1].split('"')[0]
    second = signed_in.get(detail(hook) + next_link.replace("&amp;", "&")).content.decode()
    assert reverse("automation:delivery_detail", args=[hook.pk, made[0].pk]) in second


def test_reveal_rotate_test_and_delete(signed_in, hook):
    old = hook.secret
    signed_in.post(reverse("automation:webhook_secret", args=[hook.pk]))
    assert old in signed_in.get(detail(hook)).content.decode()

    signed_in.post(reverse("automation:webhook_secret", args=[hook.pk]), {"rotate": "1"})
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in signed_in.get(detail(hook)).content.decode()

    signed_in.post(reverse("automation:webhook_test", args=[hook.pk]))
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == ["ping"]

    delete = reverse("automation:webhook_delete", args=[hook.pk])
    assert "This cannot be undone." in signed_in.get(delete).content.decode()
    assert signed_in.post(delete).url == reverse("automation:webhook_list")
    assert OutgoingWebhook.objects.count() == WebhookDelivery.objects.count() == 0
    for name in ("webhook_secret", "webhook_test"):  # the actions take POST only
        assert signed_in.get(reverse(f"automation:{name}", args=[1])).status_code == 405


def test_a_delivery_shows_its_request_and_response_and_can_be_sent_again(signed_in, hook):
    delivery = services.send_test_event(hook, actor=None)
    WebhookDelivery.objects.update(
        status="failed", attempts=1, response_status=500, response_excerpt="<b>down</b>"
    )
    url = reverse("automation:delivery_detail", args=[hook.pk, delivery.pk])

    page = signed_in.get(url).content.decode()
    assert f"Clientela-Delivery: {delivery.event_id}" in page
    assert "Clientela-Event: ping" in page and "User-Agent: Clientela-Webhooks/1" in page
    assert '"message": "Clientela says hello' in page.replace("&quot;", '"')
    assert "&lt;b&gt;down&lt;/b&gt;" in page  # the receiver's answer, escaped
    response = signed_in.post(reverse("automation:delivery_redeliver", args=[hook.pk, delivery.pk]))
    assert response.url == url
    assert WebhookDelivery.objects.get().status == "pending"
    other = services.create_webhook(actor=None, **{**GOOD, "name": "Other"})
    assert (
        signed_in.get(
            reverse("automation:delivery_detail", args=[other.pk, delivery.pk])
        ).status_code
        == 404
    )


def test_only_administrators_and_managers_see_the_pages(client, make_user, hook):
    delivery = services.send_test_event(hook, actor=None)
    pages = [
        ("get", reverse("automation:webhook_list")),
        ("get", reverse("automation:webhook_create")),
        ("get", detail(hook)),
        ("get", reverse("automation:webhook_edit", args=[hook.pk])),
        ("get", reverse("automation:webhook_delete", args=[hook.pk])),
        ("post", reverse("automation:webhook_delete", args=[hook.pk])),
        ("post", reverse("automation:webhook_secret", args=[hook.pk])),
        ("post", reverse("automation:webhook_test", args=[hook.pk])),
        ("get", reverse("automation:delivery_detail", args=[hook.pk, delivery.pk])),
        ("post", reverse("automation:delivery_redeliver", args=[hook.pk, delivery.pk])),
    ]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 302  # to the sign-in page
    for role in ("marketing", "sales", "service", "read_only"):
        client.force_login(make_user(role))
        for method, url in pages:
            assert getattr(client, method)(url).status_code == 403, (role, url)
        assert reverse("automation:webhook_list") not in client.get("/contacts/").content.decode()
    client.force_login(make_user("manager"))
    assert client.get(reverse("automation:webhook_list")).status_code == 200
    # The menu's Automation section leads to its first page, whose second row lists webhooks.
    assert reverse("automation:rule_list") in client.get("/contacts/").content.decode()
    rules_page = client.get(reverse("automation:rule_list")).content.decode()
    assert reverse("automation:webhook_list") in rules_page
    assert OutgoingWebhook.objects.count() == WebhookDelivery.objects.count() == 1
