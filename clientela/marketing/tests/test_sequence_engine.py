"""The engine and the events: exits (replied, unsubscribed, consent withdrawn, no consent),
branch steps, tasks, re-enrolment, events from forms and deals, the workflow action "add to
sequence", no e-mail twice when the job runs twice or on two workers, one active enrollment
per contact under concurrent enrolment."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from clientela.activities import services as activities
from clientela.activities.models import Activity
from clientela.contacts.privacy import consent
from clientela.marketing import tracking
from clientela.marketing.choices import EnrollmentStatus, ExitReason
from clientela.marketing.models import Enrollment, EnrollmentEvent
from clientela.marketing.services import engagement, sequences
from clientela.marketing.tests.world import NOW  # noqa: F401  (a fixed moment, for reading)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
BOUGHT_TWICE = {
    "op": "and",
    "rules": [{"field": "purchases.count", "operator": "gte", "value": 2}],
}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def make_sequence(admin_user):
    def make(steps, **fields):
        fields.setdefault("name", "Seguiment")
        sequence = sequences.create_sequence(actor=admin_user, steps=steps, **fields)
        return sequences.activate_sequence(sequence, actor=admin_user)

    return make


def two_mails(make_template, **fields):
    return [
        {"kind": "email", "template": make_template("Primer")},
        {"kind": "wait", "wait_hours": 1},
        {"kind": "email", "template": make_template("Segon")},
    ]


def state(enrollment):
    enrollment.refresh_from_db()
    return enrollment.status, enrollment.exit_reason


def test_a_reply_ends_the_sequence(
    make_sequence, make_template, make_contact, committed, run_sequences, mailoutbox
):
    sequence = make_sequence(two_mails(make_template), exit_on_reply=True)
    anna = make_contact("anna@example.com")
    enrollment = sequences.enroll(sequence, anna, source="manual")
    run_sequences()
    assert len(mailoutbox) == 1
    with committed():
        activities.log_activity(
            actor=None,
            kind="email",
            direction="in",
            subject="Re: Primer",
            contact=anna,
            from_address="anna@example.com",
        )
    assert state(enrollment) == (EnrollmentStatus.EXITED, ExitReason.REPLIED)
    run_sequences(timezone.now() + 2 * HOUR)
    assert len(mailoutbox) == 1


def test_a_reply_found_by_the_engine_when_the_event_was_missed(
    make_sequence, make_template, make_contact, run_sequences, mailoutbox
):
    sequence = make_sequence(two_mails(make_template), exit_on_reply=True)
    anna = make_contact("anna@example.com")
    enrollment = sequences.enroll(sequence, anna, source="manual")
    run_sequences()
    Activity.objects.create(kind="email", direction="in", contact=anna, timeline_at=timezone.now())
    run_sequences(timezone.now() + 2 * HOUR)
    assert state(enrollment) == (EnrollmentStatus.EXITED, ExitReason.REPLIED)
    assert len(mailoutbox) == 1


def test_the_one_click_unsubscribe_of_a_sequence_email_ends_every_sequence(
    client,
    make_sequence,
    make_template,
    make_contact,
    run_sequences,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    first = make_sequence(two_mails(make_template))
    second = make_sequence([{"kind": "wait", "wait_days": 3}], name="Altra")
    anna = make_contact("anna@example.com")
    enrollment = sequences.enroll(first, anna, source="manual")
    other = sequences.enroll(second, anna, source="manual")
    run_sequences()
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://crm.example.com")
    forged = path.replace(path.split("/")[-2], f"{enrollment.pk}.{'0' * 32}")
    assert client.post(forged, {"List-Unsubscribe": "One-Click"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert (response.status_code, response.content) == (200, b"Unsubscribed.\n")
    anna.refresh_from_db()
    assert anna.consent_status == "withdrawn"
    assert state(enrollment) == (EnrollmentStatus.EXITED, ExitReason.UNSUBSCRIBED)
    assert state(other) == (EnrollmentStatus.EXITED, ExitReason.UNSUBSCRIBED)
    run_sequences(timezone.now() + 2 * HOUR)
    assert len(mailoutbox) == 1


def test_consent_withdrawn_elsewhere_ends_it(make_sequence, make_template, make_contact, committed):
    sequence = make_sequence(two_mails(make_template))
    anna = make_contact("anna@example.com")
    enrollment = sequences.enroll(sequence, anna, source="manual")
    with committed():
        consent.withdraw_consent(anna, actor=None, source="phone")
    assert state(enrollment) == (EnrollmentStatus.EXITED, ExitReason.UNSUBSCRIBED)


@pytest.mark.parametrize(
    ("consent_status", "suppressed", "email", "reason"),
    [
        ("unknown", False, "anna@example.com", ExitReason.NO_CONSENT),
        ("withdrawn", False, "anna@example.com", ExitReason.UNSUBSCRIBED),
        ("granted", True, "anna@example.com", ExitReason.NO_CONSENT),
        ("granted", False, "", ExitReason.NO_CONSENT),
    ],
)
def test_no_email_without_consent_or_to_a_suppressed_address(
    make_sequence,
    make_template,
    make_contact,
    run_sequences,
    mailoutbox,
    consent_status,
    suppressed,
    email,
    reason,
):
    sequence = make_sequence(two_mails(make_template))
    anna = make_contact(email, consent=consent_status, first_name="Anna")
    if suppressed:
        engagement.suppress(email, "bounce")
    enrollment = sequences.enroll(sequence, anna, source="manual")
    run_sequences()
    assert mailoutbox == []
    assert state(enrollment) == (EnrollmentStatus.EXITED, reason)


def test_branch_exits_or_jumps_and_tasks_go_to_the_contact_owner(
    make_sequence, make_template, make_contact, make_user, run_sequences, mailoutbox, committed
):
    from clientela.sales.services import purchases

    owner = make_user("sales", username="marta")
    sequence = make_sequence(
        [
            {"kind": "branch", "rules": BOUGHT_TWICE, "then": "jump", "jump_to": 4},
            {"kind": "email", "template": make_template("Compra una altra vegada")},
            {"kind": "branch", "rules": BOUGHT_TWICE, "then": "exit"},
            {"kind": "task", "subject": "Truca a un bon client", "due_in_days": 2},
        ]
    )
    loyal = make_contact("anna@example.com", owner=owner)
    new = make_contact("pau@example.com", owner=owner)
    for _n in range(2):
        purchases.record_purchase(
            actor=None, contact=loyal, purchased_at=timezone.now(), total_amount=10
        )
    loyal_enrollment = sequences.enroll(sequence, loyal, source="manual")
    new_enrollment = sequences.enroll(sequence, new, source="manual")
    run_sequences()
    # Anna bought twice: straight to the task; Pau gets the e-mail and, still not a regular
    # customer, goes on to the task too.
    assert [m.to for m in mailoutbox] == [["pau@example.com"]]
    tasks = Activity.objects.filter(kind="task").order_by("contact_id")
    assert [(t.contact_id, t.owner_id, t.subject) for t in tasks] == [
        (loyal.pk, owner.pk, "Truca a un bon client"),
        (new.pk, owner.pk, "Truca a un bon client"),
    ]
    assert state(loyal_enrollment) == (EnrollmentStatus.COMPLETED, ExitReason.COMPLETED)
    assert state(new_enrollment) == (EnrollmentStatus.COMPLETED, ExitReason.COMPLETED)
    log = EnrollmentEvent.objects.filter(enrollment=loyal_enrollment).order_by("id")
    assert [(e.position, e.kind, e.detail) for e in log][:2] == [
        (1, "branch", "matched"),
        (4, "task", f"task {tasks[0].pk}"),
    ]


def test_branch_exit(make_sequence, make_template, make_contact, run_sequences):
    sequence = make_sequence(
        [
            {
                "kind": "branch",
                "rules": {
                    "op": "and",
                    "rules": [{"field": "first_name", "operator": "eq", "value": "Anna"}],
                },
                "then": "exit",
            },
            {"kind": "task", "subject": "Truca"},
        ]
    )
    enrollment = sequences.enroll(
        sequence, make_contact("anna@example.com", first_name="Anna"), source="manual"
    )
    run_sequences()
    assert state(enrollment) == (EnrollmentStatus.EXITED, ExitReason.BRANCH)
    assert not Activity.objects.filter(kind="task").exists()


def test_reenrolment_only_when_the_sequence_allows_it(
    admin_user, make_sequence, make_contact, run_sequences
):
    once = make_sequence([{"kind": "task", "subject": "Truca"}], name="Un cop")
    again = make_sequence([{"kind": "task", "subject": "Truca"}], name="Cada cop", reenroll=True)
    anna = make_contact("anna@example.com")
    for sequence in (once, again):
        assert sequences.enroll(sequence, anna, source="manual") is not None
        assert sequences.enroll(sequence, anna, source="manual") is None  # one active at a time
    run_sequences()
    assert sequences.enroll(once, anna, source="manual") is None
    assert sequences.enroll(again, anna, source="manual") is not None
    with pytest.raises(Exception, match="may not be repeated"):
        sequences.enroll(once, anna, source="manual", explain=True)


def test_paused_sequence_holds_its_contacts_until_it_is_active_again(
    admin_user, make_sequence, make_template, make_contact, run_sequences, mailoutbox
):
    sequence = make_sequence(two_mails(make_template))
    enrollment = sequences.enroll(sequence, make_contact("anna@example.com"), source="manual")
    sequences.pause_sequence(sequence, actor=admin_user)
    assert run_sequences() == 0
    sequences.activate_sequence(sequence, actor=admin_user)
    assert run_sequences() == 1
    assert len(mailoutbox) == 1
    assert enrollment.pk


def test_form_and_deal_events_enrol_their_contact(admin_user, make_contact, committed):
    from clientela.sales.models import Pipeline
    from clientela.sales.services import deals, pipelines

    Pipeline.objects.all().delete()
    pipeline = pipelines.create_pipeline(
        actor=admin_user,
        name="Vendes",
        is_default=True,
        stages=[("Nou", 10, "open"), ("Guanyat", 100, "won"), ("Perdut", 0, "lost")],
    )
    won = sequences.create_sequence(
        actor=admin_user,
        name="Benvinguda de client",
        trigger="stage_changed",
        trigger_options={"outcome": "won"},
        steps=[{"kind": "task", "subject": "Onboarding"}],
    )
    sequences.activate_sequence(won, actor=admin_user)
    anna = make_contact("anna@example.com")
    with committed():
        deal = deals.create_deal(actor=admin_user, name="Fibra", amount=100, contacts=[anna])
    with committed():
        deals.move_deal(deal, pipeline.stages.get(name="Nou"), actor=admin_user)
    assert not Enrollment.objects.exists()
    with committed():
        deals.move_deal(deal, pipeline.stages.get(name="Guanyat"), actor=admin_user)
    [enrollment] = Enrollment.objects.all()
    assert (enrollment.contact_id, enrollment.source, enrollment.record_type) == (
        anna.pk,
        "deal.won",
        "deal",
    )


def test_the_workflow_action_add_to_sequence_enrols(admin_user, make_contact, committed):
    from django_tasks_db.models import DBTaskResult

    from clientela.automation import jobs as automation_jobs
    from clientela.automation import services as automation
    from clientela.automation.workflows import actions
    from clientela.automation.workflows import cache as workflow_cache

    workflow_cache._forget()
    assert "add_to_sequence" in actions.kinds_for("contact")
    sequence = sequences.create_sequence(
        actor=admin_user, name="Nous contactes", steps=[{"kind": "wait", "wait_days": 1}]
    )
    sequences.activate_sequence(sequence, actor=admin_user)
    automation.create_rule(
        actor=admin_user,
        name="Nous a la seqüència",
        entity="contact",
        trigger="created",
        actions=[{"kind": "add_to_sequence", "sequence": sequence.pk}],
    )
    with committed():
        anna = make_contact("anna@example.com")
    path = automation_jobs.run_workflows.module_path
    for row in DBTaskResult.objects.filter(task_path=path):
        with committed():
            automation_jobs.run_workflows.call(*row.args_kwargs["args"])
    [enrollment] = Enrollment.objects.all()
    assert (enrollment.contact_id, enrollment.source) == (anna.pk, "automation")
    workflow_cache._forget()


def test_running_the_job_twice_sends_each_email_once(
    make_sequence, make_template, make_contact, run_sequences, mailoutbox
):
    from clientela.marketing import jobs

    sequence = make_sequence(two_mails(make_template))
    for name in ("anna", "pau", "rita"):
        sequences.enroll(sequence, make_contact(f"{name}@example.com"), source="manual")
    run_sequences()
    run_sequences()
    jobs.advance_sequences.call()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "anna@example.com",
        "pau@example.com",
        "rita@example.com",
    ]


def _sqlite_busy(error):
    return connections["default"].vendor == "sqlite" and "locked" in str(error)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_email_once(
    admin_user, make_template, make_contact, smtp_peer
):
    from clientela.marketing.sequences import runner

    steps = [{"kind": "email", "template": make_template("Hola")}, {"kind": "wait", "wait_days": 1}]
    sequence = sequences.create_sequence(actor=admin_user, name="Hola", steps=steps)
    sequences.activate_sequence(sequence, actor=admin_user)
    people = [make_contact(f"p{n}@example.com") for n in range(6)]
    for person in people:
        sequences.enroll(sequence, person, source="manual")
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            runner.advance_due()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e for e in errors if not _sqlite_busy(e)] == []
    sent = sorted(recipients[0] for recipients, _message in smtp_peer.messages)
    assert sent == sorted(f"p{n}@example.com" for n in range(6))
    assert EnrollmentEvent.objects.filter(kind="email").count() == 6


@pytest.mark.django_db(transaction=True)
def test_one_active_enrollment_per_contact_under_concurrent_enrolment(admin_user, make_contact):
    sequence = sequences.create_sequence(
        actor=admin_user, name="Hola", steps=[{"kind": "wait", "wait_days": 1}], reenroll=True
    )
    sequences.activate_sequence(sequence, actor=admin_user)
    anna = make_contact("anna@example.com")
    start = threading.Barrier(4)
    results = []

    def enrol():
        try:
            start.wait()
            results.append(sequences.enroll(sequence, anna, source="manual"))
        except Exception as error:  # noqa: BLE001
            results.append(error if not _sqlite_busy(error) else None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len([r for r in results if r is not None]) == 1
    assert Enrollment.objects.filter(contact=anna, status=EnrollmentStatus.ACTIVE).count() == 1


def test_the_unsubscribe_token_names_the_enrollment_only():
    token = tracking.token(tracking.SEQUENCE_UNSUBSCRIBE, 7)
    assert tracking.read_token(tracking.SEQUENCE_UNSUBSCRIBE, token) == 7
    assert tracking.read_token(tracking.UNSUBSCRIBE, token) is None
