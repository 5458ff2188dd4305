"""``/api/v1/activities/``: CRUD, filters, cursor, If-Match, complete/reopen, bad input."""

import datetime

import pytest
from django.utils.dateparse import parse_datetime

from clientela.activities import services
from clientela.activities.models import Activity
from clientela.core.models import ChangeRecord

from .conftest import at

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/"


def iso(moment):
    return moment.isoformat()


def test_logging_a_call_through_the_api(admin_api, admin_user, contact, company):
    response = admin_api.post(
        URL,
        {
            "kind": "call",
            "subject": "Prices",
            "contact": contact.pk,
            "direction": "in",
            "duration_seconds": 420,
            "outcome": "connected",
            "body": "Wants <b>200</b> bottles",
            "tags": ["hot"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["company"], body["owner"], body["duration_seconds"]) == (
        "call",
        company.pk,
        admin_user.pk,
        420,
    )
    assert (body["body"], body["body_text"], body["tags"]) == (
        "Wants <b>200</b> bottles",
        "Wants 200 bottles",
        ["hot"],
    )
    assert response["ETag"] == f'"{body["id"]}-1"'


def test_a_meeting_with_attendees_and_its_detail(admin_api, admin_user, seller, contact):
    created = admin_api.post(
        URL,
        {
            "kind": "meeting",
            "subject": "Tasting",
            "starts_at": iso(at(2)),
            "place": "Cellar",
            "attendees": [seller.pk],
            "attendee_contacts": [contact.pk],
        },
        format="json",
    ).json()

    detail = admin_api.get(f"{URL}{created['id']}/").json()

    assert (detail["attendees"], detail["attendee_contacts"]) == ([seller.pk], [contact.pk])
    assert parse_datetime(detail["ends_at"]) == at(2, hours=1)


def test_list_is_newest_first_with_a_cursor_and_filters(admin_api, admin_user, contact, deal):
    for i in range(5):
        services.log_activity(
            actor=admin_user, kind="note", body=f"n{i}", contact=contact, timeline_at=at(-i)
        )
    services.log_activity(actor=admin_user, kind="call", subject="c", deal=deal)
    task = services.log_activity(actor=admin_user, kind="task", subject="t", due_at=at(3))
    services.log_activity(actor=admin_user, kind="task", subject="done", due_at=at(4))
    services.complete_task(Activity.objects.get(subject="done"), actor=admin_user)

    first = admin_api.get(URL, {"kind": "note", "page_size": 3}).json()
    second = admin_api.get(first["next"]).json()
    notes = [a["body_text"] for a in first["results"] + second["results"]]
    assert notes == ["n0", "n1", "n2", "n3", "n4"]
    assert second["next"] is None

    def ids(**params):
        return [a["id"] for a in admin_api.get(URL, params).json()["results"]]

    assert len(ids(contact=contact.pk)) == 5
    assert [Activity.objects.get(pk=i).subject for i in ids(deal=deal.pk)] == ["c"]
    assert ids(done="false") == [task.pk]
    assert ids(due_before=iso(at(3, hours=1)), due_after=iso(at(2))) == [task.pk]
    assert ids(kind=["call", "task"], ordering="timeline")[0] != ids(kind=["call", "task"])[0]


def test_update_with_if_match_and_a_stale_etag_is_412(admin_api, admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="first")
    etag = f'"{note.pk}-1"'

    ok = admin_api.patch(f"{URL}{note.pk}/", {"body": "second"}, format="json", HTTP_IF_MATCH=etag)
    stale = admin_api.patch(
        f"{URL}{note.pk}/", {"body": "third"}, format="json", HTTP_IF_MATCH=etag
    )

    assert ok.status_code == 200
    assert ok["ETag"] == f'"{note.pk}-2"'
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    note.refresh_from_db()
    assert note.body == "<p>second</p>"


def test_a_client_can_put_back_what_it_read(admin_api, admin_user, contact):
    task = services.log_activity(
        actor=admin_user, kind="task", subject="x", due_at=at(2), contact=contact
    )
    read = admin_api.get(f"{URL}{task.pk}/").json()
    read["subject"] = "y"

    response = admin_api.put(f"{URL}{task.pk}/", read, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["subject"] == "y"


def test_complete_and_reopen_a_task(admin_api, admin_user):
    task = services.log_activity(
        actor=admin_user, kind="task", subject="x", due_at=at(1), recurrence="daily"
    )

    done = admin_api.post(f"{URL}{task.pk}/complete/", HTTP_IF_MATCH=f'"{task.pk}-1"')
    stale = admin_api.post(f"{URL}{task.pk}/reopen/", HTTP_IF_MATCH=f'"{task.pk}-1"')
    reopened = admin_api.post(f"{URL}{task.pk}/reopen/", HTTP_IF_MATCH=done["ETag"])

    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert stale.status_code == 412
    assert reopened.status_code == 200 and reopened.json()["done_at"] is None
    following = Activity.objects.get(recurrence_of=task)
    assert following.due_at == task.due_at + datetime.timedelta(days=1)


def test_completing_a_note_is_a_400(admin_api, admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")

    response = admin_api.post(f"{URL}{note.pk}/complete/")

    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


def test_delete_restore_and_history(admin_api, admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")

    assert admin_api.delete(f"{URL}{note.pk}/").status_code == 204
    assert admin_api.get(f"{URL}{note.pk}/").status_code == 404
    assert admin_api.get(URL, {"trashed": "true"}).json()["results"][0]["id"] == note.pk
    assert admin_api.post(f"{URL}{note.pk}/restore/").status_code == 200
    history = admin_api.get(f"{URL}{note.pk}/history/").json()["results"]
    assert [h["action"] for h in history] == ["restore", "delete", "create"]


def test_export_is_csv_of_what_the_caller_sees(admin_api, admin_user, contact):
    services.log_activity(actor=admin_user, kind="note", body="=1+1", contact=contact)

    response = admin_api.get(f"{URL}export/")

    text = b"".join(response.streaming_content).decode()
    header, row = text.splitlines()[:2]
    assert header.startswith("id,kind,subject,body,timeline_at,contact,company,deal")
    assert ",note,,'=1+1," in row
    assert "Núria Puig,Vins Puig SL" in row


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "call", "subject": "x", "duration_seconds": -5}, "duration_seconds"),
        ({"kind": "call", "subject": "x", "duration_seconds": 90000}, "duration_seconds"),
        (
            {"kind": "meeting", "subject": "x", "starts_at": iso(at(2)), "ends_at": iso(at(1))},
            "ends_at",
        ),
        ({"kind": "task", "subject": "x", "due_at": iso(at(-1))}, "due_at"),
        ({"kind": "task", "subject": "x", "due_at": "0000-01-01T00:00:00Z"}, "due_at"),
        ({"kind": "note", "body": "x", "timeline_at": "0000-01-01T00:00:00Z"}, "timeline_at"),
        ({"kind": "task", "subject": "x", "due_at": "2300-01-01T00:00:00Z"}, "due_at"),
        ({"kind": "meetup", "subject": "x"}, "kind"),
        ({"subject": "x"}, "kind"),
        ({"kind": "note", "body": "x" * 50_001}, "body"),
        ({"kind": "note", "subject": "x" * 301}, "subject"),
        ({"kind": "note", "body": "x", "duration_seconds": 60}, "duration_seconds"),
        ({"kind": "note", "body": "x", "colour": "red"}, "colour"),
        ({"kind": "email", "subject": "x", "to_addresses": ["not an address"]}, "to_addresses"),
        ({"kind": "email", "subject": "x", "to_addresses": ["a@b.es"] * 51}, "to_addresses"),
        (
            {"kind": "meeting", "subject": "x", "starts_at": iso(at(1)), "attendees": [1] * 101},
            "attendees",
        ),
        ({"kind": "note", "body": "x", "contact": 999999}, "contact"),
        ({"kind": "call"}, "subject"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(admin_api, body, field):
    response = admin_api.post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    error = response.json()
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Activity.all_objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="activity").exists()


def test_html_and_scripts_in_the_description_are_sanitised(admin_api):
    response = admin_api.post(
        URL,
        {
            "kind": "note",
            "body": '<p>ok</p><script>alert("x")</script><img src=x onerror=alert(1)>'
            '<a href="javascript:alert(1)" onclick="x">link</a>',
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["body"] == '<p>ok</p><a rel="noopener noreferrer nofollow">link</a>'


def test_changing_the_kind_is_a_400(admin_api, admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")

    response = admin_api.patch(f"{URL}{note.pk}/", {"kind": "task"}, format="json")

    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
    assert Activity.objects.get().version == 1
