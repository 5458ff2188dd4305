"""Background jobs of customer service."""

from django.utils import timezone
from django_tasks import task

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from .services import escalation, sla


@task()
def refresh_sla():
    """Every minute (``core.worker.PERIODIC_JOBS``): mark cases due soon and breached, and
    escalate the ones that have just breached."""
    breached = sla.refresh_states(timezone.now())
    with change_context(source=ChangeSource.AUTOMATION):
        moved = escalation.escalate_breached(breached)
    return {"breached": len(breached), "reassigned": len(moved)}
