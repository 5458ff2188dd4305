"""What happens when a case breaches its SLA: the policy may name someone to take it over."""

from ..models import Case
from . import cases


def escalate_breached(case_ids):
    """Reassign each of ``case_ids`` (cases that have just breached) to its policy's
    ``escalate_to``, recorded in the case's history as an automatic change. Returns the ids
    reassigned."""
    moved = []
    breached = Case.objects.filter(pk__in=case_ids, sla_policy__escalate_to__isnull=False)
    for case in breached.select_related("sla_policy__escalate_to"):
        person = case.sla_policy.escalate_to
        if person.is_active and case.owner_id != person.pk:
            cases.assign_case(case, actor=None, owner=person)
            moved.append(case.pk)
    return moved
