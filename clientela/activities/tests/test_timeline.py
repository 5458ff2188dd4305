"""The timeline on contact, company and deal pages: order, pages, kind filter, scope, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientela.activities import services
from clientela.activities.models import Activity

from .conftest import at

pytestmark = pytest.mark.django_db


def _log(actor, n, **links):
    """``n`` notes, one a day back from yesterday; returns them newest first."""
    notes = [
        services.log_activity(
            actor=actor, kind="note", subject=f"Note {i:02d}", timeline_at=at(-1 - i), **links
        )
        for i in range(n)
    ]
    return notes


def _subjects(html):
    return re.findall(r'<p class="activity__title"><a href="[^"]+">([^<]+)</a>', html)


def test_the_contact_timeline_is_newest_first_in_pages_of_20(admin_client, admin_user, contact):
    _log(admin_user, 25, contact=contact)
    url = reverse("contacts:contact_detail", args=[contact.pk])

    first = admin_client.get(url)
    html = first.content.decode()
    assert _subjects(html) == [f"Note {i:02d}" for i in range(20)]
    older = re.search(r'href="(\?[^"]*timeline=[^"#]+)#timeline">Older', html).group(1)
    second = admin_client.get(url + older.replace("&amp;", "&")).content.decode()
    assert _subjects(second) == [f"Note {i:02d}" for i in range(20, 25)]
    assert "Older" not in second
    assert "Newer" in second


def test_same_moment_activities_are_ordered_by_id(admin_client, admin_user, contact):
    moment = at(-1)
    first = services.log_activity(
        actor=admin_user, kind="note", subject="First", contact=contact, timeline_at=moment
    )
    second = services.log_activity(
        actor=admin_user, kind="note", subject="Second", contact=contact, timeline_at=moment
    )
    assert first.pk < second.pk

    html = admin_client.get(reverse("contacts:contact_detail", args=[contact.pk])).content
    assert _subjects(html.decode()) == ["Second", "First"]


def test_the_timeline_filters_by_kind(admin_client, admin_user, contact):
    services.log_activity(actor=admin_user, kind="call", subject="Rang", contact=contact)
    services.log_activity(actor=admin_user, kind="note", subject="Wrote", contact=contact)

    url = reverse("contacts:contact_detail", args=[contact.pk])
    calls = admin_client.get(url, {"kind": "call"}).content.decode()
    unknown = admin_client.get(url, {"kind": "fax"}).content.decode()

    assert _subjects(calls) == ["Rang"]
    assert _subjects(unknown) == ["Wrote", "Rang"]


def test_company_and_deal_timelines_show_what_was_done_with_their_people(
    admin_client, admin_user, contact, company, deal
):
    services.log_activity(actor=admin_user, kind="call", subject="To Núria", contact=contact)
    services.log_activity(actor=admin_user, kind="email", subject="Offer", deal=deal)

    company_page = admin_client.get(reverse("contacts:company_detail", args=[company.pk]))
    deal_page = admin_client.get(reverse("sales:deal_detail", args=[deal.pk]))

    assert _subjects(company_page.content.decode()) == ["Offer", "To Núria"]
    assert _subjects(deal_page.content.decode()) == ["Offer"]


def test_the_timeline_shows_only_activities_in_the_readers_scope(
    client, admin_user, make_user, make_team, contact
):
    ours, theirs = make_team("Ours"), make_team("Theirs")
    reader = make_user("sales", teams=[ours], scope="own")
    outsider = make_user("sales", teams=[theirs])
    services.log_activity(
        actor=admin_user, kind="note", subject="Mine", contact=contact, owner=reader
    )
    services.log_activity(
        actor=admin_user, kind="note", subject="Theirs", contact=contact, owner=outsider
    )
    from clientela.contacts import services as contact_services

    contact_services.assign_records([contact], actor=admin_user, owner=reader)
    client.force_login(reader)

    html = client.get(reverse("contacts:contact_detail", args=[contact.pk])).content.decode()

    assert _subjects(html) == ["Mine"]


def test_without_activities_access_the_timeline_is_not_shown(client, make_user, contact):
    from clientela.core.models import Role

    role = Role.objects.create(code="no-activities", name="No activities", scope="all")
    role.access = {"contacts": "read"}
    role.save()
    user = make_user("read_only")
    user.role = role
    user.save()
    client.force_login(user)

    response = client.get(reverse("contacts:contact_detail", args=[contact.pk]))

    assert response.status_code == 200
    assert 'id="timeline"' not in response.content.decode()


def test_a_timeline_page_costs_the_same_queries_whatever_the_activities(
    admin_client, admin_user, contact, deal
):
    url = reverse("contacts:contact_detail", args=[contact.pk])
    _log(admin_user, 2, contact=contact, deal=deal)
    admin_client.get(url)  # warm caches (content types, custom field definitions)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    _log(admin_user, 30, contact=contact, deal=deal)
    for kind in ("call", "meeting", "task"):
        fields = {"starts_at": at(1)} if kind == "meeting" else {}
        services.log_activity(
            actor=admin_user, kind=kind, subject=kind, contact=contact, deal=deal, **fields
        )
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)

    assert len(_subjects(response.content.decode())) == 20
    assert len(many) == len(few)
    timeline_queries = [q["sql"] for q in many if '"activities_activity"' in q["sql"]]
    assert len(timeline_queries) == 1
    assert "COUNT(" not in timeline_queries[0].upper()


def test_log_links_on_the_page_preset_the_kind_the_record_and_the_way_back(admin_client, contact):
    html = admin_client.get(reverse("contacts:contact_detail", args=[contact.pk])).content.decode()

    expected = (
        f"{reverse('activities:activity_create')}?kind=call&amp;contact={contact.pk}"
        f"&amp;next=/contacts/{contact.pk}/"
    )
    assert expected in html
    assert "Log a call" in html


def test_purging_a_contact_keeps_its_activities_without_the_link(admin_user, contact):
    note = services.log_activity(actor=admin_user, kind="note", body="x", contact=contact)
    from clientela.contacts import services as contact_services

    contact_services.delete_records([contact], actor=admin_user)
    contact_services.purge_records([contact], actor=admin_user)

    kept = Activity.objects.get(pk=note.pk)
    assert (kept.contact_id, kept.company_id, kept.body) == (None, contact.company_id, "<p>x</p>")
