"""Background jobs of automation: sending a webhook delivery after the commit that made it, the
sweep every minute that sends the retries now due (and whatever a lost job left behind), running
the workflow rules an event triggered, and the pass that runs the timed rules."""

from django_tasks import task


@task()
def deliver_webhook(delivery_id):
    """One attempt at delivery ``delivery_id`` (skipped when not due or held by another)."""
    from .services import deliveries

    return deliveries.deliver(delivery_id)


@task()
def send_due_webhooks():
    """Every minute (``core.worker.PERIODIC_JOBS``): a job for each delivery now due."""
    from .services import deliveries

    return deliveries.send_due()


@task()
def run_workflows(run_ids):
    """Run the queued workflow runs of one event, one after another, each all or nothing
    (skipped when already done); returns their statuses."""
    from .workflows import engine

    return [engine.execute(run_id) for run_id in run_ids]


@task()
def run_workflow(run_id):
    """One run: the job as queued before runs were queued per event."""
    from .workflows import engine

    return engine.execute(run_id)


@task()
def run_timed_workflows():
    """Every five minutes (``core.worker.PERIODIC_JOBS``): the runs of date-relative and
    scheduled rules now due."""
    from .workflows import timed

    return timed.run_due()
