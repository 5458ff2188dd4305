"""Meetings and tasks as iCalendar (RFC 5545), written with the ``icalendar`` package.

Meetings are events with their place, description and attendees. Tasks are events too, a
quarter of an hour at their due time: Google Calendar, Outlook and Apple Calendar show the
events of a subscribed calendar but ignore its to-dos (VTODO). A done task says so in its
title. UIDs are stable (``activity-<id>@<host>``) and ``SEQUENCE`` is the record's version, so
calendar apps update an event in place when it changes.
"""

import datetime

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core.prefetch import related

from .choices import ActivityKind

PRODID = "-//Clientela//Clientela CRM//EN"
TASK_LENGTH = datetime.timedelta(minutes=15)
REFRESH = datetime.timedelta(minutes=15)


def new_calendar(name=None):
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
        cal.add("name", name)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", REFRESH)
    return cal


def uid(activity, host):
    return f"activity-{activity.pk}@{host}"


def _utc(moment):
    return moment.astimezone(datetime.UTC)


def _description(activity, url):
    parts = [activity.body_text]
    about = [str(x) for x in (activity.contact, activity.company, activity.deal) if x]
    if about:
        parts.append(_("About: %(records)s") % {"records": ", ".join(about)})
    if url:
        parts.append(url)
    return "\n\n".join(p for p in parts if p)


def _event(activity, host, url):
    event = icalendar.Event()
    event.add("uid", uid(activity, host))
    event.add("dtstamp", _utc(timezone.now()))
    event.add("created", _utc(activity.created_at))
    event.add("last-modified", _utc(activity.updated_at))
    event.add("sequence", activity.version)
    description = _description(activity, url)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def meeting_event(activity, host, url=None, *, with_attendees=True):
    event = _event(activity, host, url)
    event.add("summary", str(activity))
    event.add("dtstart", _utc(activity.starts_at))
    event.add("dtend", _utc(activity.ends_at))
    if activity.place:
        event.add("location", activity.place)
    if with_attendees:
        owner = activity.owner
        if owner is not None and owner.email:
            event.add("organizer", f"mailto:{owner.email}", parameters={"CN": str(owner)})
        for user in related(activity, "attendees"):
            if user.email:
                event.add("attendee", f"mailto:{user.email}", parameters={"CN": str(user)})
        for contact in related(activity, "attendee_contacts"):
            email = contact.primary_email
            if email:
                event.add("attendee", f"mailto:{email}", parameters={"CN": str(contact)})
    return event


def task_event(activity, host, url=None):
    event = _event(activity, host, url)
    title = _("Task: %(task)s") % {"task": activity}
    if activity.done_at is not None:
        title = "✔ " + title
    event.add("summary", title)
    event.add("dtstart", _utc(activity.due_at))
    event.add("dtend", _utc(activity.due_at + TASK_LENGTH))
    event.add("transp", "TRANSPARENT")  # a reminder of work, not a busy slot
    return event


def feed(user, meetings, tasks, host, url_for, language=None):
    """The whole private feed of ``user`` as bytes."""
    with translation.override(language or user.language):
        cal = new_calendar(_("Clientela – %(name)s") % {"name": user})
        for meeting in meetings:
            cal.add_component(meeting_event(meeting, host, url_for(meeting), with_attendees=False))
        for task in tasks:
            cal.add_component(task_event(task, host, url_for(task)))
        return cal.to_ical()


def single_meeting(activity, host, url=None):
    """One meeting as an ``.ics`` file to import into a calendar."""
    assert activity.kind == ActivityKind.MEETING
    cal = new_calendar()
    cal.add("method", "PUBLISH")
    cal.add_component(meeting_event(activity, host, url))
    return cal.to_ical()
