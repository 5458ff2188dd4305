"""Activities: calls, meetings, e-mails, notes and tasks, and the timeline they make on every
contact, company and deal.

One table holds every kind (a timeline is one index range read, newest first); the columns of
one kind are empty on the others. ``timeline_at`` is when the activity happened, or happens: a
meeting's start, a task's due date (its creation when it has none), the moment a call, e-mail or
note took place. ``activities.services`` keeps it in step.
"""

import html

import nh3
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord

from .choices import ActivityKind, CallOutcome, Direction, Priority, Recurrence

ALIVE = Q(deleted_at__isnull=True)


class Activity(CrmRecord):
    """Something done with (or for) a customer. ``owner`` is who did it, or the assignee of a
    task."""

    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(
        _("description"), blank=True, help_text=_("Sanitised HTML (a small set of safe tags).")
    )
    timeline_at = models.DateTimeField(_("when"), default=timezone.now)
    # The links are indexed by the partial timeline indexes below (one per link), which also
    # serve the ``SET NULL`` of a purged contact, company or deal.
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="activities",
        verbose_name=_("contact"),
    )
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="activities",
        verbose_name=_("company"),
    )
    deal = models.ForeignKey(
        "sales.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="activities",
        verbose_name=_("deal"),
    )

    # calls and e-mails
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, blank=True
    )
    # calls
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    # meetings
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="attended_activities",
        verbose_name=_("attendees (users)"),
    )
    attendee_contacts = models.ManyToManyField(
        "contacts.Contact",
        blank=True,
        related_name="attended_activities",
        verbose_name=_("attendees (contacts)"),
    )
    # e-mails
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    to_addresses = models.JSONField(_("to"), default=list, blank=True)
    message_id = models.CharField(_("message id"), max_length=500, blank=True)
    # tasks
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind me"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    recurrence = models.CharField(
        _("repeats"), max_length=8, choices=Recurrence.choices, blank=True
    )
    recurrence_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name="+",
        verbose_name=_("repeats task"),
    )

    permission_area = "activities"
    # Activities are found through their timelines, not the global search (see
    # docs/decisions.md, "Activities are not in the global search").
    search_indexed = False
    history_exclude = (*CrmRecord.history_exclude, "reminded_at")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            # A timeline page is a range read of one of these, newest first.
            models.Index(
                fields=["contact", "-timeline_at", "-id"],
                condition=Q(contact__isnull=False),
                name="activity_contact_idx",
            ),
            models.Index(
                fields=["company", "-timeline_at", "-id"],
                condition=Q(company__isnull=False),
                name="activity_company_idx",
            ),
            models.Index(
                fields=["deal", "-timeline_at", "-id"],
                condition=Q(deal__isnull=False),
                name="activity_deal_idx",
            ),
            models.Index(
                fields=["-timeline_at", "-id"], condition=ALIVE, name="activity_timeline_idx"
            ),
            models.Index(
                fields=["owner", "-timeline_at", "-id"], condition=ALIVE, name="activity_owner_idx"
            ),
            # "My day" and the calendar: someone's tasks by due date, meetings by start.
            models.Index(
                fields=["owner", "due_at", "id"],
                condition=ALIVE & Q(due_at__isnull=False),
                name="activity_owner_due_idx",
            ),
            models.Index(
                fields=["owner", "due_at", "id"],
                condition=ALIVE & Q(due_at__isnull=False, done_at__isnull=True),
                name="activity_open_task_idx",
            ),
            models.Index(
                fields=["owner", "starts_at", "id"],
                condition=ALIVE & Q(starts_at__isnull=False),
                name="activity_owner_start_idx",
            ),
            # The reminder job: reminders due and not sent yet.
            models.Index(
                fields=["remind_at", "id"],
                condition=ALIVE
                & Q(remind_at__isnull=False, reminded_at__isnull=True, done_at__isnull=True),
                name="activity_reminder_idx",
            ),
            models.Index(
                fields=["recurrence_of"],
                condition=Q(recurrence_of__isnull=False),
                name="activity_recurrence_idx",
            ),
            # A whole-column index: SQLite cannot match ``message_id = ?`` (a bound value)
            # against a partial index on ``message_id <> ''``, and read the whole table.
            models.Index(fields=["message_id"], name="activity_msgid_idx"),
            models.Index(fields=["deleted_at"], condition=~ALIVE, name="activity_trash_idx"),
        ]

    def __str__(self):
        if self.subject:
            return self.subject
        text = self.body_text
        if text:
            return text[:80] + ("…" if len(text) > 80 else "")
        return str(self.get_kind_display())

    def history_extra(self):
        """Meeting attendees by id (the snapshot cannot see the link tables)."""
        if not self.pk or self.kind != ActivityKind.MEETING:
            return {}
        users = self.attendees.through.objects.filter(activity_id=self.pk)
        contacts = self.attendee_contacts.through.objects.filter(activity_id=self.pk)
        return {
            "attendees": sorted(users.values_list("user_id", flat=True)),
            "attendee_contacts": sorted(contacts.values_list("contact_id", flat=True)),
        }

    @property
    def is_task(self):
        return self.kind == ActivityKind.TASK

    @property
    def is_meeting(self):
        return self.kind == ActivityKind.MEETING

    @property
    def is_done(self):
        return self.done_at is not None

    def is_overdue(self, now=None):
        return (
            self.is_task
            and self.done_at is None
            and self.due_at is not None
            and self.due_at < (now or timezone.now())
        )

    @property
    def repeats(self):
        return self.is_task and self.recurrence not in ("", Recurrence.NONE)

    @property
    def duration_minutes(self):
        if self.duration_seconds is None:
            return None
        return round(self.duration_seconds / 60)

    @property
    def body_text(self):
        """The description as plain text (e-mails, calendar feeds, titles)."""
        if not self.body:
            return ""
        with_breaks = self.body.replace("<br>", "\n").replace("</p>", "\n\n").replace("</li>", "\n")
        return html.unescape(nh3.clean(with_breaks, tags=set())).strip()


class Reminder(models.Model):
    """A task's reminder as shown in the application ("My day"); the e-mail goes out with it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_reminders"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(
                fields=["user", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="reminder_unread_idx",
            )
        ]

    def __str__(self):
        return f"{self.user_id}: {self.activity_id}"


class CalendarFeed(models.Model):
    """A user's private calendar feed address. Only a SHA-256 of its secret is stored: the
    address is shown once, when it is made."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user_id}"
