"""The worker's side: every few minutes one sync is queued per active mailbox, and a queued
sync reads its mailbox."""

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.activities.models import Activity
from clientela.intake import jobs
from clientela.intake.services import mail

from .mailfixtures import email, raw

pytestmark = pytest.mark.django_db


def test_one_sync_is_queued_per_active_mailbox(mailbox, admin_user):
    other = mail.create_mailbox(
        actor=admin_user, name="Off", email_address="off@example.com", host="imap.example.com",
        username="off", password="x", active=False,
    )  # fmt: skip

    assert jobs.sync_mailboxes.call() == 1

    queued = DBTaskResult.objects.filter(task_path="clientela.intake.jobs.sync_one_mailbox")
    assert [task.args_kwargs["args"] for task in queued] == [[mailbox.pk]]
    assert other.pk != mailbox.pk


def test_a_queued_sync_reads_its_mailbox(dovecot, mailbox, customer):
    dovecot.append(raw(email()))

    outcome = jobs.sync_one_mailbox.call(mailbox.pk)

    assert outcome == {"ran": True, "counts": {"captured": 1}, "error": ""}
    assert Activity.objects.get(kind="email").contact == customer
