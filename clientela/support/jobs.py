"""Background jobs of customer service: the SLA clock every minute, and sending a case's
e-mail (replies and acknowledgements) after the commit that recorded it — idempotent, as the
message is claimed before it is sent (``services.outgoing.deliver``)."""

from django.utils import timezone
from django_tasks import task

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from .services import escalation, sla


@task()
def refresh_sla():
    """Every minute (``core.worker.PERIODIC_JOBS``): mark cases due soon and breached, tell
    their assignees, and escalate the ones that have just breached."""
    warned, breached = sla.refresh_states(timezone.now())
    alerts = escalation.alert_assignees(warned, breached)
    with change_context(source=ChangeSource.AUTOMATION):
        moved = escalation.escalate_breached(breached)
    return {
        "warned": len(warned),
        "breached": len(breached),
        "alerts": alerts,
        "reassigned": len(moved),
    }


@task()
def send_case_message(message_id):
    """Send case message ``message_id`` (its primary key) unless it was sent already."""
    from .services import outgoing

    with change_context(source=ChangeSource.SYSTEM):
        return outgoing.deliver(message_id)


@task()
def send_unsent_messages():
    """Every ten minutes: send the case e-mail whose job never ran."""
    from .services import outgoing

    with change_context(source=ChangeSource.SYSTEM):
        return outgoing.send_unsent(timezone.now())


@task()
def close_waiting_cases():
    """Every hour: close the cases that have waited too long for the customer
    (``CLIENTELA_SUPPORT_AUTO_CLOSE_DAYS``), telling them."""
    from django.conf import settings

    from .services import cases

    with change_context(source=ChangeSource.AUTOMATION):
        return cases.close_waiting_cases(timezone.now(), settings.SUPPORT_AUTO_CLOSE_DAYS)
