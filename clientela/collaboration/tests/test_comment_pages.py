"""The comments of a record's page: shown escaped and sanitised, written from the page, bad input
shown again with its text kept, records one may not see answered as if they did not exist."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from clientela.collaboration.models import Comment, Notification
from clientela.collaboration.services import comments, follows
from clientela.contacts.models import Contact

pytestmark = pytest.mark.django_db


def add_url(record):
    content_type = ContentType.objects.get_for_model(type(record))
    return reverse("collaboration:comment_add", args=[content_type.pk, record.pk])


def test_a_comment_written_on_the_page_mentions_the_team(client, agent, owner, customer):
    client.force_login(agent)

    response = client.post(
        add_url(customer), {"body": "@ventas they want **the upgrade**", "visibility": "internal"}
    )

    [comment] = Comment.objects.all()
    page = reverse("contacts:contact_detail", args=[customer.pk])
    assert response["Location"] == f"{page}#comment-{comment.pk}"
    assert Notification.objects.filter(recipient=owner, kind="mention").count() == 1
    html = client.get(page).content.decode()
    assert 'id="comments-heading"' in html
    assert "<strong>the upgrade</strong>" in html


def test_hostile_text_is_shown_harmless(client, agent, customer):
    comments.add_comment(customer, actor=agent, body='<script>alert("x")</script><b onclick=x>')
    client.force_login(agent)

    html = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()

    shown = html.split('id="comments-heading"')[1]
    assert "<script>" not in shown
    assert "<b onclick" not in shown
    assert "&lt;script&gt;" in shown  # as text


@pytest.mark.parametrize(
    ("data", "message"),
    [({"body": "   "}, "Write a comment."),
     ({"body": "x" * 10_001}, "A comment has at most 10000 characters."),
     ({"body": "Hola", "visibility": "everyone"}, "Unknown visibility.")],
)  # fmt: skip
def test_a_rejected_comment_comes_back_with_its_text(client, agent, customer, data, message):
    client.force_login(agent)

    response = client.post(add_url(customer), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert data["body"].strip()[:50] in html
    assert not Comment.objects.exists()


def test_records_one_may_not_see_are_not_found(client, make_user, customer):
    stranger = make_user("sales", username="pau", scope="own")
    client.force_login(stranger)

    assert client.post(add_url(customer), {"body": "Hola"}).status_code == 404
    assert client.get(add_url(customer)).status_code == 405
    assert not Comment.objects.exists()


def test_only_commentable_kinds_and_live_records(client, agent, customer, admin_user):
    client.force_login(agent)
    user_type = ContentType.objects.get_for_model(type(admin_user))
    url = reverse("collaboration:comment_add", args=[user_type.pk, admin_user.pk])
    assert client.post(url, {"body": "Hola"}).status_code == 404
    assert (
        client.post(reverse("collaboration:comment_add", args=[999_999, 1]), {}).status_code == 404
    )
    Contact.all_objects.filter(pk=customer.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert client.post(add_url(customer), {"body": "Hola"}).status_code == 404


def test_deal_and_case_pages_carry_comments(client, admin_user, customer):
    from clientela.support.services import cases

    case = cases.create_case(actor=admin_user, subject="No funciona", contact=customer)
    client.force_login(admin_user)
    comments.add_comment(case, actor=admin_user, body="Mirat amb vendes")

    html = client.get(reverse("support:case_detail", args=[case.pk])).content.decode()

    assert "Mirat amb vendes" in html
    assert add_url(case) in html


def test_purchase_and_campaign_pages_carry_comments(client, admin_user, customer):
    from django.utils import timezone

    from clientela.marketing.services import campaigns
    from clientela.sales.services import purchases

    purchase, _created = purchases.record_purchase(
        actor=admin_user, contact=customer, total_amount="10.00", purchased_at=timezone.now()
    )
    campaign = campaigns.create_campaign(actor=admin_user, name="Black Friday")
    client.force_login(admin_user)
    for record, page in (
        (purchase, reverse("sales:purchase_detail", args=[purchase.pk])),
        (campaign, reverse("marketing:campaign_detail", args=[campaign.pk])),
    ):
        posted = client.post(add_url(record), {"body": f"Noted on {record}"})
        assert posted.status_code == 302 and posted["Location"].startswith(page)
        assert f"Noted on {record}" in client.get(page).content.decode()


def test_follow_and_stop_following_from_the_page(client, agent, customer, owner):
    content_type = ContentType.objects.get_for_model(Contact)
    url = reverse("collaboration:follow", args=[content_type.pk, customer.pk])
    page = reverse("contacts:contact_detail", args=[customer.pk])
    client.force_login(agent)
    assert ">Follow</button>" in client.get(page).content.decode()

    assert client.post(url, {"follow": "on"})["Location"] == f"{page}#comments"
    assert follows.is_following(customer, agent)
    assert ">Stop following</button>" in client.get(page).content.decode()
    client.post(url, {"follow": "off"})
    assert not follows.is_following(customer, agent)

    client.force_login(owner)
    assert "You follow it as its owner." in client.get(page).content.decode()


def test_nobody_follows_what_they_may_not_see(client, make_user, customer):
    content_type = ContentType.objects.get_for_model(Contact)
    client.force_login(make_user("sales", username="pau", scope="own"))

    url = reverse("collaboration:follow", args=[content_type.pk, customer.pk])

    assert client.post(url, {"follow": "on"}).status_code == 404


def test_mention_suggestions_for_the_autocomplete(client, agent, owner, sales):
    client.force_login(agent)
    url = reverse("collaboration:mention_suggestions")

    found = client.get(url, {"q": "j"}).json()["results"]
    assert {"handle": "jordi.ferrer", "name": str(owner), "kind": "user"} in found
    assert client.get(url, {"q": "VEN"}).json()["results"][0] == {
        "handle": "ventas",
        "name": "Ventas",
        "kind": "team",
    }
    for hostile in ("", "@", "' OR 1=1 --", "<script>", "x" * 5000, "%", "_"):
        assert client.get(url, {"q": hostile}).json() == {"results": []}
    client.logout()
    assert client.get(url, {"q": "j"}).status_code == 302
