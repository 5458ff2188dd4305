"""Feeds: what happened to a person's records and to their team's, as far as they may see."""

import pytest
from django.urls import reverse

from clientela.activities import services as activity_services
from clientela.collaboration.choices import FeedVerb
from clientela.collaboration.models import Comment, FeedEntry, FollowedEntry
from clientela.collaboration.services import comments, feed, follows
from clientela.contacts import services as contact_services
from clientela.contacts.privacy import erasure
from clientela.core import records

pytestmark = pytest.mark.django_db


def said(page):
    return [(e.verb, e.title, e.actor_id) for e in page.entries]


def test_changes_activities_and_comments_reach_the_owners_feed(
    make_user, admin_user, agent, owner, customer
):
    customer = contact_services.update_contact(
        customer, actor=agent, job_title="CEO", first_name="Nuri"
    )
    activity_services.log_activity(
        actor=agent, kind="call", subject="Wants an upgrade", contact=customer
    )
    comments.add_comment(customer, actor=agent, body="They will sign on Monday")

    page = feed.my_feed(owner)

    assert said(page) == [
        (FeedVerb.COMMENT, "Nuri Puig", agent.pk),
        (FeedVerb.ACTIVITY, "Nuri Puig", agent.pk),
        (FeedVerb.UPDATED, "Nuri Puig", agent.pk),
        (FeedVerb.CREATED, "Núria Puig", admin_user.pk),
    ]
    comment, call, update, _created = page.entries
    assert comment.detail == "They will sign on Monday"
    assert "Wants an upgrade" in call.detail
    assert update.changed_fields == ["first name", "job title"]
    assert len(feed.my_feed(agent).entries) == 1  # who comments follows from then on
    assert feed.my_feed(make_user("manager", username="marta")).entries == []


def test_followed_records_are_in_the_feed_while_in_scope(make_user, admin_user, owner, customer):
    other = contact_services.create_contact(actor=admin_user, first_name="Pau", owner=None)
    reader = make_user("manager", username="marta")
    follows.follow(other, user=reader)
    contact_services.update_contact(other, actor=admin_user, job_title="CFO")

    assert said(feed.my_feed(reader)) == [
        (FeedVerb.UPDATED, "Pau", admin_user.pk),
        (FeedVerb.CREATED, "Pau", admin_user.pk),
    ]

    limited = make_user("sales", username="pablo", scope="own")
    follows.follow_all(other, [limited], reason="manual")  # as if it had been theirs
    assert FollowedEntry.objects.filter(user=limited).count() == 2
    assert feed.my_feed(limited).entries == []  # a follow outlives access; the feed does not

    follows.unfollow(other, user=reader)
    assert feed.my_feed(reader).entries == []


def test_the_team_feed_is_for_its_members(make_user, admin_user, sales, owner, customer):
    contact_services.update_contact(customer, actor=admin_user, job_title="CEO")
    mate = make_user("sales", username="lucia", teams=[sales], scope="team")
    outsider = make_user("sales", username="pablo", scope="all")
    stranger = make_user("sales", username="pere", scope="team")

    assert [e.verb for e in feed.team_feed(mate, sales).entries] == ["updated", "created"]
    assert len(feed.team_feed(outsider, sales).entries) == 2  # sees every record
    assert feed.team_feed(stranger, sales).entries == []


def test_trash_and_restore_are_told_and_a_purge_takes_the_entries(admin_user, owner, customer):
    records.soft_delete([customer], actor=admin_user)
    records.restore([customer], actor=admin_user)
    assert [e.verb for e in feed.my_feed(owner).entries] == [
        FeedVerb.RESTORED,
        FeedVerb.TRASHED,
        FeedVerb.CREATED,
    ]

    records.soft_delete([customer], actor=admin_user)
    contact_services.purge_records([customer], actor=admin_user)
    assert feed.my_feed(owner).entries == []
    assert not FeedEntry.objects.exists()


def test_an_erased_person_leaves_no_name_in_the_feed(admin_user, owner, customer):
    comments.add_comment(customer, actor=admin_user, body="Núria called about her invoice")
    erasure.anonymise_contact(customer, actor=admin_user)

    texts = list(FeedEntry.objects.values_list("title", "detail"))
    assert texts and not any("Núria" in title or "Núria" in detail for title, detail in texts)
    assert not Comment.objects.exists()


def test_a_person_purged_for_privacy_takes_their_comments_and_entries(admin_user, customer):
    comments.add_comment(customer, actor=admin_user, body="Núria called about her invoice")
    erasure.purge_contact(customer, actor=admin_user)

    assert not Comment.objects.exists()
    assert not FeedEntry.objects.exists()


def test_filters_and_pages(admin_user, owner, customer, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 3)
    for n in range(5):
        contact_services.update_contact(customer, actor=admin_user, job_title=f"Job {n}")
    deal_free = feed.Filters(kinds=("sales.deal",))
    assert feed.my_feed(owner, deal_free).entries == []

    first = feed.my_feed(owner, feed.Filters(verbs=(FeedVerb.UPDATED,)))
    second = feed.my_feed(owner, feed.Filters(verbs=(FeedVerb.UPDATED,), before=first.next_before))

    assert [e.verb for e in first.entries + second.entries] == [FeedVerb.UPDATED] * 5
    assert second.next_before is None
    ids = [e.pk for e in first.entries + second.entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5


def test_the_feed_page_shows_entries_and_ignores_bad_filters(client, admin_user, owner, customer):
    contact_services.update_contact(customer, actor=admin_user, job_title="CEO")
    client.force_login(owner)
    url = reverse("collaboration:feed")

    page = client.get(url)
    assert page.status_code == 200
    assert "job title" in page.content.decode()
    assert 'href="/contacts/' in page.content.decode()

    hostile = {
        "kind": ["auth.user", "<script>", "contacts.contact"],
        "verb": ["x" * 5000, "updated"],
        "before": "-1; DROP TABLE",
        "team": "999999",
    }
    page = client.get(url, hostile)
    assert page.status_code == 200
    assert "<script>" not in page.content.decode()
    assert page.content.decode().count('class="card feed-entry"') == 1
    for cursor in ("9" * 40, "٣", "0x10", ""):
        assert client.get(url, {"before": cursor}).status_code == 200


def test_the_team_filter_offers_only_ones_own_teams(client, make_team, owner, sales):
    make_team("Suport", handle="suport")
    client.force_login(owner)
    page = client.get(reverse("collaboration:feed")).content.decode()
    assert "Ventas" in page and "Suport" not in page
