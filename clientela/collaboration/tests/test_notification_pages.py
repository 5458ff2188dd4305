"""The bell in every page's header and the notifications page: one's own only, opened and
marked read, in the reader's language, in a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils import translation

from clientela.collaboration.choices import NotificationKind
from clientela.collaboration.models import Notification
from clientela.collaboration.services import notifications
from clientela.contacts import services as contact_services

pytestmark = pytest.mark.django_db
PAGE = reverse("collaboration:notifications")


@pytest.fixture
def marta(make_user):
    return make_user("manager", username="marta", language="ca")


@pytest.fixture
def customer(admin_user):
    return contact_services.create_contact(actor=admin_user, first_name="Núria", last_name="Puig")


def notify(user, record, actor, n=1, text="Mira"):
    for _ in range(n):
        notifications.notify(
            [user.pk], kind=NotificationKind.MENTION, actor=actor, record=record, text=text
        )
    return Notification.objects.filter(recipient=user).order_by("-id").first()


def test_the_bell_counts_what_is_unread(client, marta, customer, admin_user):
    notify(marta, customer, admin_user, n=3)
    client.force_login(marta)

    html = client.get(reverse("contacts:contact_list")).content.decode()

    assert 'aria-label="Notificacions: 3 sense llegir"' in html  # marta reads Catalan
    assert f'href="{PAGE}"' in html


def test_the_page_lists_ones_own_and_opens_them(client, marta, customer, admin_user, make_user):
    mine = notify(marta, customer, admin_user, text="<b>Mira</b> això")
    other = notify(make_user("manager"), customer, admin_user)
    client.force_login(marta)

    with translation.override("ca"):
        html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ca").content.decode()

    assert "Núria Puig" in html
    assert "<h1>Notificacions</h1>" in html  # in the reader's language
    assert "&lt;b&gt;Mira&lt;/b&gt; això" in html
    assert reverse("collaboration:notification_open", args=[other.pk]) not in html
    opened = client.get(reverse("collaboration:notification_open", args=[mine.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("contacts:contact_detail", args=[customer.pk])
    assert notifications.unread_count(marta) == 0
    assert (
        client.get(reverse("collaboration:notification_open", args=[other.pk])).status_code == 404
    )
    other.refresh_from_db()
    assert other.read_at is None


def test_an_offsite_address_is_never_followed(client, marta, customer, admin_user):
    mine = notify(marta, customer, admin_user)
    Notification.objects.filter(pk=mine.pk).update(url="https://evil.example/")
    client.force_login(marta)

    opened = client.get(reverse("collaboration:notification_open", args=[mine.pk]))

    assert opened["Location"] == PAGE


def test_mark_all_read_takes_a_post(client, marta, customer, admin_user):
    notify(marta, customer, admin_user, n=2)
    client.force_login(marta)

    assert client.get(reverse("collaboration:notification_read_all")).status_code == 405
    response = client.post(reverse("collaboration:notification_read_all"))

    assert response.status_code == 302
    assert notifications.unread_count(marta) == 0


def test_pages_of_fifty_in_constant_queries(
    client, marta, customer, admin_user, django_assert_max_num_queries
):
    notify(marta, customer, admin_user, n=120)
    client.force_login(marta)
    client.get(PAGE)

    with django_assert_max_num_queries(12):
        first = client.get(PAGE)
    older = first.context["next_before"]
    second = client.get(PAGE, {"before": older})
    third = client.get(PAGE, {"before": second.context["next_before"]})

    assert [len(r.context["notifications"]) for r in (first, second, third)] == [50, 50, 20]
    assert third.context["next_before"] is None
    assert client.get(PAGE, {"before": "x' OR 1=1"}).status_code == 200
    assert client.get(PAGE, {"before": "9" * 40}).status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_settings_choose_how_each_kind_arrives(client, marta):
    url = reverse("collaboration:notification_settings")
    client.force_login(marta)
    assert 'name="mention"' in client.get(url).content.decode()

    response = client.post(url, {"mention": "email", "comment": "digest", "handoff": "off"})

    assert response.status_code == 302
    assert notifications.deliveries([marta.pk], "mention") == {marta.pk: "email"}
    assert notifications.deliveries([marta.pk], "comment") == {marta.pk: "digest"}
    assert notifications.deliveries([marta.pk], "handoff") == {marta.pk: "off"}
    assert notifications.deliveries([marta.pk], "assignment") == {marta.pk: "in_app"}


def test_settings_refuse_an_unknown_choice_and_keep_the_others(client, marta):
    url = reverse("collaboration:notification_settings")
    client.force_login(marta)

    response = client.post(url, {"mention": "pigeon", "comment": "digest"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="digest" selected' in html
    assert notifications.deliveries([marta.pk], "comment") == {marta.pk: "in_app"}  # unsaved
