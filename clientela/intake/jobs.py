"""Background jobs of intake: running an import."""

from django_tasks import task


@task()
def run_import(job_id):
    """Run a queued import (idempotent: a job that is not queued any more is left alone)."""
    from clientela.intake.services.imports import run_import_job

    job = run_import_job(job_id)
    return job.status if job else None
