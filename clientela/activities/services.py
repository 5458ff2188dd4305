"""Every write to activities goes through these functions.

An activity is logged with its kind (call, meeting, e-mail, note, task) and the fields of that
kind; fields of another kind are refused rather than silently kept. The service keeps
``timeline_at`` in step (a meeting's start, a task's due date or creation, otherwise when it
happened), fills the company from the contact (or the deal) so the company's timeline shows
what was done with its people, sanitises the description, and checks dates, durations and
sizes. Completing a repeating task creates the next one, once.
"""

import calendar
import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clientela.core import customfields, records, transactions
from clientela.core import services as core_services
from clientela.core.models import User
from clientela.core.validators import normalize_email

from . import richtext
from .choices import ActivityKind, Direction, Priority, Recurrence
from .models import Activity, CalendarFeed, Reminder

K = ActivityKind
# The fields that belong to one kind only; the rest are common to all.
KIND_FIELDS = {
    K.CALL: ("direction", "duration_seconds", "outcome"),
    K.MEETING: ("starts_at", "ends_at", "place"),
    K.EMAIL: ("direction", "from_address", "to_addresses", "message_id"),
    K.NOTE: (),
    K.TASK: ("due_at", "priority", "remind_at", "recurrence"),
}
COMMON_FIELDS = ("subject", "body", "timeline_at", "contact", "company", "deal", "owner", "team")
ACTIVITY_FIELDS = tuple(
    dict.fromkeys([*COMMON_FIELDS, *(f for fields in KIND_FIELDS.values() for f in fields)])
)
DATETIME_FIELDS = ("timeline_at", "starts_at", "ends_at", "due_at", "remind_at")
# Dates a person could mean: anything else is a typo (a year 0, 20026...).
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)  # exclusive
MAX_DURATION_SECONDS = 24 * 60 * 60
MAX_MEETING_LENGTH = datetime.timedelta(days=7)
DEFAULT_MEETING_LENGTH = datetime.timedelta(hours=1)
MAX_ADDRESSES = 50
MAX_ATTENDEES = 100
FEED_USE_RECORDED_EVERY = datetime.timedelta(minutes=5)

_TEXT_FIELDS = {
    f.name
    for f in Activity._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and not f.null
}
_EMPTY = (None, "", [], ())


def kind_label_plural(kind):
    return {
        K.CALL: _("calls"),
        K.MEETING: _("meetings"),
        K.EMAIL: _("e-mails"),
        K.NOTE: _("notes"),
        K.TASK: _("tasks"),
    }[kind]


# --- logging and changing ------------------------------------------------------------------------


@transactions.atomic
def log_activity(
    *, actor, kind, attendees=(), attendee_contacts=(), tags=(), custom_fields=None, **fields
):
    """Log a call, meeting, e-mail or note, or create a task. ``owner`` (who did it, or the
    task's assignee) defaults to the actor. Raises ``ValidationError`` with per-field messages
    and writes nothing when the input is wrong."""
    return _create(
        actor=actor,
        kind=kind,
        attendees=attendees,
        attendee_contacts=attendee_contacts,
        tags=tags,
        custom_fields=custom_fields,
        fields=fields,
    )


def _create(*, actor, kind, attendees, attendee_contacts, tags, custom_fields, fields, after=None):
    kind = _check_kind(kind)
    fields = _check_fields(kind, fields)
    fields.setdefault("owner", _user(actor))
    now = timezone.now()
    activity = Activity(kind=kind, created_at=now, updated_at=now, recurrence_of=after, **fields)
    _follow_links(activity, fields, previous_contact_id=None)
    _apply_kind(activity)
    people = _attendees(kind, attendees, attendee_contacts)
    _clean(activity)
    activity.custom_fields = customfields.clean_values(Activity, custom_fields or {})
    tag_objects = core_services.resolve_tags(tags)
    with records.track_create(activity, actor=actor, tags=tag_objects):
        activity.save()
        if people is not None:
            activity.attendees.set(people[0])
            activity.attendee_contacts.set(people[1])
        if tag_objects:
            activity.tags.add(*tag_objects)
    return activity


@transaction.atomic
def log_call(*, actor, follow_up_at=None, follow_up_subject="", **fields):
    """Log a call (``log_activity`` with kind "call") and, with ``follow_up_at``, a task to
    follow it up, due then and linked to the same records: both or neither are written.
    Returns ``(call, task or None)``."""
    call = log_activity(actor=actor, kind=K.CALL, **fields)
    if follow_up_at is None:
        return call, None
    links = {name: getattr(call, name) for name in ("contact", "company", "deal")}
    task = log_activity(
        actor=actor,
        kind=K.TASK,
        subject=follow_up_subject or _("Follow up: %(call)s") % {"call": call.subject},
        due_at=follow_up_at,
        owner=call.owner,
        **links,
    )
    return call, task


@transaction.atomic
def update_activity(
    activity,
    *,
    actor,
    expected_version=None,
    attendees=None,
    attendee_contacts=None,
    tags=None,
    custom_fields=None,
    **fields,
):
    """Change an activity; ``None`` leaves attendees, tags and custom fields as they are. The
    kind never changes (log a new activity instead). Raises ``StaleRecord`` when
    ``expected_version`` is not the stored version."""
    activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    if "kind" in fields and fields.pop("kind") != activity.kind:
        raise ValidationError(
            {"kind": [_("The kind of an activity cannot change; log a new one instead.")]}
        )
    fields = _check_fields(activity.kind, fields)
    people = None
    if attendees is not None or attendee_contacts is not None:
        if attendees is None:
            attendees = list(activity.attendees.all())
        if attendee_contacts is None:
            attendee_contacts = list(activity.attendee_contacts.all())
        people = _attendees(activity.kind, attendees, attendee_contacts)
    with records.track_update(activity, actor=actor, expected_version=expected_version):
        previous_contact_id = activity.contact_id
        previous_remind_at = activity.remind_at
        for name, value in fields.items():
            setattr(activity, name, value)
        _follow_links(activity, fields, previous_contact_id=previous_contact_id)
        if activity.remind_at != previous_remind_at:
            activity.reminded_at = None  # a new reminder time is a new reminder
        _apply_kind(activity)
        _clean(activity)
        if custom_fields is not None:
            activity.custom_fields = customfields.clean_values(
                Activity, custom_fields, current=activity.custom_fields
            )
        activity.save()
        if people is not None:
            activity.attendees.set(people[0])
            activity.attendee_contacts.set(people[1])
        if tags is not None:
            activity.tags.set(core_services.resolve_tags(tags))
    return activity


@transaction.atomic
def complete_task(task, *, actor, expected_version=None):
    """Mark a task done. A repeating task gets its next occurrence (once, even if the task is
    reopened and completed again), due at the next date after now; it is returned as
    ``task.next_task`` (``None`` otherwise). Completing a done task changes nothing."""
    task = Activity.all_objects.select_for_update().get(pk=task.pk)
    _require_task(task)
    task.next_task = None
    if task.done_at is not None:
        return task  # already done: completing twice is harmless (and makes no second copy)
    with records.track_update(task, actor=actor, expected_version=expected_version):
        task.done_at = timezone.now()
        task.save()
    if task.repeats and not Activity.all_objects.filter(recurrence_of=task).exists():
        task.next_task = _repeat(task, actor)
    return task


@transaction.atomic
def reopen_task(task, *, actor, expected_version=None):
    """Mark a done task as not done."""
    task = Activity.all_objects.select_for_update().get(pk=task.pk)
    _require_task(task)
    with records.track_update(task, actor=actor, expected_version=expected_version):
        task.done_at = None
        task.save()
    return task


# --- reminders -----------------------------------------------------------------------------------


@transaction.atomic
def claim_reminder(task, *, now=None):
    """Take the reminder of ``task`` for sending: set ``reminded_at`` only if nobody did yet
    (a conditional UPDATE, so two workers, or a retried job, never both get it) and record the
    in-app reminder. Returns the ``Reminder``, or ``None`` when it was already claimed.

    ``reminded_at`` is bookkeeping, like the version: it is left out of history.
    """
    now = now or timezone.now()
    claimed = Activity.objects.filter(
        pk=task.pk, reminded_at__isnull=True, done_at__isnull=True, owner__isnull=False
    ).update(reminded_at=now)
    if not claimed:
        return None
    task.reminded_at = now
    return Reminder.objects.create(user_id=task.owner_id, activity=task, created_at=now)


@transaction.atomic
def mark_reminders_read(user, ids=None):
    """Mark the user's unread reminders (those of ``ids``, or all) as read; returns how many."""
    unread = Reminder.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# --- the private calendar feed -------------------------------------------------------------------


def feed_key_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_calendar_feed(user):
    """Give ``user`` a new private feed secret (the old address stops working); returns the
    secret, which is never stored."""
    secret = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "key_hash": feed_key_hash(secret),
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return secret


@transaction.atomic
def remove_calendar_feed(user):
    return CalendarFeed.objects.filter(user=user).delete()[0] > 0


def feed_owner(secret):
    """The active user whose feed secret this is, or ``None``. Records the use at most every
    few minutes (calendar apps poll)."""
    if not isinstance(secret, str) or not 20 <= len(secret) <= 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "user__role")
        .filter(key_hash=feed_key_hash(secret))
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > FEED_USE_RECORDED_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


# --- checks --------------------------------------------------------------------------------------


def _check_kind(kind):
    if kind not in K.values:
        raise ValidationError(
            {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(K.values)}]},
            code="invalid_kind",
        )
    return K(kind)


def _check_fields(kind, fields):
    """Known fields only; the fields of another kind only when empty (a client may send back
    what it read); ``None`` for text means empty text; the description sanitised."""
    errors = {}
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    own = set(COMMON_FIELDS) | set(KIND_FIELDS[kind])
    cleaned = {}
    for name, value in fields.items():
        if name in unknown:
            continue
        if name not in own:
            if value not in _EMPTY:
                errors[name] = [
                    _("This field does not apply to %(kind)s.") % {"kind": kind_label_plural(kind)}
                ]
            continue
        if value is None and name in _TEXT_FIELDS:
            value = ""
        cleaned[name] = value
    if "body" in cleaned:
        body = str(cleaned["body"] or "")
        if len(body) > richtext.MAX_LENGTH:
            errors["body"] = [
                _("Write at most %(max)d characters (it has %(n)d).")
                % {"max": richtext.MAX_LENGTH, "n": len(body)}
            ]
        else:
            cleaned["body"] = richtext.clean(body)
    if "to_addresses" in cleaned and cleaned["to_addresses"] is None:
        cleaned["to_addresses"] = []
    if errors:
        raise ValidationError(errors)
    return cleaned


def _follow_links(activity, fields, *, previous_contact_id):
    """Without a company of its own, an activity takes its contact's current company (or its
    deal's), so the company's timeline shows it."""
    if "company" in fields:
        return
    contact_changed = activity.contact_id != previous_contact_id
    if activity.contact_id and (contact_changed or activity.company_id is None):
        activity.company_id = activity.contact.company_id
    elif activity.company_id is None and activity.deal_id:
        activity.company_id = activity.deal.company_id


def _apply_kind(activity):
    """Defaults of the kind, and ``timeline_at`` in step with it."""
    kind = activity.kind
    if kind in (K.CALL, K.EMAIL) and not activity.direction:
        activity.direction = Direction.OUTBOUND
    if kind == K.MEETING and isinstance(activity.starts_at, datetime.datetime):
        if activity.ends_at is None:
            activity.ends_at = activity.starts_at + DEFAULT_MEETING_LENGTH
        activity.timeline_at = activity.starts_at
    if kind == K.TASK:
        activity.priority = activity.priority or Priority.NORMAL
        activity.recurrence = activity.recurrence or Recurrence.NONE
        due = activity.due_at
        activity.timeline_at = due if isinstance(due, datetime.datetime) else activity.created_at
    if activity.timeline_at is None:
        activity.timeline_at = timezone.now()


def _attendees(kind, users, contacts):
    """``(users, contacts)`` of a meeting; ``None`` for other kinds (which must give none)."""
    users, contacts = list(users or ()), list(contacts or ())
    if kind != K.MEETING:
        errors = {}
        label = _("This field does not apply to %(kind)s.") % {"kind": kind_label_plural(kind)}
        if users:
            errors["attendees"] = [label]
        if contacts:
            errors["attendee_contacts"] = [label]
        if errors:
            raise ValidationError(errors)
        return None
    errors = {}
    for name, items in (("attendees", users), ("attendee_contacts", contacts)):
        if len(items) > MAX_ATTENDEES:
            errors[name] = [_("At most %(n)d attendees.") % {"n": MAX_ATTENDEES}]
    if errors:
        raise ValidationError(errors)
    return list({u.pk: u for u in users}.values()), list({c.pk: c for c in contacts}.values())


def _in_range(value):
    return (
        isinstance(value, datetime.datetime)
        and timezone.is_aware(value)
        and EARLIEST <= value < LATEST
    )


def _clean(activity):
    errors = {}
    activity.subject = (activity.subject or "").strip()
    if not activity.subject and not activity.body:
        field = "body" if activity.kind == K.NOTE else "subject"
        message = (
            _("Write the note.")
            if activity.kind == K.NOTE
            else _("Give it a subject or a description.")
        )
        errors[field] = [message]
    for name in DATETIME_FIELDS:
        value = getattr(activity, name)
        if value is not None and not _in_range(value):
            errors[name] = [_("Enter a date and time between 1970 and 2199.")]
    duration = activity.duration_seconds
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not 0 <= duration <= MAX_DURATION_SECONDS
    ):
        errors["duration_seconds"] = [_("Enter a duration between 0 and 24 hours.")]
    if activity.kind == K.MEETING:
        _clean_meeting(activity, errors)
    if activity.kind == K.TASK:
        _clean_task(activity, errors)
    if activity.kind == K.EMAIL:
        _clean_email(activity, errors)
    try:
        activity.full_clean(
            exclude=[
                "owner",
                "team",
                "contact",
                "company",
                "deal",
                "tags",
                "attendees",
                "attendee_contacts",
                *DATETIME_FIELDS,
                "duration_seconds",
                "to_addresses",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _clean_meeting(activity, errors):
    starts, ends = activity.starts_at, activity.ends_at
    if starts is None:
        errors.setdefault("starts_at", [_("Enter when the meeting starts.")])
        return
    if "starts_at" in errors or "ends_at" in errors or not _in_range(ends):
        return
    if ends <= starts:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    elif ends - starts > MAX_MEETING_LENGTH:
        errors["ends_at"] = [_("A meeting lasts at most 7 days.")]


def _clean_task(activity, errors):
    due = activity.due_at
    if due is None or "due_at" in errors:
        return
    created = activity.created_at.replace(second=0, microsecond=0)
    if due < created:
        errors["due_at"] = [
            _("A task cannot be due before it was created (%(created)s).")
            % {"created": formats.localize(timezone.localtime(activity.created_at))}
        ]


def _clean_email(activity, errors):
    if activity.from_address:
        try:
            activity.from_address = normalize_email(activity.from_address)
        except ValidationError as error:
            errors["from_address"] = error.messages
    addresses = activity.to_addresses
    if not isinstance(addresses, list | tuple) or any(not isinstance(a, str) for a in addresses):
        errors["to_addresses"] = [_("Enter a list of e-mail addresses.")]
        return
    if len(addresses) > MAX_ADDRESSES:
        errors["to_addresses"] = [_("At most %(n)d addresses.") % {"n": MAX_ADDRESSES}]
        return
    cleaned = []
    for address in addresses:
        if not address.strip():
            continue
        try:
            cleaned.append(normalize_email(address))
        except ValidationError:
            errors["to_addresses"] = [
                _("“%(address)s” is not a valid e-mail address.") % {"address": address[:100]}
            ]
            return
    activity.to_addresses = list(dict.fromkeys(cleaned))


def _require_task(activity):
    if activity.kind != K.TASK:
        raise ValidationError({"kind": [_("Only tasks can be done or reopened.")]})


def _user(actor):
    return actor if isinstance(actor, User) and actor.pk else None


# --- repeating tasks -----------------------------------------------------------------------------


def _add_months(moment, months):
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _step(local, recurrence, n):
    """The ``n``-th occurrence after ``local`` (a naive local date and time), counted from the
    first one so that the 31st stays the 31st where the month has one."""
    if recurrence == Recurrence.DAILY:
        return local + datetime.timedelta(days=n)
    if recurrence == Recurrence.WEEKLY:
        return local + datetime.timedelta(weeks=n)
    if recurrence == Recurrence.MONTHLY:
        return _add_months(local, n)
    return _add_months(local, 12 * n)


def next_due(due, recurrence, now):
    """The first occurrence of ``recurrence`` from ``due`` that is later than ``now``, at the
    same local time of day (daylight saving time changes keep "9:00" at 9:00), or ``None``
    past 2199."""
    if due is None:
        due = now
    local = timezone.localtime(due).replace(tzinfo=None)
    n = 1
    if recurrence in (Recurrence.DAILY, Recurrence.WEEKLY) and due < now:
        period = 1 if recurrence == Recurrence.DAILY else 7
        n = max(1, (now - due).days // period)
    while True:
        candidate = timezone.make_aware(_step(local, recurrence, n))
        if candidate > now:
            return candidate if candidate < LATEST else None
        n += 1


def _repeat(task, actor):
    now = timezone.now()
    due = next_due(task.due_at, task.recurrence, now)
    if due is None:
        return None
    remind_at = None
    if task.remind_at is not None and task.due_at is not None:
        remind_at = due - (task.due_at - task.remind_at)
        if not _in_range(remind_at):
            remind_at = None
    return _create(
        actor=actor,
        kind=K.TASK,
        attendees=(),
        attendee_contacts=(),
        tags=[t.name for t in task.tags.all()],
        custom_fields=dict(task.custom_fields or {}),
        fields={
            "subject": task.subject,
            "body": task.body,
            "contact": task.contact,
            "company": task.company,
            "deal": task.deal,
            "owner": task.owner,
            "team": task.team,
            "priority": task.priority,
            "recurrence": task.recurrence,
            "due_at": due,
            "remind_at": remind_at,
        },
        after=task,
    )


# Trash and bulk actions work the same on every record (``core.services``).
delete_activities = core_services.delete_records
restore_activities = core_services.restore_records
purge_activities = core_services.purge_records
assign_activities = core_services.assign_records
tag_activities = core_services.tag_records
