"""SLA warnings in the bell: the service desk's SLA round (``support.jobs.refresh_sla``)
publishes ``case.sla_alerts`` with the cases now due soon and those just breached; each
case's assignee is told, as their preference for SLA warnings says."""

from django.utils.translation import gettext as _

from clientela.core import events
from clientela.support.models import Case

from ..choices import NotificationKind
from . import notifications


@events.subscribe("case.sla_alerts")
def tell_assignees(event_name, *, warned, breached, **payload):
    breached = set(breached)
    cases = Case.objects.filter(pk__in=[*warned, *breached], owner__is_active=True)
    notifications.notify_many(
        [
            (case.owner_id, case, _("SLA breached") if case.pk in breached else _("Due soon"))
            for case in cases.order_by("id")
        ],
        kind=NotificationKind.SLA_WARNING,
        actor=None,
    )
