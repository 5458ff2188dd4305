"""Questions about one person's time: "my day", a calendar week or month, the feed.

Every answer is restricted by ``core.permissions`` like any list: a person sees the tasks
assigned to them and the meetings they own or attend, as far as their role and scope let them
see those activities. Each query is a range read of an index on (owner, due date) or
(owner, start), or of the attendee links, and is bounded.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from clientela.core import permissions

from .choices import ActivityKind
from .models import Activity, Reminder
from .services import MAX_MEETING_LENGTH

LIMIT = 200  # items of one kind in one answer (a page of "my day", a month of the calendar)
RELATED = ("contact", "company", "deal", "owner")


def _visible(user):
    return permissions.visible(user, Activity.objects.all())


def day_bounds(day):
    """The first and the next day's first moment of ``day``, in the site's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def tasks_due(user, start, end, *, open_only=False, limit=LIMIT):
    """Tasks assigned to ``user`` due in ``[start, end)``, soonest first."""
    tasks = _visible(user).filter(
        owner=user, kind=ActivityKind.TASK, due_at__gte=start, due_at__lt=end
    )
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    return list(tasks.select_related(*RELATED).order_by("due_at", "id")[:limit])


def overdue_tasks(user, now, *, limit=LIMIT):
    """Open tasks assigned to ``user`` due before ``now``, oldest first."""
    return list(
        _visible(user)
        .filter(owner=user, kind=ActivityKind.TASK, done_at__isnull=True, due_at__lt=now)
        .select_related(*RELATED)
        .order_by("due_at", "id")[:limit]
    )


def meetings_between(user, start, end, *, limit=LIMIT):
    """Meetings ``user`` owns or attends that overlap ``[start, end)``, by start. Meetings last
    at most ``MAX_MEETING_LENGTH``, so the start is read as a bounded range."""
    window = {
        "kind": ActivityKind.MEETING,
        "starts_at__gte": start - MAX_MEETING_LENGTH,
        "starts_at__lt": end,
        "ends_at__gt": start,
    }
    visible = _visible(user)
    owned = visible.filter(owner=user, **window).select_related(*RELATED)
    attended = visible.filter(attendees=user, **window).select_related(*RELATED)
    found = {}
    for query in (owned, attended):
        for meeting in query.order_by("starts_at", "id")[:limit]:
            found[meeting.pk] = meeting
    return sorted(found.values(), key=lambda m: (m.starts_at, m.pk))[:limit]


@dataclass
class MyDay:
    day: datetime.date
    overdue: list
    tasks: list
    meetings: list
    reminders: list = field(default_factory=list)


def my_day(user, now=None):
    """The signed-in person's day: open overdue tasks, today's tasks (done ones too, so the
    day's progress shows), today's meetings and unread reminders."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = day_bounds(today)
    reminders = list(
        Reminder.objects.filter(user=user, read_at__isnull=True)
        .select_related("activity")
        .order_by("-created_at", "-id")[:50]
    )
    return MyDay(
        day=today,
        overdue=overdue_tasks(user, start),
        tasks=tasks_due(user, start, end),
        meetings=meetings_between(user, start, end),
        reminders=reminders,
    )


def items_between(user, start, end):
    """Meetings and tasks of ``user`` in ``[start, end)`` for a calendar, by time."""
    items = meetings_between(user, start, end) + tasks_due(user, start, end)
    return sorted(items, key=lambda a: (a.starts_at or a.due_at, a.pk))


FEED_PAST = datetime.timedelta(days=90)
FEED_FUTURE = datetime.timedelta(days=400)
FEED_LIMIT = 2000


def feed_items(user, now=None):
    """What the private calendar feed holds: the user's meetings and tasks from three months
    ago to a bit more than a year ahead (at most ``FEED_LIMIT`` of each)."""
    now = now or timezone.now()
    start, end = now - FEED_PAST, now + FEED_FUTURE
    meetings = meetings_between(user, start, end, limit=FEED_LIMIT)
    tasks = tasks_due(user, start, end, limit=FEED_LIMIT)
    return meetings, tasks
