"""``activities.services``: logging each kind, links, history, validation, tasks and repeats."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Activity, CalendarFeed
from clientela.core.models import ChangeRecord, SearchEntry
from clientela.core.records import StaleRecord

from .conftest import at

pytestmark = pytest.mark.django_db


def test_logging_a_call_fills_the_company_from_the_contact_and_records_history(
    admin_user, contact, company
):
    call = services.log_activity(
        actor=admin_user,
        kind="call",
        subject="Offer follow-up",
        contact=contact,
        duration_seconds=300,
        outcome="connected",
    )

    call.refresh_from_db()
    assert (call.kind, call.company_id, call.owner_id, call.direction) == (
        "call",
        company.pk,
        admin_user.pk,
        "out",
    )
    change = ChangeRecord.objects.get(object_id=call.pk, content_type__model="activity")
    assert change.action == "create"
    assert change.changes["subject"] == [None, "Offer follow-up"]
    assert change.changes["duration_seconds"] == [None, 300]


def test_activities_are_not_put_in_the_search_index(admin_user, contact):
    note = services.log_activity(actor=admin_user, kind="note", body="Likes cava", contact=contact)
    services.update_activity(note, actor=admin_user, body="Likes cava and vermouth")
    services.delete_activities([note], actor=admin_user)
    services.restore_activities([note], actor=admin_user)

    assert not SearchEntry.objects.filter(entity="activity").exists()


def test_a_deal_gives_its_company_when_no_contact_is_given(admin_user, deal):
    email = services.log_activity(actor=admin_user, kind="email", subject="Prices", deal=deal)

    assert email.company_id == deal.company_id


def test_an_explicit_company_wins_over_the_contacts(admin_user, contact):
    from clientela.contacts import services as contact_services

    other = contact_services.create_company(actor=admin_user, name="Altra SA")
    note = services.log_activity(
        actor=admin_user, kind="note", body="x", contact=contact, company=other
    )

    assert note.company_id == other.pk


def test_a_meeting_is_on_the_timeline_at_its_start_and_lasts_an_hour_by_default(admin_user):
    starts = at(days=2)
    meeting = services.log_activity(
        actor=admin_user, kind="meeting", subject="Tasting", starts_at=starts, place="Cellar"
    )

    assert (meeting.timeline_at, meeting.ends_at) == (starts, starts + datetime.timedelta(hours=1))


def test_meeting_attendees_are_kept_and_recorded_in_history(admin_user, seller, contact):
    meeting = services.log_activity(
        actor=admin_user,
        kind="meeting",
        subject="Tasting",
        starts_at=at(days=1),
        attendees=[seller],
        attendee_contacts=[contact],
    )
    services.update_activity(meeting, actor=admin_user, attendees=[seller, admin_user])

    assert set(meeting.attendees.values_list("pk", flat=True)) == {seller.pk, admin_user.pk}
    assert list(meeting.attendee_contacts.all()) == [contact]
    update = ChangeRecord.objects.filter(object_id=meeting.pk, action="update").get()
    assert update.changes == {
        "attendees": [[seller.pk], sorted([seller.pk, admin_user.pk])],
    }


def test_a_task_is_on_the_timeline_at_its_due_date_or_its_creation(admin_user):
    due = at(days=3)
    with_due = services.log_activity(actor=admin_user, kind="task", subject="Call", due_at=due)
    without = services.log_activity(actor=admin_user, kind="task", subject="Someday")

    assert (with_due.timeline_at, with_due.priority, with_due.recurrence) == (
        due,
        "normal",
        "none",
    )
    assert without.timeline_at == without.created_at


@pytest.mark.parametrize(
    ("kind", "fields", "field", "message"),
    [
        ("call", {"subject": "x", "duration_seconds": -1}, "duration_seconds", "between 0 and 24"),
        ("call", {"subject": "x", "duration_seconds": 86401}, "duration_seconds", "0 and 24"),
        ("meeting", {"subject": "x", "starts_at": at(1), "ends_at": at(1)}, "ends_at", "after"),
        ("meeting", {"subject": "x", "starts_at": at(1), "ends_at": at(0)}, "ends_at", "after"),
        ("meeting", {"subject": "x", "starts_at": at(1), "ends_at": at(9)}, "ends_at", "7 days"),
        ("meeting", {"subject": "x"}, "starts_at", "starts"),
        ("task", {"subject": "x", "due_at": at(-1)}, "due_at", "before it was created"),
        ("task", {"subject": "x", "due_at": at(days=365 * 200)}, "due_at", "1970 and 2199"),
        (
            "note",
            {"body": "x", "timeline_at": datetime.datetime(1969, 12, 31, tzinfo=datetime.UTC)},
            "timeline_at",
            "1970 and 2199",
        ),
        ("note", {"subject": ""}, "body", "Write the note"),
        ("call", {}, "subject", "subject or a description"),
        ("note", {"body": "x" * 50_001}, "body", "at most 50000"),
        ("note", {"body": "x", "duration_seconds": 60}, "duration_seconds", "does not apply"),
        ("call", {"subject": "x", "due_at": at(1)}, "due_at", "does not apply to calls"),
        ("email", {"subject": "x", "to_addresses": ["nope"]}, "to_addresses", "not a valid"),
        ("email", {"subject": "x", "from_address": "@@"}, "from_address", "valid e-mail"),
        ("task", {"subject": "x", "priority": "urgent"}, "priority", "not a valid choice"),
        ("note", {"body": "x", "colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    admin_user, kind, fields, field, message
):
    with pytest.raises(ValidationError) as caught:
        services.log_activity(actor=admin_user, kind=kind, **fields)

    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not Activity.all_objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="activity").exists()


def test_an_unknown_kind_is_refused(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.log_activity(actor=admin_user, kind="meetup", subject="x")

    assert caught.value.message_dict == {
        "kind": ["Choose one of: call, meeting, email, note, task."]
    }


def test_the_kind_cannot_change(admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")

    with pytest.raises(ValidationError) as caught:
        services.update_activity(note, actor=admin_user, kind="task")

    assert "kind" in caught.value.message_dict
    assert Activity.objects.get().kind == "note"


def test_the_description_is_sanitised(admin_user):
    note = services.log_activity(
        actor=admin_user,
        kind="note",
        body='<p onclick="x()">Hi <b>there</b></p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">bad</a><a href="https://example.com">good</a>',
    )

    assert note.body == (
        "<p>Hi <b>there</b></p>"
        '<a rel="noopener noreferrer nofollow">bad</a>'
        '<a href="https://example.com" rel="noopener noreferrer nofollow">good</a>'
    )
    assert note.body_text == "Hi there\n\nbadgood"


def test_plain_text_keeps_its_lines_and_is_escaped(admin_user):
    note = services.log_activity(
        actor=admin_user, kind="note", body="Price < 10 €\nships Monday\n\n<b & c>"
    )

    assert note.body == "<p>Price &lt; 10 €<br>ships Monday</p><p>&lt;b &amp; c&gt;</p>"


def test_an_update_with_a_stale_version_is_refused(admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")
    services.update_activity(note, actor=admin_user, body="y")

    with pytest.raises(StaleRecord):
        services.update_activity(note, actor=admin_user, expected_version=1, body="z")

    assert Activity.objects.get().body == "<p>y</p>"


def test_changing_the_reminder_time_sends_a_new_reminder(admin_user):
    task = services.log_activity(
        actor=admin_user, kind="task", subject="x", due_at=at(2), remind_at=at(1)
    )
    services.claim_reminder(task)
    assert Activity.objects.get().reminded_at is not None

    services.update_activity(task, actor=admin_user, remind_at=at(1, hours=2))

    assert Activity.objects.get().reminded_at is None


def test_completing_and_reopening_a_task(admin_user):
    task = services.log_activity(actor=admin_user, kind="task", subject="Send offer")

    done = services.complete_task(task, actor=admin_user)
    again = services.complete_task(task, actor=admin_user)
    assert done.done_at is not None
    assert again.done_at == done.done_at

    reopened = services.reopen_task(task, actor=admin_user)
    assert reopened.done_at is None
    actions = list(
        ChangeRecord.objects.filter(object_id=task.pk, content_type__model="activity")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]


def test_only_tasks_can_be_completed(admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")

    with pytest.raises(ValidationError):
        services.complete_task(note, actor=admin_user)


def test_completing_a_repeating_task_creates_the_next_one_once(admin_user, contact):
    due = at(hours=2)
    task = services.log_activity(
        actor=admin_user,
        kind="task",
        subject="Weekly check",
        contact=contact,
        due_at=due,
        remind_at=due - datetime.timedelta(minutes=30),
        recurrence="weekly",
        tags=["routine"],
    )

    services.complete_task(task, actor=admin_user)
    services.reopen_task(task, actor=admin_user)
    services.complete_task(task, actor=admin_user)

    following = Activity.objects.exclude(pk=task.pk).get()
    assert (following.subject, following.contact_id, following.recurrence) == (
        "Weekly check",
        contact.pk,
        "weekly",
    )
    assert following.due_at == due + datetime.timedelta(weeks=1)
    assert following.remind_at == following.due_at - datetime.timedelta(minutes=30)
    assert following.done_at is None
    assert following.recurrence_of_id == task.pk
    assert [t.name for t in following.tags.all()] == ["routine"]


def test_next_due_skips_the_missed_occurrences_and_keeps_the_day_of_the_month():
    tz = timezone.get_current_timezone()
    now = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=tz)

    daily = services.next_due(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=tz), "daily", now)
    monthly = services.next_due(datetime.datetime(2026, 1, 31, 9, 0, tzinfo=tz), "monthly", now)
    yearly = services.next_due(datetime.datetime(2024, 2, 29, 9, 0, tzinfo=tz), "yearly", now)

    assert daily == datetime.datetime(2026, 3, 11, 9, 0, tzinfo=tz)
    assert monthly == datetime.datetime(2026, 3, 31, 9, 0, tzinfo=tz)
    assert yearly == datetime.datetime(2027, 2, 28, 9, 0, tzinfo=tz)


def test_a_weekly_task_keeps_its_local_time_across_a_daylight_saving_change():
    tz = timezone.get_current_timezone()  # Europe/Madrid: clocks go forward on 29 March 2026
    due = datetime.datetime(2026, 3, 26, 9, 0, tzinfo=tz)

    following = services.next_due(due, "weekly", due)

    assert timezone.localtime(following).hour == 9
    utc = datetime.UTC
    assert following.astimezone(utc) - due.astimezone(utc) == datetime.timedelta(days=7, hours=-1)


def test_a_reminder_is_claimed_only_once(admin_user):
    task = services.log_activity(
        actor=admin_user, kind="task", subject="x", due_at=at(1), remind_at=at(0)
    )

    first = services.claim_reminder(task)
    second = services.claim_reminder(task)

    assert first is not None and first.user_id == admin_user.pk
    assert second is None


def test_the_calendar_feed_secret_is_stored_hashed_and_replaced(admin_user):
    first = services.create_calendar_feed(admin_user)
    second = services.create_calendar_feed(admin_user)

    assert services.feed_owner(first) is None
    assert services.feed_owner(second) == admin_user
    stored = CalendarFeed.objects.get(user=admin_user).key_hash
    assert stored == services.feed_key_hash(second)
    assert second not in stored
    admin_user.is_active = False
    admin_user.save()
    assert services.feed_owner(second) is None
