"""SLA warnings reach the assignee's bell."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.collaboration.models import Notification
from clientela.support import jobs
from clientela.support.models import Case, SlaPolicy
from clientela.support.services import cases

pytestmark = pytest.mark.django_db


def test_cases_due_soon_and_breached_are_in_the_assignees_bell(
    admin_user, make_user, django_capture_on_commit_callbacks
):
    agent = make_user("service", username="marta")
    gone = make_user("service", username="gone")
    SlaPolicy.objects.create(name="Fast", first_response_minutes=60, warn_before_minutes=30)
    late = cases.create_case(actor=admin_user, subject="Late", description="x", owner=agent)
    soon = cases.create_case(actor=admin_user, subject="Soon", description="x", owner=agent)
    left = cases.create_case(actor=admin_user, subject="Left", description="x", owner=gone)
    gone.is_active = False
    gone.save()
    now = timezone.now()
    Case.objects.filter(pk__in=[late.pk, left.pk]).update(next_due=now - timedelta(minutes=1))
    Case.objects.filter(pk=soon.pk).update(
        next_due=now + timedelta(minutes=10), sla_state="on_track"
    )

    with django_capture_on_commit_callbacks(execute=True):
        jobs.refresh_sla.call()

    told = Notification.objects.filter(kind="sla_warning").order_by("object_id")
    assert [(n.recipient_id, n.title, n.text) for n in told] == [
        (agent.pk, str(late), "SLA breached"),
        (agent.pk, str(soon), "Due soon"),
    ]
