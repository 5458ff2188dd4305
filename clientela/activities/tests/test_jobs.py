"""Background jobs: task reminders sent once through a real SMTP server (aiosmtpd), the
scheduler's minute, and the trash purge."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import formats, timezone, translation

from clientela.activities import jobs, services
from clientela.activities.models import Activity, Reminder
from clientela.core import worker

from .conftest import at

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "crm@vinspuig.cat"
    settings.BASE_URL = "https://crm.vinspuig.cat"
    yield handler
    controller.stop()


def _task(actor, owner, subject, remind_in_minutes, **fields):
    task = services.log_activity(
        actor=actor, kind="task", subject=subject, owner=owner, due_at=at(1), **fields
    )
    remind_at = timezone.now() + timedelta(minutes=remind_in_minutes)
    Activity.objects.filter(pk=task.pk).update(remind_at=remind_at)
    return task


def test_due_reminders_are_mailed_once_and_listed_in_the_app(
    inbox, admin_user, seller, make_user, contact
):
    due = _task(admin_user, seller, "Call Núria back", -1, contact=contact, body="About cava")
    _task(admin_user, seller, "Later", 30)
    done = _task(admin_user, seller, "Already done", -5)
    services.complete_task(done, actor=admin_user)
    catalan = make_user("sales", language="ca")
    trucar = _task(admin_user, catalan, "Trucar", -2)

    first = jobs.send_reminders.call()
    second = jobs.send_reminders.call()

    assert (first, second) == (2, 0)
    assert len(inbox.messages) == 2
    by_recipient = {rcpt[0]: message for rcpt, message in inbox.messages}
    message = by_recipient[seller.email]
    assert message["Subject"] == "Reminder: Call Núria back"
    assert message["From"] == "crm@vinspuig.cat"
    text = message.get_content()
    assert "About: Núria Puig, Vins Puig SL" in text
    assert "About cava" in text
    assert f"https://crm.vinspuig.cat/activities/{due.pk}/" in text
    with translation.override("ca"):  # dates in the assignee's language
        due_in_catalan = formats.localize(timezone.localtime(trucar.due_at))
    assert due_in_catalan in by_recipient[catalan.email].get_content()
    assert set(Reminder.objects.values_list("user_id", "activity__subject")) == {
        (seller.pk, "Call Núria back"),
        (catalan.pk, "Trucar"),
    }
    assert Activity.objects.get(pk=due.pk).reminded_at is not None


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(inbox, admin_user, seller):
    task = _task(admin_user, seller, "Claimed", -1)
    services.claim_reminder(Activity.objects.get(pk=task.pk))

    assert jobs.send_due_reminders() == 0
    assert inbox.messages == []
    assert Reminder.objects.count() == 1


def test_a_mail_server_failure_keeps_the_in_app_reminder(settings, admin_user, seller):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    _task(admin_user, seller, "Unsent", -1)

    assert jobs.send_due_reminders() == 1
    assert Reminder.objects.get().activity.subject == "Unsent"
    assert jobs.send_due_reminders() == 0


def test_the_scheduler_enqueues_reminders_every_minute(db):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    worker.enqueue_due_jobs(now)

    assert worker.enqueue_due_jobs(now + timedelta(seconds=30)) == []
    every_minute = worker.enqueue_due_jobs(now + timedelta(seconds=61))
    assert "job:send_reminders" in every_minute
    minutely = [
        name for name, interval, _path in worker.PERIODIC_JOBS if interval == timedelta(minutes=1)
    ]
    assert every_minute == minutely
    path = "clientela.activities.jobs.send_reminders"
    assert DBTaskResult.objects.filter(task_path=path).count() == 2


def test_the_trash_purge_deletes_old_trashed_activities(admin_user, settings):
    from clientela.core import jobs as core_jobs

    settings.TRASH_RETENTION_DAYS = 30
    old = services.log_activity(actor=admin_user, kind="note", body="old")
    recent = services.log_activity(actor=admin_user, kind="note", body="recent")
    services.delete_activities([old, recent], actor=admin_user)
    Activity.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    purged = core_jobs.purge_expired_trash()

    assert purged["activities.Activity"] == 1
    assert list(Activity.all_objects.values_list("pk", flat=True)) == [recent.pk]
