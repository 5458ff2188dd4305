"""Follow-up sequences: write them with their steps, turn them on and off, enrol contacts,
cancel and end enrollments.

``enroll(sequence, contact, *, source, record=None)`` is what events, people, the API and the
workflow action "add to sequence" call; the engine (``marketing.sequences.runner``, the job
``advance_sequences``) moves enrollments on.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.models import Contact
from clientela.core import permissions, records
from clientela.core import services as core_services

from ..choices import EnrollmentStatus, ExitReason, SequenceStatus, StepOutcome
from ..models import Enrollment, EnrollmentEvent, Sequence, SequenceStep
from ..sequences import cache, steps, triggers

SEQUENCE_FIELDS = (
    "name",
    "description",
    "trigger",
    "trigger_options",
    "exit_on_reply",
    "exit_on_purchase",
    "reenroll",
    "from_name",
    "from_email",
    "reply_to",
    "owner",
    "team",
)
SOURCE_MANUAL, SOURCE_AUTOMATION = "manual", "automation"
MAX_SOURCE = 40


@transaction.atomic
def create_sequence(*, actor, steps=(), tags=(), **fields):
    """A new sequence (a draft) with its ``steps`` (mappings, see ``sequences.steps``)."""
    sequence = Sequence(**_check_fields(fields))
    sequence.created_at = sequence.updated_at = timezone.now()
    cleaned = _clean(sequence, steps)
    with records.track_create(sequence, actor=actor):
        sequence.save()
        if tags:
            sequence.tags.set(core_services.resolve_tags(tags))
        _write_steps(sequence, cleaned)
    cache.changed()
    return sequence


@transaction.atomic
def update_sequence(sequence, *, actor, expected_version=None, steps=None, tags=None, **fields):
    """Change a sequence; ``steps`` (when given) replace its steps. Enrollments keep their
    position: one past the new last step completes."""
    sequence = Sequence.all_objects.select_for_update().get(pk=sequence.pk)
    fields = _check_fields(fields)
    with records.track_update(sequence, actor=actor, expected_version=expected_version) as change:
        for name, value in fields.items():
            setattr(sequence, name, value)
        current = None if steps is not None else _current_steps(sequence)
        cleaned = _clean(sequence, steps if steps is not None else current)
        if sequence.status == SequenceStatus.ACTIVE and not cleaned:
            raise ValidationError({"steps": [_("An active sequence needs at least one step.")]})
        sequence.save()
        if tags is not None:
            sequence.tags.set(core_services.resolve_tags(tags))
        if steps is not None and _step_rows(cleaned) != _step_rows(_current_steps(sequence)):
            _write_steps(sequence, cleaned)
            change.add("steps", None, len(cleaned))
    cache.changed()
    return sequence


def delete_sequences(items, *, actor):
    """Move sequences to the trash; their active enrollments stop where they are."""
    result = core_services.delete_records(items, actor=actor)
    cache.changed()
    return result


@transaction.atomic
def activate_sequence(sequence, *, actor):
    """Enrol contacts from now on and move enrollments on (again, for a paused one)."""
    sequence = _locked(sequence, [SequenceStatus.DRAFT, SequenceStatus.PAUSED])
    if not sequence.steps.exists():
        raise ValidationError({"steps": [_("Add at least one step before activating it.")]})
    return _set_status(sequence, actor, SequenceStatus.ACTIVE)


@transaction.atomic
def pause_sequence(sequence, *, actor):
    """Nobody new comes in; enrollments wait where they are until it is active again."""
    return _set_status(_locked(sequence, [SequenceStatus.ACTIVE]), actor, SequenceStatus.PAUSED)


@transaction.atomic
def archive_sequence(sequence, *, actor):
    """Over for good: its active enrollments are cancelled."""
    sequence = _locked(
        sequence, [SequenceStatus.DRAFT, SequenceStatus.ACTIVE, SequenceStatus.PAUSED]
    )
    now = timezone.now()
    for enrollment in sequence.enrollments.filter(status=EnrollmentStatus.ACTIVE):
        _finish(enrollment, EnrollmentStatus.CANCELLED, ExitReason.CANCELLED, now=now)
    return _set_status(sequence, actor, SequenceStatus.ARCHIVED)


# --- enrollments --------------------------------------------------------------------------------


def visible_enrollments(user, sequence):
    """The enrollments of ``sequence`` whose contact ``user`` may see (trashed ones too)."""
    contacts = permissions.visible(user, Contact.all_objects.all()).values("pk")
    return Enrollment.objects.filter(sequence=sequence, contact__in=contacts)


def enrollment_refusal(sequence, contact):
    """Why ``contact`` cannot be enrolled in ``sequence`` now (a message), or ``None``."""
    if not sequence.is_active:
        return _("Only an active sequence takes contacts in.")
    if contact.deleted_at is not None or contact.anonymised_at is not None:
        return _("This contact is in the trash or was anonymised.")
    previous = Enrollment.objects.filter(sequence=sequence, contact=contact)
    if previous.filter(status=EnrollmentStatus.ACTIVE).exists():
        return _("This contact is going through this sequence already.")
    if not sequence.reenroll and previous.exists():
        return _("This contact went through this sequence before, and it may not be repeated.")
    return None


def enroll(sequence, contact, *, source, record=None, explain=False):
    """Put ``contact`` at the first step of ``sequence`` (run by the next pass of the engine,
    within a minute). ``source``: the event's name, "manual" or "automation"; ``record``: what
    started it (a purchase...). Returns the enrollment, or ``None`` when the contact is not
    taken in (the sequence is not active, they are in it already, or went through it and it
    may not be repeated) — with ``explain``, a ``ValidationError`` saying why instead."""
    try:
        with transaction.atomic():
            sequence = Sequence.objects.filter(pk=sequence.pk).first() or sequence
            contact = Contact.all_objects.get(pk=getattr(contact, "pk", contact))
            refusal = enrollment_refusal(sequence, contact)
            if refusal:
                if explain:
                    raise ValidationError({"contact": [refusal]})
                return None
            now = timezone.now()
            return Enrollment.objects.create(
                sequence=sequence,
                contact=contact,
                status=EnrollmentStatus.ACTIVE,
                position=1,
                next_run_at=now,
                started_at=now,
                source=str(source)[:MAX_SOURCE],
                record_type=record._meta.model_name if record is not None else "",
                record_id=getattr(record, "pk", None),
            )
    except IntegrityError:
        # Enrolled at the same moment by another process (the partial unique constraint).
        if explain:
            message = _("This contact is going through this sequence already.")
            raise ValidationError({"contact": [message]}) from None
        return None


@transaction.atomic
def cancel(enrollment, *, actor=None):
    """Stop an active enrollment by hand (or the API): it goes no further."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(_("Only an enrollment in progress can be cancelled."))
    detail = getattr(actor, "username", "") if actor is not None else ""
    return _finish(enrollment, EnrollmentStatus.CANCELLED, ExitReason.CANCELLED, detail=detail)


@transaction.atomic
def exit(enrollment, reason, *, detail=""):
    """End an active enrollment early for ``reason`` (an ``ExitReason``); returns whether it
    was still active."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.ACTIVE:
        return False
    _finish(enrollment, EnrollmentStatus.EXITED, reason, detail=detail)
    return True


def exit_enrollments(enrollments, reason):
    """``exit`` each of ``enrollments`` (a queryset); returns how many ended."""
    return sum(exit(enrollment, reason) for enrollment in enrollments)


def _finish(enrollment, status, reason, *, now=None, detail=""):
    now = now or timezone.now()
    enrollment.status = status
    enrollment.exit_reason = reason
    enrollment.finished_at = now
    enrollment.next_run_at = None
    enrollment.save(update_fields=["status", "exit_reason", "finished_at", "next_run_at"])
    log(enrollment, "exit", StepOutcome.DONE, reason if not detail else f"{reason}: {detail}")
    return enrollment


finish = _finish


def log(enrollment, kind, outcome, detail="", *, position=None, now=None):
    """One line of the enrollment's run log."""
    return EnrollmentEvent.objects.create(
        enrollment=enrollment,
        sequence_id=enrollment.sequence_id,
        position=enrollment.position if position is None else position,
        kind=kind,
        outcome=outcome,
        detail=str(detail)[:500],
        at=now or timezone.now(),
    )


# --- helpers ------------------------------------------------------------------------------------


def _locked(sequence, statuses):
    sequence = Sequence.all_objects.select_for_update().get(pk=sequence.pk)
    if sequence.status not in statuses:
        raise ValidationError(
            _("This cannot be done to a sequence that is %(status)s.")
            % {"status": sequence.get_status_display().lower()}
        )
    return sequence


def _set_status(sequence, actor, status):
    with records.track_update(sequence, actor=actor):
        sequence.status = status
        sequence.save()
    cache.changed()
    return sequence


def _check_fields(fields):
    unknown = set(fields) - set(SEQUENCE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _clean(sequence, step_list):
    """Check the sequence and its steps; returns the steps' values to write."""
    errors = {}
    sequence.name = " ".join((sequence.name or "").split())
    if not sequence.name:
        errors["name"] = [_("Give the sequence a name.")]
    try:
        sequence.trigger_options = triggers.clean(sequence.trigger, sequence.trigger_options)
    except ValidationError as error:
        errors.update(error.message_dict)
    cleaned = []
    try:
        cleaned = steps.clean(list(step_list or []))
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        sequence.full_clean(
            exclude=["trigger_options", "owner", "team"], validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _current_steps(sequence):
    return [
        {
            "kind": s.kind,
            "template": s.template_id,
            "subject": s.subject,
            "due_in_days": s.due_in_days,
            "task_owner": s.task_owner_id,
            "task_team": s.task_team_id,
            "wait_days": s.wait_days,
            "wait_hours": s.wait_hours,
            "rules": s.rules,
            "then": s.then,
            "jump_to": s.jump_to,
        }
        for s in SequenceStep.objects.filter(sequence=sequence).order_by("position")
    ]


def _step_rows(step_list):
    """Comparable form of steps, cleaned or as stored."""
    rows = []
    for step in step_list:
        rows.append(
            tuple(
                step.get(key, step.get(key.removesuffix("_id")))
                for key in (
                    "kind",
                    "template_id",
                    "subject",
                    "due_in_days",
                    "task_owner_id",
                    "task_team_id",
                    "wait_days",
                    "wait_hours",
                    "then",
                    "jump_to",
                )
            )
            + (repr(step.get("rules") or {}),)
        )
    return rows


def _write_steps(sequence, cleaned):
    SequenceStep.objects.filter(sequence=sequence).delete()
    SequenceStep.objects.bulk_create(
        [
            SequenceStep(
                sequence=sequence,
                position=values["position"],
                kind=values["kind"],
                template_id=values.get("template_id"),
                subject=values["subject"],
                due_in_days=values["due_in_days"],
                task_owner_id=values.get("task_owner_id"),
                task_team_id=values.get("task_team_id"),
                wait_days=values["wait_days"],
                wait_hours=values["wait_hours"],
                rules=values["rules"] or {},
                then=values["then"],
                jump_to=values["jump_to"],
            )
            for values in cleaned
        ]
    )
