"""The engine: moves due enrollments on, step after step, until a wait or the end.

Each enrollment is advanced in one transaction that holds its row: locked rows are skipped by
other workers on PostgreSQL (``skip_locked``), and SQLite runs write transactions one at a
time. The row is read again inside the transaction and must still be due, and the step's
outcome (the next position and time) is written in that same transaction: a second pass, or
a second worker, finds nothing due and sends nothing. E-mail leaves after the commit, so a
rolled-back step sends nothing either (a crash between the commit and the send loses that
one message rather than sending it twice).
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from clientela.activities.choices import ActivityKind, Direction
from clientela.activities.models import Activity
from clientela.contacts.choices import ConsentStatus
from clientela.contacts.models import Contact
from clientela.sales.models import Purchase

from .. import rules
from ..choices import (
    BranchThen,
    EnrollmentStatus,
    ExitReason,
    SequenceStatus,
    StepKind,
    StepOutcome,
)
from ..models import Enrollment
from . import mail

BATCH = 100
MAX_STEPS_AT_ONCE = 60  # more than a sequence has: waits end every loop (``steps``)


@dataclass
class Outcome:
    """What a step leads to: the next position (and when), or an exit."""

    position: int | None = None
    wait: object = None  # a timedelta
    exit: str = ""


def advance_due(*, now=None, batch=BATCH):
    """Advance every due enrollment of an active sequence; returns how many moved."""
    now = now or timezone.now()
    moved, last = 0, 0
    while True:
        ids = list(
            Enrollment.objects.filter(
                status=EnrollmentStatus.ACTIVE,
                next_run_at__lte=now,
                sequence__status=SequenceStatus.ACTIVE,
                sequence__deleted_at__isnull=True,
                id__gt=last,
            )
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return moved
        for enrollment_id in ids:
            moved += advance(enrollment_id, now=now)
        last = ids[-1]


def advance(enrollment_id, *, now=None):
    """Run the due steps of one enrollment; returns 1 when it moved, 0 when it was not due
    (any more) or another worker holds it."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = Enrollment.objects.filter(
            pk=enrollment_id, status=EnrollmentStatus.ACTIVE, next_run_at__lte=now
        )
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        enrollment = rows.select_related("sequence").first()
        if enrollment is None or not enrollment.sequence.is_active:
            return 0
        contact = (
            Contact.all_objects.select_related("company", "owner")
            .prefetch_related("emails")
            .get(pk=enrollment.contact_id)
        )
        enrollment.contact = contact
        _run(enrollment, contact, now)
        return 1


def _run(enrollment, contact, now):
    from ..services import sequences as services

    reason = exit_reason(enrollment, contact)
    if reason:
        services.finish(enrollment, EnrollmentStatus.EXITED, reason, now=now)
        return
    steps = {step.position: step for step in enrollment.sequence.steps.all()}
    for _n in range(MAX_STEPS_AT_ONCE):
        step = steps.get(enrollment.position)
        if step is None:
            services.finish(enrollment, EnrollmentStatus.COMPLETED, ExitReason.COMPLETED, now=now)
            return
        outcome = _STEPS[step.kind](step, enrollment, contact, now)
        if outcome.exit:
            services.finish(enrollment, EnrollmentStatus.EXITED, outcome.exit, now=now)
            return
        enrollment.position = outcome.position
        if outcome.wait is not None:
            enrollment.next_run_at = now + outcome.wait
            enrollment.save(update_fields=["position", "next_run_at"])
            return
    # A loop the checks let through (steps changed under way): try again in an hour.
    enrollment.next_run_at = now + timezone.timedelta(hours=1)
    enrollment.save(update_fields=["position", "next_run_at"])


def exit_reason(enrollment, contact):
    """Why ``enrollment`` ends before its next step, or ``""``: the contact was deleted,
    anonymised or withdrew consent (always), bought again or replied (as the sequence says)."""
    if contact.deleted_at is not None:
        return ExitReason.CANCELLED
    if contact.anonymised_at is not None:
        return ExitReason.NO_CONSENT
    if contact.consent_status == ConsentStatus.WITHDRAWN:
        return ExitReason.UNSUBSCRIBED
    sequence = enrollment.sequence
    if sequence.exit_on_purchase and bought_again(enrollment).exists():
        return ExitReason.PURCHASED
    if sequence.exit_on_reply and replies(enrollment).exists():
        return ExitReason.REPLIED
    return ""


def bought_again(enrollment):
    """The contact's purchases since the enrollment started, but the one that started it."""
    purchases = Purchase.objects.filter(
        contact_id=enrollment.contact_id,
        purchased_at__gte=enrollment.started_at,
        status="completed",
    )
    if enrollment.record_type == "purchase" and enrollment.record_id:
        purchases = purchases.exclude(pk=enrollment.record_id)
    return purchases


def replies(enrollment):
    """E-mail received from the contact since the enrollment started."""
    return Activity.objects.filter(
        contact_id=enrollment.contact_id,
        kind=ActivityKind.EMAIL,
        direction=Direction.INBOUND,
    ).filter(Q(timeline_at__gte=enrollment.started_at) | Q(created_at__gte=enrollment.started_at))


# --- the steps ----------------------------------------------------------------------------------


def _log(enrollment, step, outcome, detail="", now=None):
    from ..services import sequences as services

    return services.log(enrollment, step.kind, outcome, detail, position=step.position, now=now)


def _email(step, enrollment, contact, now):
    reason, address = mail.refusal(contact)
    if reason:
        _log(enrollment, step, StepOutcome.SKIPPED, address, now)
        return Outcome(exit=reason)
    template = step.template
    if template is None or template.deleted_at is not None:
        _log(enrollment, step, StepOutcome.SKIPPED, "the e-mail template is gone", now)
        return Outcome(position=step.position + 1)
    try:
        message = mail.compose(enrollment, template, address)
    except LookupError as error:  # a template without any variant
        _log(enrollment, step, StepOutcome.FAILED, str(error), now)
        return Outcome(position=step.position + 1)
    event = _log(enrollment, step, StepOutcome.DONE, address, now)
    mail.send_after_commit(message, event.pk)
    return Outcome(position=step.position + 1)


def _task(step, enrollment, contact, now):
    from clientela.activities import services as activities

    owner = step.task_owner if step.task_owner and step.task_owner.is_active else None
    if owner is None and step.task_team_id is None:
        owner = contact.owner  # nobody given: the contact's owner
    # Counted from when the task is written: a run given an earlier ``now`` (a late worker, a
    # test) must not make a task due before it was created.
    start = max(now, timezone.now())
    task = activities.log_activity(
        actor=None,
        kind=ActivityKind.TASK,
        subject=step.subject,
        due_at=start + timezone.timedelta(days=step.due_in_days),
        owner=owner,
        team=step.task_team,
        contact=contact,
    )
    _log(enrollment, step, StepOutcome.DONE, f"task {task.pk}", now)
    return Outcome(position=step.position + 1)


def _wait(step, enrollment, contact, now):
    _log(enrollment, step, StepOutcome.DONE, "", now)
    return Outcome(position=step.position + 1, wait=step.wait)


def _branch(step, enrollment, contact, now):
    try:
        q = rules.to_q("contact", step.rules, now=now)
        matched = Contact.all_objects.filter(pk=contact.pk).filter(q).exists()
    except rules.RuleError as error:  # a field or product it names is gone: go on
        _log(enrollment, step, StepOutcome.FAILED, "; ".join(error.messages), now)
        return Outcome(position=step.position + 1)
    _log(enrollment, step, StepOutcome.DONE, "matched" if matched else "not matched", now)
    if not matched or step.then == BranchThen.CONTINUE:
        return Outcome(position=step.position + 1)
    if step.then == BranchThen.JUMP and step.jump_to:
        return Outcome(position=step.jump_to)
    return Outcome(exit=ExitReason.BRANCH)


_STEPS = {
    StepKind.EMAIL: _email,
    StepKind.TASK: _task,
    StepKind.WAIT: _wait,
    StepKind.BRANCH: _branch,
}
