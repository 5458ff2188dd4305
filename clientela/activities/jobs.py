"""Background jobs of activities: task reminders (every minute) and the trash purge.

``send_reminders`` claims each due reminder with a conditional UPDATE (``services.claim_reminder``)
before anything is sent, so a retried or concurrent run never sends one twice; a crash between
the claim and the e-mail loses that e-mail (the in-app reminder is kept), it never doubles it.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from . import services
from .choices import ActivityKind
from .models import Activity

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
MAX_PER_RUN = 5000
PURGE_BATCH = 500


def due_reminders(now, limit=BATCH_SIZE):
    """Tasks whose reminder time has come and whose reminder was not sent (read on the
    partial index of pending reminders)."""
    return list(
        Activity.objects.filter(
            kind=ActivityKind.TASK,
            remind_at__isnull=False,
            remind_at__lte=now,
            reminded_at__isnull=True,
            done_at__isnull=True,
            owner__isnull=False,
        )
        .select_related("owner", "contact", "company", "deal")
        .order_by("remind_at", "id")[:limit]
    )


def send_due_reminders(now=None):
    """Claim and deliver every due reminder: an in-app ``Reminder`` and an e-mail to the
    assignee (when they have an address). Returns the number delivered."""
    now = now or timezone.now()
    sent = 0
    while sent < MAX_PER_RUN:
        batch = due_reminders(now)
        if not batch:
            break
        for activity in batch:
            reminder = services.claim_reminder(activity, now=now)
            if reminder is None:
                continue  # another worker took it
            sent += 1
            _send_email(activity)
    if sent:
        logger.info("reminders sent", extra={"count": sent})
    return sent


def reminder_message(activity):
    """The reminder e-mail of ``activity``, in its assignee's language and the site's time."""
    user = activity.owner
    with translation.override(user.language or settings.LANGUAGE_CODE):
        due = (
            formats.localize(timezone.localtime(activity.due_at))
            if activity.due_at
            else _("no due date")
        )
        lines = [
            _("Reminder: %(task)s") % {"task": activity},
            _("Due: %(due)s") % {"due": due},
        ]
        about = [str(x) for x in (activity.contact, activity.company, activity.deal) if x]
        if about:
            lines.append(_("About: %(records)s") % {"records": ", ".join(about)})
        if activity.body_text:
            lines += ["", activity.body_text]
        base = getattr(settings, "BASE_URL", "")
        if base:
            lines += [
                "",
                base.rstrip("/") + reverse("activities:activity_detail", args=[activity.pk]),
            ]
        subject = _("Reminder: %(task)s") % {"task": str(activity)[:150]}
    return EmailMessage(
        subject=subject.replace("\n", " "),
        body="\n".join(lines),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def _send_email(activity):
    if not activity.owner.email:
        return
    try:
        reminder_message(activity).send()
    except (
        Exception
    ):  # the in-app reminder is recorded; a mail server failure must not stop the rest
        logger.exception("reminder e-mail failed", extra={"activity": activity.pk})


@task()
def send_reminders():
    """Enqueued every minute by the worker's scheduler."""
    with change_context(source=ChangeSource.SYSTEM):
        return send_due_reminders()


def purge_expired_trash(cutoff):
    """Purge activities trashed before ``cutoff``, in batches (see ``contacts.jobs``)."""
    count = 0
    while True:
        batch = list(
            Activity.all_objects.filter(deleted_at__lt=cutoff).order_by("pk")[:PURGE_BATCH]
        )
        if not batch:
            break
        count += len(services.purge_activities(batch, actor=None))
    return {Activity._meta.label: count}
