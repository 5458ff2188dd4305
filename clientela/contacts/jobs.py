"""Background jobs of contacts and companies: the trash purge and the duplicate scan."""

import logging

from django.utils import timezone
from django_tasks import task

from clientela.contacts import duplicates, services
from clientela.contacts.models import Company, Contact, DuplicateDismissal
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

logger = logging.getLogger(__name__)

PURGE_BATCH = 500


def purge_expired_trash(cutoff):
    """Purge contacts and companies trashed before ``cutoff``, in batches (bounded memory; each
    batch is one transaction with one history row per record). Contacts go first so that a
    purged company never leaves a dangling reference in the same run."""
    counts = {}
    for model in (Contact, Company):
        count = 0
        while True:
            batch = list(
                model.all_objects.filter(deleted_at__lt=cutoff).order_by("pk")[:PURGE_BATCH]
            )
            if not batch:
                break
            count += len(services.purge_records(batch, actor=None))
        counts[model._meta.label] = count
    return counts


@task()
def apply_retention_rules():
    """The daily job applying the enabled retention rules (a system change in history)."""
    from clientela.contacts.privacy.retention import apply_enabled_rules

    with change_context(source=ChangeSource.SYSTEM):
        return apply_enabled_rules()


SCAN_FLAG = "duplicates_scan"


def run_duplicate_scan(kinds=None, *, now=None):
    """Scan contacts and companies (or only ``kinds``) for likely duplicates and store the pairs
    (``duplicates.scan_duplicates``); the figures of the last scan are kept in a flag, which
    the review queue shows. Idempotent: a second run stores the same pairs."""
    from clientela.core.models import Flag

    results = {}
    for kind in kinds or (DuplicateDismissal.Kind.CONTACT, DuplicateDismissal.Kind.COMPANY):
        results[str(kind)] = duplicates.scan_duplicates(kind, now=now)
    Flag.objects.update_or_create(
        name=SCAN_FLAG,
        defaults={"value": {"finished_at": timezone.now().isoformat(), "kinds": results}},
    )
    logger.info("duplicate scan finished", extra={"results": results})
    return results


@task()
def scan_duplicates(kinds=None):
    """The nightly duplicate scan (enqueued by the worker's scheduler), and "Scan now"."""
    return run_duplicate_scan(kinds)
