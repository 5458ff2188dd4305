"""Activity pages: the form of each kind, detail, done/reopen, My day, the calendar, the
private iCalendar feed and a meeting's ``.ics``."""

import datetime
import re

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import Activity, CalendarFeed, Reminder

from .conftest import at

pytestmark = pytest.mark.django_db


def _local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- the form ------------------------------------------------------------------------------------


def test_logging_a_call_from_a_contact_page_goes_back_to_it(admin_client, admin_user, contact):
    back = reverse("contacts:contact_detail", args=[contact.pk])
    url = f"{reverse('activities:activity_create')}?kind=call&contact={contact.pk}&next={back}"

    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="duration_minutes"' in html
    assert 'name="due_at"' not in html
    assert "Núria Puig" in html

    response = admin_client.post(
        url,
        {
            "contact": contact.pk,
            "subject": "Asked about prices",
            "direction": "in",
            "duration_minutes": "12",
            "outcome": "connected",
            "body": "Wants 200 bottles\nbefore Friday",
            "owner": admin_user.pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == back
    call = Activity.objects.get()
    assert (call.kind, call.contact_id, call.company_id, call.duration_seconds) == (
        "call",
        contact.pk,
        contact.company_id,
        720,
    )
    assert call.body == "<p>Wants 200 bottles<br>before Friday</p>"


def test_a_meeting_ending_before_it_starts_is_shown_as_a_field_error(admin_client, admin_user):
    url = f"{reverse('activities:activity_create')}?kind=meeting"
    response = admin_client.post(
        url,
        {
            "subject": "Tasting",
            "starts_at": _local_input(at(1, hours=2)),
            "ends_at": _local_input(at(1, hours=1)),
            "owner": admin_user.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["The meeting must end after it starts."]
    assert not Activity.all_objects.exists()


def test_a_task_due_before_now_is_refused_by_the_form(admin_client, admin_user):
    url = f"{reverse('activities:activity_create')}?kind=task"
    response = admin_client.post(
        url,
        {
            "subject": "Late",
            "due_at": _local_input(at(-2)),
            "priority": "high",
            "recurrence": "none",
            "owner": admin_user.pk,
        },
    )

    assert response.status_code == 200
    assert "before it was created" in " ".join(response.context["form"].errors["due_at"])
    assert not Activity.all_objects.exists()


def test_editing_a_note_shows_its_text_and_keeps_the_links(admin_client, admin_user, contact):
    note = services.log_activity(
        actor=admin_user, kind="note", body="Line one\nline two", contact=contact
    )
    url = reverse("activities:activity_edit", args=[note.pk])

    form = admin_client.get(url)
    assert form.context["form"]["body"].value() == "Line one\nline two"

    response = admin_client.post(
        url,
        {
            "version": note.version,
            "contact": contact.pk,
            "company": contact.company_id,
            "body": "Line one\nline three",
            "owner": admin_user.pk,
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.body, note.contact_id, note.version) == (
        "<p>Line one<br>line three</p>",
        contact.pk,
        2,
    )


def test_read_only_users_cannot_open_the_form(client, make_user):
    client.force_login(make_user("read_only"))

    response = client.get(f"{reverse('activities:activity_create')}?kind=note")

    assert response.status_code == 403


def test_the_detail_page_shows_a_task_and_marks_it_done(admin_client, admin_user):
    task = services.log_activity(
        actor=admin_user, kind="task", subject="Send <offer>", due_at=at(1), body="<b>Hi</b>"
    )
    url = reverse("activities:activity_detail", args=[task.pk])

    html = admin_client.get(url).content.decode()
    assert "Send &lt;offer&gt;" in html
    assert "<b>Hi</b>" in html
    assert "Mark done" in html

    response = admin_client.post(
        reverse("activities:activity_complete", args=[task.pk]), {"version": task.version}
    )
    assert response["Location"] == url
    task.refresh_from_db()
    assert task.done_at is not None


def test_marking_done_with_a_stale_version_changes_nothing(admin_client, admin_user):
    task = services.log_activity(actor=admin_user, kind="task", subject="x")
    services.update_activity(task, actor=admin_user, subject="y")

    admin_client.post(reverse("activities:activity_complete", args=[task.pk]), {"version": 1})

    task.refresh_from_db()
    assert task.done_at is None


# --- My day --------------------------------------------------------------------------------------


def _sections(html):
    """``{heading: [titles]}`` of My day's sections."""
    found = {}
    for section in re.findall(r"<section.*?</section>", html, re.DOTALL):
        heading = re.search(r"<h2[^>]*>([^<]+)</h2>", section).group(1)
        found[heading] = re.findall(r'<a href="/activities/\d+/">([^<]+)</a>', section)
    return found


def test_my_day_lists_overdue_and_todays_tasks_and_meetings(client, admin_user, seller, make_user):
    now = timezone.localtime()
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today_start + datetime.timedelta(days=1)
    late = services.log_activity(actor=seller, kind="task", subject="Late", due_at=at(1))
    Activity.objects.filter(pk=late.pk).update(due_at=today_start - datetime.timedelta(hours=5))
    services.log_activity(
        actor=seller, kind="task", subject="Today", due_at=tomorrow - datetime.timedelta(minutes=1)
    )
    services.log_activity(actor=seller, kind="task", subject="Tomorrow", due_at=tomorrow)
    services.log_activity(actor=seller, kind="meeting", subject="Mine", starts_at=tomorrow)
    invite = services.log_activity(
        actor=admin_user,
        kind="meeting",
        subject="Invited",
        starts_at=today_start + datetime.timedelta(hours=23),
        owner=make_user("sales", teams=seller.teams.all()),
        attendees=[seller],
    )
    services.log_activity(
        actor=admin_user,
        kind="task",
        subject="Somebody else's",
        due_at=tomorrow - datetime.timedelta(minutes=1),
        owner=admin_user,
    )
    client.force_login(seller)

    html = client.get(reverse("activities:today")).content.decode()
    sections = _sections(html)

    assert sections["Overdue"] == ["Late"]
    assert sections["Today's tasks"] == ["Today"]
    assert sections["Today's meetings"] == [invite.subject]


def test_marking_a_task_done_from_my_day_comes_back_to_it(client, seller):
    task = services.log_activity(actor=seller, kind="task", subject="Today", due_at=at(minutes=5))
    client.force_login(seller)
    today = reverse("activities:today")

    response = client.post(
        reverse("activities:activity_complete", args=[task.pk]),
        {"next": today, "version": task.version},
    )

    assert response["Location"] == today
    task.refresh_from_db()
    assert task.done_at is not None


def test_reminders_are_listed_on_my_day_and_can_be_marked_read(client, seller):
    task = services.log_activity(
        actor=seller, kind="task", subject="Call back", due_at=at(1), remind_at=at(0)
    )
    reminder = services.claim_reminder(task)
    client.force_login(seller)

    assert "Reminders" in _sections(client.get(reverse("activities:today")).content.decode())
    client.post(reverse("activities:reminders_read"), {"id": reminder.pk})

    assert Reminder.objects.get().read_at is not None
    assert "Reminders" not in _sections(client.get(reverse("activities:today")).content.decode())


# --- calendar ------------------------------------------------------------------------------------


def _moment(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def november(admin_user, seller):
    """Meetings and tasks of the seller around the week of 23-29 November 2026 (ISO week 48);
    tasks get their due dates afterwards (a task cannot be created due in the past)."""
    made = {}
    for name, kind, when in [
        ("Monday meeting", "meeting", _moment(2026, 11, 23, 9)),
        ("Sunday task", "task", _moment(2026, 11, 29, 18)),
        ("Next week task", "task", _moment(2026, 11, 30, 8)),
        ("Earlier meeting", "meeting", _moment(2026, 11, 2, 12)),
    ]:
        fields = {"starts_at": when} if kind == "meeting" else {}
        item = services.log_activity(actor=seller, kind=kind, subject=name, **fields)
        if kind == "task":
            Activity.objects.filter(pk=item.pk).update(due_at=when, timeline_at=when)
        made[name] = item
    services.log_activity(
        actor=admin_user,
        kind="meeting",
        subject="Admin only",
        starts_at=_moment(2026, 11, 24),
        owner=admin_user,
    )
    return made


def _calendar_titles(html):
    return re.findall(r'<span class="visually-hidden">[^<]+:</span>([^<]+)</a>', html)


def test_the_week_view_shows_the_users_items_of_that_week(client, seller, november):
    client.force_login(seller)

    response = client.get(reverse("activities:calendar"), {"week": "2026-W48"})

    html = response.content.decode()
    assert _calendar_titles(html) == ["Monday meeting", "Sunday task"]
    assert "?week=2026-W47" in html and "?week=2026-W49" in html
    assert "?month=2026-11" in html


def test_the_month_view_shows_the_whole_month_in_weeks(client, seller, november):
    client.force_login(seller)

    html = client.get(reverse("activities:calendar"), {"month": "2026-11"}).content.decode()

    assert _calendar_titles(html) == [
        "Earlier meeting",
        "Monday meeting",
        "Sunday task",
        "Next week task",
    ]
    assert html.count("<tr>") == 1 + 6  # the weekday names, then 26 October to 6 December
    assert "?month=2026-10" in html and "?month=2026-12" in html


def test_a_meeting_over_several_days_shows_on_each(client, seller):
    services.log_activity(
        actor=seller,
        kind="meeting",
        subject="Fair",
        starts_at=_moment(2026, 11, 24, 9),
        ends_at=_moment(2026, 11, 26, 18),
    )
    client.force_login(seller)

    html = client.get(reverse("activities:calendar"), {"week": "2026-W48"}).content.decode()

    assert _calendar_titles(html) == ["Fair", "Fair", "Fair"]


def test_an_unreadable_week_shows_this_week_with_a_message(client, seller):
    client.force_login(seller)

    response = client.get(reverse("activities:calendar"), {"week": "0000-W99"}, follow=True)

    assert response.status_code == 200
    assert "That week could not be read" in response.content.decode()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    assert response.context["title_day"] == monday


# --- iCalendar -----------------------------------------------------------------------------------


def _feed_url(client, user):
    client.force_login(user)
    page = client.post(reverse("activities:calendar_feed"), {"action": "create"})
    return re.search(
        r'value="http://testserver(/activities/calendar/[^"]+\.ics)"', page.content.decode()
    ).group(1)


def test_the_feed_holds_the_users_meetings_and_tasks_only(client, admin_user, seller, make_user):
    mine = services.log_activity(
        actor=seller, kind="meeting", subject="Tasting", starts_at=at(2), place="Cellar"
    )
    invited = services.log_activity(
        actor=admin_user,
        kind="meeting",
        subject="Invited",
        starts_at=at(3),
        attendees=[seller],
        owner=make_user("sales", teams=seller.teams.all()),
    )
    services.log_activity(actor=seller, kind="task", subject="Send offer", due_at=at(1))
    done = services.log_activity(actor=seller, kind="task", subject="Old", due_at=at(0, 1))
    services.complete_task(done, actor=seller)
    services.log_activity(actor=admin_user, kind="meeting", subject="Not mine", starts_at=at(2))
    services.log_activity(actor=admin_user, kind="task", subject="Not mine either", due_at=at(2))
    services.log_activity(actor=seller, kind="call", subject="A call", contact=None)
    services.log_activity(actor=seller, kind="meeting", subject="Too far", starts_at=at(500))
    url = _feed_url(client, seller)
    client.logout()

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == f"Clientela – {seller}"
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Tasting", "Invited", "Task: Send offer", "✔ Task: Old"}
    tasting = events["Tasting"]
    assert tasting.decoded("DTSTART") == mine.starts_at
    assert tasting.decoded("DTEND") == mine.ends_at
    assert str(tasting["LOCATION"]) == "Cellar"
    assert str(tasting["UID"]) == f"activity-{mine.pk}@testserver"
    assert str(events["Invited"]["URL"]) == f"http://testserver/activities/{invited.pk}/"


def test_a_wrong_or_replaced_feed_address_is_404(client, seller):
    first = _feed_url(client, seller)
    second = _feed_url(client, seller)
    client.logout()

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.get("/activities/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_turning_the_feed_off_stops_the_address(client, seller):
    url = _feed_url(client, seller)
    client.post(reverse("activities:calendar_feed"), {"action": "remove"})
    client.logout()

    assert client.get(url).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_account_page_links_to_the_feed(client, seller):
    client.force_login(seller)

    html = client.get(reverse("core:account")).content.decode()

    assert reverse("activities:calendar_feed") in html


def test_a_meeting_downloads_as_an_ics_file_with_its_attendees(
    admin_client, admin_user, seller, contact
):
    meeting = services.log_activity(
        actor=admin_user,
        kind="meeting",
        subject="Tasting; cava, vermouth",
        starts_at=_moment(2026, 12, 1, 17),
        place="Cellar",
        attendees=[seller],
        attendee_contacts=[contact],
    )

    response = admin_client.get(reverse("activities:activity_ics", args=[meeting.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Tasting; cava, vermouth"
    assert str(event["LOCATION"]) == "Cellar"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == [
        "mailto:nuria@vinspuig.cat",
        f"mailto:{seller.email}",
    ]
    assert str(event["ORGANIZER"]) == f"mailto:{admin_user.email}"


def test_only_meetings_download_as_ics(admin_client, admin_user):
    note = services.log_activity(actor=admin_user, kind="note", body="x")

    assert admin_client.get(reverse("activities:activity_ics", args=[note.pk])).status_code == 404


# --- list and trash ------------------------------------------------------------------------------


def test_the_activity_list_filters_by_kind_and_done(admin_client, admin_user, contact):
    services.log_activity(actor=admin_user, kind="call", subject="Rang", contact=contact)
    open_task = services.log_activity(actor=admin_user, kind="task", subject="Open")
    done = services.log_activity(actor=admin_user, kind="task", subject="Finished")
    services.complete_task(done, actor=admin_user)
    url = reverse("activities:activity_list")

    everything = admin_client.get(url)
    tasks = admin_client.get(url, {"kind": "task", "done": "false"})

    assert everything.status_code == 200
    # Tasks without a due date sit at their creation: the newest first.
    assert [a.subject for a in everything.context["records"]] == ["Finished", "Open", "Rang"]
    assert [a.pk for a in tasks.context["records"]] == [open_task.pk]


def test_deleting_an_activity_moves_it_to_the_activities_trash_and_back(admin_client, admin_user):
    note = services.log_activity(actor=admin_user, kind="note", subject="Gone soon", body="x")

    admin_client.post(reverse("activities:activity_delete", args=[note.pk]))
    trash = admin_client.get(reverse("activities:trash")).content.decode()
    assert "Gone soon" in trash
    assert not Activity.objects.filter(pk=note.pk).exists()

    admin_client.post(reverse("activities:activity_restore", args=[note.pk]))
    assert Activity.objects.filter(pk=note.pk).exists()


def test_the_menu_has_my_day_and_calendar(client, seller, make_user):
    client.force_login(seller)
    html = client.get(reverse("activities:today")).content.decode()
    assert 'href="/activities/today/" aria-current="page">My day<' in html
    assert 'href="/activities/calendar/">Calendar<' in html

    from clientela.core.models import Role

    role = Role.objects.create(code="contacts-only", name="Contacts only", scope="all")
    role.access = {"contacts": "read"}
    role.save()
    outsider = make_user("read_only")
    outsider.role = role
    outsider.save()
    client.force_login(outsider)
    assert client.get(reverse("activities:today")).status_code == 403
    html = client.get(reverse("contacts:contact_list")).content.decode()
    assert "/activities/today/" not in html


def test_the_form_finds_a_typed_contact_and_deal_without_javascript(
    admin_client, admin_user, contact, deal
):
    url = f"{reverse('activities:activity_create')}?kind=note"

    response = admin_client.post(
        url,
        {
            "contact": "",
            "contact_search": "núria puig",
            "company": "",
            "company_search": "",
            "deal": "",
            "deal_search": "Cava for Christmas",
            "body": "Typed names",
            "owner": admin_user.pk,
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    note = Activity.objects.get()
    assert (note.contact_id, note.deal_id, note.company_id) == (
        contact.pk,
        deal.pk,
        contact.company_id,
    )


def test_a_typed_name_nobody_has_is_a_field_error(admin_client, admin_user):
    url = f"{reverse('activities:activity_create')}?kind=note"

    response = admin_client.post(
        url, {"contact": "", "contact_search": "Nobody Atall", "body": "x", "owner": admin_user.pk}
    )

    assert response.context["form"].errors["contact"] == [
        "No contact called “Nobody Atall” that you can see."
    ]
    assert not Activity.all_objects.exists()
