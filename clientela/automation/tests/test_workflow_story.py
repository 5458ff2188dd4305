"""The user story: "when a deal is won, create an onboarding task for Service and notify the
account owner" — end to end, the notification through a real SMTP peer."""

import pytest

from clientela.activities.models import Activity
from clientela.automation import services
from clientela.automation.choices import RunStatus
from clientela.marketing.tests.conftest import smtp_peer  # noqa: F401  (a real SMTP peer)
from clientela.sales.models import Pipeline
from clientela.sales.services import deals, pipelines

pytestmark = pytest.mark.django_db


def test_a_won_deal_gets_an_onboarding_task_for_service_and_its_owner_is_told(
    admin_user,
    make_user,
    make_team,
    committed,
    run_workflows,
    smtp_peer,  # noqa: F811
):
    service = make_team("Service")
    owner = make_user("sales", username="marta")
    Pipeline.objects.all().delete()
    pipeline = pipelines.create_pipeline(
        actor=admin_user,
        name="Sales",
        is_default=True,
        stages=[("Lead", 10, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")],
    )
    services.create_rule(
        actor=admin_user,
        name="Onboarding",
        entity="deal",
        trigger="stage_changed",
        trigger_options={"outcome": "won"},
        actions=[
            {
                "kind": "create_task",
                "subject": "Onboard the customer",
                "due_in_days": 3,
                "team": service.pk,
            },
            {"kind": "notify", "message": "Your deal was won: onboarding is on its way."},
        ],
    )
    with committed():
        deal = deals.create_deal(actor=admin_user, name="Fibra 600", amount=900, owner=owner)
    with committed():
        deals.move_deal(deal, pipeline.stages.get(name="Lead"), actor=admin_user)
    assert run_workflows() == []  # a move to an open stage is not a win

    with committed():
        deals.move_deal(deal, pipeline.stages.get(name="Won"), actor=admin_user)

    assert run_workflows() == [RunStatus.SUCCEEDED]
    [task] = Activity.objects.filter(kind="task")
    assert (task.subject, task.team_id, task.deal_id, task.owner_id) == (
        "Onboard the customer",
        service.pk,
        deal.pk,
        None,
    )
    [(recipients, message)] = smtp_peer.messages
    assert recipients == [owner.email]
    assert message["Subject"] == "Onboarding: Fibra 600"
    assert "Your deal was won: onboarding is on its way." in message.get_content()
