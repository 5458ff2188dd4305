"""The catalogue's domain events: each one is published once, after the commit, by the service
that makes the change, with the record, the actor and (for changes) what the history recorded;
none for a rolled-back change; bulk imports publish per record only when someone listens."""

import io
from collections import defaultdict

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.contacts import services as contact_services
from clientela.core import event_types, events
from clientela.core.history import history_for
from clientela.intake.services import imports, webforms
from clientela.sales import services as sales_services
from clientela.sales.models import Pipeline
from clientela.support.services import cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """Every event published while the block runs, as ``(name, record, actor, changes)``,
    collected when the commit callbacks run (the block's end)."""
    calls = []

    def listener(name, *, record, actor=None, changes=None, **_extra):
        calls.append((name, record, actor, changes))

    events.subscribe("*")(listener)
    yield calls
    events.unsubscribe("*", listener)


@pytest.fixture
def only_test_subscribers(monkeypatch):
    """The apps' own subscribers (webhooks...) set aside: the test's are the only ones."""
    monkeypatch.setattr(events, "_subscribers", defaultdict(list))


def names(calls):
    return [name for name, *_rest in calls]


@pytest.fixture
def pipeline(admin_user):
    Pipeline.objects.all().delete()
    return sales_services.create_pipeline(
        actor=admin_user,
        name="New business",
        stages=[("Proposal", 40, "open"), ("Offer", 60, "open"), ("Won", 100, "won")]
        + [("Lost", 0, "lost")],
        is_default=True,
    )


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def test_the_catalogue_names_each_event_once_with_a_record_model():
    assert len(event_types.EVENTS) == len(event_types.EVENT_TYPES) == 19
    for event in event_types.EVENT_TYPES:
        assert apps.get_model(event.model)._meta.model_name in {
            "contact",
            "company",
            "deal",
            "purchase",
            "case",
            "formsubmission",
            "activity",
        }


def test_contact_events_come_once_after_commit_with_the_history_changes(
    admin_user, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ana = contact_services.create_contact(actor=admin_user, first_name="Ana")
        assert heard == []  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        contact_services.update_contact(ana, actor=admin_user, first_name="Anna")
    with django_capture_on_commit_callbacks(execute=True):
        contact_services.delete_records([ana], actor=admin_user)

    assert names(heard) == ["contact.created", "contact.updated", "contact.deleted"]
    assert [(r.pk, a) for _n, r, a, _c in heard] == [(ana.pk, admin_user)] * 3
    assert heard[1][3] == {"first_name": ["Ana", "Anna"]}
    assert heard[1][3] == history_for(ana).filter(action="update").get().changes


def test_a_rolled_back_change_publishes_nothing(
    admin_user, heard, django_capture_on_commit_callbacks
):
    ana = contact_services.create_contact(actor=admin_user, first_name="Ana")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        contact_services.update_contact(ana, actor=admin_user, first_name="Anna")
        contact_services.create_company(actor=admin_user, name="Ghost SL")
        raise RuntimeError("the caller fails afterwards")
    assert (callbacks, heard) == ([], [])


def test_company_events(admin_user, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        acme = contact_services.create_company(actor=admin_user, name="Acme")
        contact_services.update_company(acme, actor=admin_user, name="Acme SL")
        contact_services.delete_records([acme], actor=admin_user)

    assert names(heard) == ["company.created", "company.updated", "company.deleted"]
    assert heard[1][3] == {"name": ["Acme", "Acme SL"]}


def test_moving_a_deal_publishes_the_stage_change_then_the_win(
    admin_user, pipeline, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = sales_services.create_deal(actor=admin_user, name="Website", amount=1000)
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.move_deal(deal, stage(pipeline, "Offer"), actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.update_deal(deal, actor=admin_user, stage=stage(pipeline, "Won"))

    assert names(heard) == [
        "deal.created",
        "deal.updated",
        "deal.stage_changed",
        "deal.updated",
        "deal.stage_changed",
        "deal.won",
    ]
    proposal, offer, won = (stage(pipeline, n).pk for n in ("Proposal", "Offer", "Won"))
    assert heard[2][3]["stage"] == [proposal, offer]
    assert heard[5][3]["stage"] == [offer, won]
    assert heard[5][1].pk == deal.pk


def test_a_lost_deal_and_a_plain_change_and_the_trash(
    admin_user, pipeline, heard, django_capture_on_commit_callbacks
):
    deal = sales_services.create_deal(actor=admin_user, name="Website", amount=1000)
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.update_deal(deal, actor=admin_user, amount=1200)
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.move_deal(deal, stage(pipeline, "Lost"), actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        sales_services.delete_deals([deal], actor=admin_user)

    assert names(heard) == [
        "deal.updated",
        "deal.updated",
        "deal.stage_changed",
        "deal.lost",
        "deal.deleted",
    ]


def test_a_recorded_purchase(admin_user, heard, django_capture_on_commit_callbacks):
    ana = contact_services.create_contact(actor=admin_user, first_name="Ana")
    with django_capture_on_commit_callbacks(execute=True):
        purchase, _created = sales_services.record_purchase(
            actor=admin_user,
            contact=ana,
            total_amount="25.00",
            currency="EUR",
            purchased_at=timezone.now(),
        )
    assert [(n, r.pk) for n, r, _a, _c in heard] == [("purchase.created", purchase.pk)]


def test_case_status_changes_and_resolution(admin_user, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.create_case(actor=admin_user, subject="Broken", from_customer=False)
    with django_capture_on_commit_callbacks(execute=True):
        cases.update_case(case, actor=admin_user, priority="high")
    with django_capture_on_commit_callbacks(execute=True):
        cases.change_status(case, "resolved", actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        cases.change_status(case, "closed", actor=admin_user)

    assert names(heard) == [
        "case.created",
        "case.updated",
        "case.updated",
        "case.status_changed",
        "case.resolved",
        "case.updated",
        "case.status_changed",  # resolved -> closed: not resolved a second time
    ]
    assert heard[3][3]["status"] == ["new", "resolved"]
    assert heard[6][3]["status"] == ["resolved", "closed"]


def test_a_customer_writing_again_reopens_with_a_status_change_and_no_actor(
    admin_user, heard, django_capture_on_commit_callbacks
):
    case = cases.create_case(actor=admin_user, subject="Broken", status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        cases.add_customer_message(case, "Still broken")
    assert names(heard) == ["case.updated", "case.status_changed"]
    assert heard[1][2:] == (None, heard[0][3])
    assert heard[1][3]["status"] == ["resolved", "open"]


def test_a_form_submission_carries_the_submission(
    admin_user, heard, django_capture_on_commit_callbacks
):
    form = webforms.create_form(
        actor=admin_user, name="Contact us", fields=[{"name": "email", "required": True}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        webforms.submit_form(form, {"email": "pau@example.com"})

    submitted = [call for call in heard if call[0] == "form.submitted"]
    assert len(submitted) == 1
    _name, submission, actor, _changes = submitted[0]
    assert (submission.form_id, submission.data, actor) == (
        form.pk,
        {"email": "pau@example.com"},
        None,
    )
    assert "contact.created" in names(heard) and "activity.created" in names(heard)


def test_an_activity_logged(admin_user, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = activity_services.log_activity(actor=admin_user, kind="task", subject="Call back")
    assert [(n, r.pk, a) for n, r, a, _c in heard] == [("activity.created", task.pk, admin_user)]


class Upload(io.BytesIO):
    name = "people.csv"


def run_import(actor, text):
    job = imports.start_import(Upload(text.encode()), "people.csv", kind="contacts", actor=actor)
    job = imports.configure_import(job, actor=actor, mapping=job.mapping, enqueue=False)
    return imports.run_import_job(job.pk)


PEOPLE = "First Name,Email,Company\nNúria,nuria@example.com,Puig SL\nPere,pere@example.com,\n"


def test_an_import_nobody_listens_to_publishes_nothing(
    admin_user, django_capture_on_commit_callbacks, only_test_subscribers
):
    def deaf(name, **payload):
        raise AssertionError("never called")

    events.subscribe("*", wants=lambda name: False)(deaf)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            job = run_import(admin_user, PEOPLE)
    finally:
        events.unsubscribe("*", deaf)
    assert job.created == 2
    assert callbacks == []


def test_an_import_someone_listens_to_publishes_each_new_record(
    admin_user, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(admin_user, PEOPLE)
    created = sorted(
        (n, str(r)) for n, r, _a, _c in heard if n in ("contact.created", "company.created")
    )
    assert created == [
        ("company.created", "Puig SL"),
        ("contact.created", "Núria"),
        ("contact.created", "Pere"),
    ]
    assert {a for _n, _r, a, _c in heard} == {admin_user}


def test_a_subscriber_that_wants_only_some_events_costs_nothing_for_the_others(
    admin_user, django_capture_on_commit_callbacks, only_test_subscribers
):
    seen = []

    def deals_only(name, **payload):
        seen.append(name)

    events.subscribe("*", wants=lambda name: name.startswith("deal."))(deals_only)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            contact_services.create_contact(actor=admin_user, first_name="Ana")
        assert not events.is_wanted("contact.created")
        assert events.is_wanted("deal.won")
    finally:
        events.unsubscribe("*", deals_only)
    assert (callbacks, seen) == ([], [])
