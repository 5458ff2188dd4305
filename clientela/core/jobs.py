"""Background jobs of the core: the daily purge of the trash and of old task results.

Jobs are django-tasks ``@task`` functions, run by ``clientela worker`` (database queue by
default, RQ on Redis). They must be idempotent: a retried run does no harm.
"""

import importlib
import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tasks import task

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

logger = logging.getLogger(__name__)


def trash_cutoff(now=None):
    """Records moved to the trash before this moment are purged."""
    return (now or timezone.now()) - timedelta(days=settings.TRASH_RETENTION_DAYS)


def purge_expired_trash(now=None):
    """Purge, app by app, the records trashed longer than ``TRASH_RETENTION_DAYS``.

    Each app owns the write path of its records, so each app's ``jobs.purge_expired_trash(cutoff)``
    does its own purging through its services and returns ``{model label: count}``.
    """
    cutoff = trash_cutoff(now)
    purged = {}
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("clientela.") or app_config.label == "core":
            continue
        try:
            module = importlib.import_module(f"{app_config.name}.jobs")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.jobs":
                raise
            continue
        if hasattr(module, "purge_expired_trash"):
            purged.update(module.purge_expired_trash(cutoff))
    logger.info("trash purged", extra={"purged": purged, "cutoff": cutoff.isoformat()})
    return purged


@task()
def purge_trash():
    """The daily job (enqueued by the worker's scheduler); history marks it as a system change."""
    with change_context(source=ChangeSource.SYSTEM):
        return purge_expired_trash()


TASK_RESULTS_KEPT = timedelta(days=7)


def prune_finished_task_results(now=None):
    """Forget finished background tasks older than a week (a job every minute leaves 10,000
    rows a week in the database queue). RQ keeps its results in Redis, which expires them."""
    if "RQBackend" in settings.TASKS["default"]["BACKEND"]:
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - TASK_RESULTS_KEPT
    deleted, _by_model = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    logger.info("task results pruned", extra={"deleted": deleted, "cutoff": cutoff.isoformat()})
    return deleted


@task()
def prune_task_results():
    return prune_finished_task_results()
