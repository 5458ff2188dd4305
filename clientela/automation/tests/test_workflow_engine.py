"""Workflow rules end to end: each trigger kind starts its rule (and only its rule), actions
run through the services with history marked automation, loops are stopped and logged, runs
are idempotent, timed triggers run once per day or slot."""

import datetime

import pytest
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.automation import services
from clientela.automation.choices import RunStatus
from clientela.automation.models import WorkflowRun
from clientela.automation.workflows import engine, timed
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.core.choices import ChangeSource
from clientela.core.models import ChangeRecord
from clientela.sales.models import Pipeline
from clientela.sales.services import deals as deal_services
from clientela.sales.services import pipelines, purchases
from clientela.support.services import cases

pytestmark = pytest.mark.django_db

TASK = {"kind": "create_task", "subject": "Call them", "due_in_days": 2}


def rule(actor, **fields):
    fields.setdefault("name", "Rule")
    fields.setdefault("actions", [TASK])
    return services.create_rule(actor=actor, **fields)


@pytest.fixture
def pipeline(admin_user):
    Pipeline.objects.all().delete()
    return pipelines.create_pipeline(
        actor=admin_user,
        name="Sales",
        stages=[
            ("Lead", 10, "open"),
            ("Offer", 50, "open"),
            ("Won", 100, "won"),
            ("Lost", 0, "lost"),
        ],
        is_default=True,
    )


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def new_contact(actor, committed, **fields):
    fields.setdefault("first_name", "Núria")
    with committed():
        return contact_services.create_contact(actor=actor, **fields)


def tasks():
    return list(Activity.objects.filter(kind="task").order_by("pk"))


def test_a_contact_created_runs_the_rule_once_with_history_marked_automation(
    admin_user, committed, run_workflows
):
    made = rule(admin_user, entity="contact", trigger="created")
    contact = new_contact(admin_user, committed)

    assert run_workflows() == [RunStatus.SUCCEEDED]
    [task] = tasks()
    assert (task.subject, task.contact_id, task.owner_id) == ("Call them", contact.pk, None)
    history = ChangeRecord.objects.get(
        object_id=task.pk, action="create", content_type__model="activity"
    )
    assert history.source == ChangeSource.AUTOMATION
    run = WorkflowRun.objects.get()
    assert (run.rule_id, run.record_id, run.event, run.chain) == (
        made.pk,
        contact.pk,
        "contact.created",
        [made.pk],
    )
    assert run.results == [{"kind": "create_task", "ok": True, "detail": f"task {task.pk}"}]
    made.refresh_from_db()
    assert (made.run_count, made.failure_count, made.last_status) == (1, 0, "succeeded")


def test_a_run_delivered_twice_runs_once(admin_user, committed, run_workflows):
    rule(admin_user, entity="contact", trigger="created")
    new_contact(admin_user, committed)
    run = WorkflowRun.objects.get()

    assert engine.execute(run.pk) == RunStatus.SUCCEEDED
    assert engine.execute(run.pk) == RunStatus.SKIPPED
    assert len(tasks()) == 1


def test_an_inactive_rule_and_unmet_conditions_do_not_run(admin_user, committed, run_workflows):
    rule(admin_user, entity="contact", trigger="created", active=False)
    rule(
        admin_user,
        entity="contact",
        trigger="created",
        conditions={"op": "and", "rules": [{"field": "city", "operator": "eq", "value": "Vic"}]},
    )
    new_contact(admin_user, committed, city="Girona")

    assert run_workflows() == []
    assert WorkflowRun.objects.count() == 0


def test_conditions_through_tags_are_read_with_a_query(admin_user, committed, run_workflows):
    rule(
        admin_user,
        entity="contact",
        trigger="created",
        conditions={
            "op": "and",
            "rules": [{"field": "tags", "operator": "has_any", "value": ["vip"]}],
        },
    )
    new_contact(admin_user, committed, tags=["vip"])
    new_contact(admin_user, committed, tags=["other"])

    assert run_workflows() == [RunStatus.SUCCEEDED]


def test_field_changed_runs_only_when_that_field_changes(admin_user, committed, run_workflows):
    rule(admin_user, entity="contact", trigger="field_changed", trigger_options={"field": "city"})
    contact = new_contact(admin_user, committed)
    with committed():
        contact_services.update_contact(contact, actor=admin_user, job_title="CEO")
    assert run_workflows() == []
    with committed():
        contact_services.update_contact(contact, actor=admin_user, city="Reus")
    assert run_workflows() == [RunStatus.SUCCEEDED]


def test_stage_changed_to_one_stage(admin_user, pipeline, committed, run_workflows):
    rule(
        admin_user,
        entity="deal",
        trigger="stage_changed",
        trigger_options={"stage": stage(pipeline, "Offer").pk},
    )
    with committed():
        deal = deal_services.create_deal(actor=admin_user, name="Big", amount=100)
    with committed():
        deal_services.move_deal(deal, stage(pipeline, "Offer"), actor=admin_user)
    with committed():
        deal_services.move_deal(deal, stage(pipeline, "Lead"), actor=admin_user)
    assert run_workflows() == [RunStatus.SUCCEEDED]
    assert tasks()[0].deal_id == deal.pk


def test_case_status_changed_to_one_status(admin_user, committed, run_workflows):
    rule(
        admin_user,
        entity="case",
        trigger="case_status_changed",
        trigger_options={"status": "on_hold"},
    )
    contact = new_contact(admin_user, committed)
    with committed():
        case = cases.create_case(
            actor=admin_user, subject="Broken", contact=contact, from_customer=False
        )
    with committed():
        cases.change_status(case, "open", actor=admin_user)
    assert run_workflows() == []
    with committed():
        cases.change_status(case, "on_hold", actor=admin_user)
    assert run_workflows() == [RunStatus.SUCCEEDED]
    assert tasks()[0].contact_id == contact.pk


def test_a_purchase_runs_the_rule_on_its_contact(admin_user, committed, run_workflows):
    rule(
        admin_user,
        entity="purchase",
        trigger="purchase_made",
        conditions={"op": "and", "rules": [{"field": "city", "operator": "eq", "value": "Vic"}]},
    )
    buyer = new_contact(admin_user, committed, city="Vic")
    other = new_contact(admin_user, committed, city="Olot")
    for person in (buyer, other):
        with committed():
            purchases.record_purchase(
                actor=admin_user, contact=person, total_amount=10, purchased_at=timezone.now()
            )
    assert run_workflows() == [RunStatus.SUCCEEDED]
    assert tasks()[0].contact_id == buyer.pk


def test_date_relative_runs_once_a_day_for_records_whose_date_is_due(
    admin_user, pipeline, committed, run_workflows
):
    made = rule(
        admin_user,
        entity="deal",
        trigger="date_relative",
        trigger_options={"field": "expected_close_date", "days": 3, "direction": "before"},
    )
    now = timezone.now()
    today = timezone.localdate(now)
    due = deal_services.create_deal(
        actor=admin_user,
        name="Due",
        amount=1,
        expected_close_date=today + datetime.timedelta(days=3),
    )
    deal_services.create_deal(
        actor=admin_user,
        name="Later",
        amount=1,
        expected_close_date=today + datetime.timedelta(days=4),
    )

    with committed():
        assert timed.run_due(now) == 1
    with committed():
        assert timed.run_due(now) == 0  # the same day again: nothing new
    assert run_workflows() == [RunStatus.SUCCEEDED]
    run = WorkflowRun.objects.get()
    assert (run.rule_id, run.record_id, run.event_key) == (made.pk, due.pk, f"date:{today}")


def test_a_schedule_runs_at_its_time_for_every_matching_record(
    admin_user, committed, run_workflows
):
    rule(
        admin_user,
        entity="contact",
        trigger="schedule",
        trigger_options={"every": "day", "time": "09:30"},
        conditions={"op": "and", "rules": [{"field": "city", "operator": "eq", "value": "Vic"}]},
    )
    contact_services.create_contact(actor=admin_user, first_name="A", city="Vic")
    contact_services.create_contact(actor=admin_user, first_name="B", city="Vic")
    contact_services.create_contact(actor=admin_user, first_name="C", city="Olot")
    morning = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))

    with committed():
        assert timed.run_due(morning) == 0
        assert timed.run_due(morning + datetime.timedelta(minutes=45)) == 2
        assert timed.run_due(morning + datetime.timedelta(hours=3)) == 0
    assert run_workflows() == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]


# --- loops ----------------------------------------------------------------------------------------


def test_rule_loops_are_stopped_and_logged_with_their_chain(admin_user, committed, run_workflows):
    """A sets the job title when the city changes; B sets the city when the job title
    changes: A -> B -> (A again) is stopped."""
    a = rule(
        admin_user,
        name="A",
        entity="contact",
        trigger="field_changed",
        trigger_options={"field": "city"},
        actions=[{"kind": "update_field", "field": "job_title", "value": "Boss"}],
    )
    b = rule(
        admin_user,
        name="B",
        entity="contact",
        trigger="field_changed",
        trigger_options={"field": "job_title"},
        actions=[{"kind": "update_field", "field": "city", "value": "Manlleu"}],
    )
    contact = new_contact(admin_user, committed)
    with committed():
        contact_services.update_contact(contact, actor=admin_user, city="Vic")

    assert run_workflows() == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]
    runs = list(WorkflowRun.objects.order_by("pk").values_list("rule_id", "status", "chain"))
    assert runs == [
        (a.pk, "succeeded", [a.pk]),
        (b.pk, "succeeded", [a.pk, b.pk]),
        (a.pk, "loop_stopped", [a.pk, b.pk, a.pk]),
    ]
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.city, contact.job_title) == ("Manlleu", "Boss")


def test_a_rule_changing_its_own_trigger_field_stops_at_once(admin_user, committed, run_workflows):
    made = rule(
        admin_user,
        entity="contact",
        trigger="updated",
        actions=[{"kind": "tag", "add": ["touched"]}],
    )
    contact = new_contact(admin_user, committed)
    with committed():
        contact_services.update_contact(contact, actor=admin_user, city="Vic")

    assert run_workflows() == [RunStatus.SUCCEEDED]
    assert list(WorkflowRun.objects.order_by("pk").values_list("status", "chain")) == [
        ("succeeded", [made.pk]),
        ("loop_stopped", [made.pk, made.pk]),
    ]


def test_chains_longer_than_the_limit_are_stopped(admin_user, committed, run_workflows):
    fields = ["city", "job_title", "postcode", "region"]
    made = [
        rule(
            admin_user,
            name=f"R{i}",
            entity="contact",
            trigger="field_changed",
            trigger_options={"field": fields[i]},
            actions=[{"kind": "update_field", "field": fields[i + 1], "value": f"v{i}"}],
        )
        for i in range(3)
    ]
    rule(
        admin_user,
        name="R3",
        entity="contact",
        trigger="field_changed",
        trigger_options={"field": "region"},
        actions=[TASK],
    )
    contact = new_contact(admin_user, committed)
    with committed():
        contact_services.update_contact(contact, actor=admin_user, city="Vic")

    assert run_workflows() == [RunStatus.SUCCEEDED] * 3
    last = WorkflowRun.objects.order_by("-pk").first()
    assert (last.status, last.chain) == ("loop_stopped", [*(r.pk for r in made), last.rule_id])
    assert tasks() == []


def test_at_most_so_many_runs_per_record_and_hour(admin_user, committed, run_workflows):
    made = rule(admin_user, entity="contact", trigger="updated", actions=[TASK])
    contact = new_contact(admin_user, committed)
    WorkflowRun.objects.bulk_create(
        WorkflowRun(
            rule=made, entity="contact", record_id=contact.pk, event_key=f"k{i}", status="succeeded"
        )
        for i in range(engine.MAX_RUNS_PER_HOUR)
    )
    with committed():
        contact_services.update_contact(contact, actor=admin_user, city="Vic")
    assert run_workflows() == [RunStatus.LOOP_STOPPED]
    assert WorkflowRun.objects.order_by("-pk").first().status == "loop_stopped"
    assert not contact.activities.exists()
