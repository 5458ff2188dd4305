"""Background jobs of intake: running an import, reading the mailboxes.

``sync_mailboxes`` runs every few minutes (``core.worker.PERIODIC_JOBS``) and enqueues one
``sync_one_mailbox`` per active mailbox; each takes the mailbox's lease, so a mailbox still
being read when the next round comes is left to the sync in progress."""

from django_tasks import task

from .models import Mailbox
from .services import mail


@task()
def run_import(job_id):
    """Run a queued import (idempotent: a job that is not queued any more is left alone)."""
    from clientela.intake.services.imports import run_import_job

    job = run_import_job(job_id)
    return job.status if job else None


@task()
def sync_mailboxes():
    ids = list(Mailbox.objects.filter(active=True).values_list("pk", flat=True))
    for pk in ids:
        sync_one_mailbox.enqueue(pk)
    return len(ids)


@task()
def sync_one_mailbox(mailbox_id):
    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    if mailbox is None:
        return None
    result = mail.sync_mailbox(mailbox)
    return {"ran": result.ran, "counts": result.counts, "error": result.error}
