"""``clientela worker``: the background worker, plus two small threads beside it.

* the django-tasks worker itself: django-tasks-db's ``Worker`` on the default database queue, or
  RQ's worker (through django-rq, with django-tasks-rq's job class) when ``CLIENTELA_REDIS_URL``
  is set;
* a heartbeat thread writing ``core.WorkerHeartbeat`` every ~10 s, read by ``/health/``;
* a scheduler thread enqueueing the periodic jobs (daily trash purge and duplicate scan, task
  reminders every minute). The last run is kept in a ``core.Flag`` so restarts and several
  workers do not multiply the runs.
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from clientela.core.models import Flag, WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10  # seconds; /health/ calls a worker stale after 60
SCHEDULER_EVERY = 60  # seconds between checks of what is due (reminders go out every minute)
FORGET_WORKERS_AFTER = timedelta(days=1)


def uses_redis():
    return "RQBackend" in settings.TASKS["default"]["BACKEND"]


def backend_name():
    return "rq" if uses_redis() else "database"


def new_worker_id():
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(6)}"


def beat(worker_id, now=None):
    """Record that ``worker_id`` is alive; forget workers silent for a day."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"backend": backend_name(), "last_seen": now}
    )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - FORGET_WORKERS_AFTER).delete()


# Periodic jobs: (flag name, interval, dotted path of the django-tasks task)
PERIODIC_JOBS = [
    ("job:purge_trash", timedelta(days=1), "clientela.core.jobs.purge_trash"),
    ("job:send_reminders", timedelta(minutes=1), "clientela.activities.jobs.send_reminders"),
    ("job:prune_task_results", timedelta(days=1), "clientela.core.jobs.prune_task_results"),
    (
        "job:apply_retention_rules",
        timedelta(days=1),
        "clientela.contacts.jobs.apply_retention_rules",
    ),
    ("job:sync_mailboxes", timedelta(minutes=5), "clientela.intake.jobs.sync_mailboxes"),
    ("job:scan_duplicates", timedelta(days=1), "clientela.contacts.jobs.scan_duplicates"),
    ("job:refresh_sla", timedelta(minutes=1), "clientela.support.jobs.refresh_sla"),
    (
        "job:retrain_customers",
        timedelta(days=1),
        "clientela.analytics.jobs.retrain_customers",
    ),
    ("job:retrain_deals", timedelta(days=1), "clientela.analytics.jobs.retrain_deals"),
    ("job:settle_rollups", timedelta(minutes=5), "clientela.analytics.jobs.settle_rollups"),
    ("job:retrain_forecast", timedelta(days=1), "clientela.analytics.jobs.retrain_forecast"),
    (
        "job:send_report_subscriptions",
        timedelta(hours=1),
        "clientela.analytics.jobs.send_report_subscriptions",
    ),
    (
        "job:send_unsent_messages",
        timedelta(minutes=10),
        "clientela.support.jobs.send_unsent_messages",
    ),
    ("job:close_waiting_cases", timedelta(hours=1), "clientela.support.jobs.close_waiting_cases"),
    (
        "job:send_due_webhooks",
        timedelta(minutes=1),
        "clientela.automation.jobs.send_due_webhooks",
    ),
    (
        "job:run_timed_workflows",
        timedelta(minutes=5),
        "clientela.automation.jobs.run_timed_workflows",
    ),
    ("job:run_campaigns", timedelta(minutes=1), "clientela.marketing.jobs.run_campaigns"),
    ("job:send_digests", timedelta(hours=1), "clientela.collaboration.jobs.send_digests"),
    (
        "job:advance_sequences",
        timedelta(minutes=1),
        "clientela.marketing.jobs.advance_sequences",
    ),
    ("job:update_loyalty", timedelta(hours=1), "clientela.marketing.jobs.update_loyalty"),
    # An account export holds password hashes: gone an hour after its day is up at the latest.
    (
        "job:remove_expired_exports",
        timedelta(hours=1),
        "clientela.core.backup.jobs.remove_expired_exports",
    ),
]


def enqueue_due_jobs(now=None):
    """Enqueue every periodic job whose interval has passed since its last enqueue; return the
    names enqueued. The flag row is locked so two workers do not both enqueue."""
    from django.utils.module_loading import import_string

    now = now or timezone.now()
    enqueued = []
    for flag_name, interval, path in PERIODIC_JOBS:
        with transaction.atomic():
            flag, _ = Flag.objects.select_for_update().get_or_create(name=flag_name)
            last = flag.value.get("last_enqueued")
            if last and now - datetime.fromisoformat(last) < interval:
                continue
            import_string(path).enqueue()
            flag.value = {"last_enqueued": now.isoformat()}
            flag.save()
            enqueued.append(flag_name)
    return enqueued


class _Loop(threading.Thread):
    """A daemon thread running ``step`` every ``every`` seconds until ``stop`` is set."""

    def __init__(self, name, every, step, stop, *, wait_first=False):
        super().__init__(name=name, daemon=True)
        self.every, self.step, self.stop, self.wait_first = every, step, stop, wait_first

    def run(self):
        if self.wait_first and self.stop.wait(self.every):
            return
        while not self.stop.is_set():
            try:
                self.step()
            except Exception:  # a failed beat must not kill the thread; log and try again
                logger.exception("%s failed", self.name)
            finally:
                # Each thread has its own connection; do not hold a SQLite file handle/lock.
                connection.close()
            self.stop.wait(self.every)


def _watch_parent(parent_pid):
    """Stop when the parent (``clientela serve``) is gone, even if it was killed hard."""
    if parent_pid and os.getppid() != parent_pid:
        logger.warning("parent process %s is gone; stopping the worker", parent_pid)
        os._exit(0)


def run(*, parent_pid=None, burst=False):
    """Run the worker in the foreground until stopped (SIGTERM/SIGINT); with ``burst``, run
    what is queued and return (no scheduler then)."""
    worker_id = new_worker_id()
    stop = threading.Event()

    def heartbeat():
        _watch_parent(parent_pid)
        beat(worker_id)

    beat(worker_id)  # /health/ sees the worker as soon as it starts
    threads = [_Loop("heartbeat", HEARTBEAT_EVERY, heartbeat, stop, wait_first=True)]
    if not burst:
        threads.append(_Loop("scheduler", SCHEDULER_EVERY, enqueue_due_jobs, stop))
    for thread in threads:
        thread.start()
    logger.info("worker started", extra={"worker_id": worker_id, "backend": backend_name()})
    try:
        if uses_redis():
            _run_rq(worker_id, burst)
        else:
            _run_db(worker_id, burst)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def _run_db(worker_id, burst):
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=list(settings.TASKS["default"].get("QUEUES", ["default"])),
        interval=1,
        batch=burst,
        backend_name="default",
        startup_delay=not burst,
        max_tasks=None,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        worker.reset_signals()


def _run_rq(worker_id, burst):
    from django.core.management import call_command

    call_command(
        "rqworker",
        *settings.TASKS["default"].get("QUEUES", ["default"]),
        job_class="django_tasks_rq.Job",
        name=worker_id,
        burst=burst,
    )
