from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core import jobs, worker
from clientela.core.models import ChangeRecord, Flag, WorkerHeartbeat


def _trashed(admin_user, name, days_ago):
    contact = services.create_contact(actor=admin_user, first_name=name)
    services.delete_records([contact], actor=admin_user)
    Contact.all_objects.filter(pk=contact.pk).update(
        deleted_at=timezone.now() - timedelta(days=days_ago)
    )
    return contact


def test_purge_removes_only_records_trashed_longer_than_the_retention(admin_user, settings):
    settings.TRASH_RETENTION_DAYS = 30
    old = _trashed(admin_user, "Old", days_ago=31)
    recent = _trashed(admin_user, "Recent", days_ago=29)
    alive = services.create_contact(actor=admin_user, first_name="Alive")
    company = services.create_company(actor=admin_user, name="Gone SL")
    services.delete_records([company], actor=admin_user)
    Company.all_objects.filter(pk=company.pk).update(deleted_at=timezone.now() - timedelta(days=40))

    purged = jobs.purge_trash.call()

    assert purged == {"contacts.Contact": 1, "contacts.Company": 1, "activities.Activity": 0}
    assert set(Contact.all_objects.values_list("pk", flat=True)) == {recent.pk, alive.pk}
    assert not Company.all_objects.exists()
    change = ChangeRecord.objects.get(
        object_id=old.pk, action="purge", content_type__model="contact"
    )
    assert (change.source, change.actor) == ("system", None)


def test_purge_respects_a_changed_retention(admin_user, settings):
    settings.TRASH_RETENTION_DAYS = 7
    _trashed(admin_user, "Week-old", days_ago=8)

    assert jobs.purge_expired_trash()["contacts.Contact"] == 1


def test_purge_trash_management_command_reports_counts(admin_user, capsys, settings):
    from django.core.management import call_command

    settings.TRASH_RETENTION_DAYS = 30
    _trashed(admin_user, "Old", days_ago=60)
    call_command("purge_trash")

    assert "contacts.Contact: 1 purged" in capsys.readouterr().out


def test_scheduler_enqueues_the_daily_purge_once_a_day(db):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    every_job = [name for name, _interval, _path in worker.PERIODIC_JOBS]
    within_a_day = [
        name for name, interval, _path in worker.PERIODIC_JOBS if interval < timedelta(hours=23)
    ]
    assert "job:purge_trash" in every_job and "job:purge_trash" not in within_a_day
    assert worker.enqueue_due_jobs(now) == every_job
    assert worker.enqueue_due_jobs(now + timedelta(hours=23)) == within_a_day
    assert worker.enqueue_due_jobs(now + timedelta(hours=25)) == every_job

    assert DBTaskResult.objects.filter(task_path="clientela.core.jobs.purge_trash").count() == 2
    assert Flag.objects.get(name="job:purge_trash").value == {
        "last_enqueued": (now + timedelta(hours=25)).isoformat()
    }


def test_heartbeat_refreshes_its_row_and_forgets_long_silent_workers(db):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="gone", backend="database", last_seen=now - timedelta(days=2)
    )
    worker.beat("w1", now - timedelta(seconds=30))
    worker.beat("w1", now)

    assert list(WorkerHeartbeat.objects.values_list("worker_id", "last_seen")) == [("w1", now)]


@pytest.mark.django_db(transaction=True)
def test_burst_worker_runs_queued_purge(admin_user, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TRASH_RETENTION_DAYS = 30
    _trashed(admin_user, "Old", days_ago=31)
    jobs.purge_trash.enqueue()

    worker.run(burst=True)

    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {
        "contacts.Contact": 1,
        "contacts.Company": 0,
        "activities.Activity": 0,
    }
    assert not Contact.all_objects.exists()
    assert WorkerHeartbeat.objects.count() == 1


def test_finished_task_results_older_than_a_week_are_pruned(db):
    from django_tasks_db.models import DBTaskResult

    jobs.purge_trash.enqueue()
    jobs.purge_trash.enqueue()
    old, recent = DBTaskResult.objects.order_by("pk")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.pk).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=recent.pk).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=6)
    )
    jobs.purge_trash.enqueue()  # still waiting: never pruned

    assert jobs.prune_finished_task_results(now) == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) > {recent.pk}
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()
