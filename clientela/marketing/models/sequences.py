"""Follow-up sequences: steps (e-mail, task, wait, branch) a contact goes through one after
another once enrolled, by an event (a purchase, a form, a deal's stage), by hand or by a
workflow rule; each contact's way through one is an ``Enrollment`` with its run log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord

from ..choices import (
    BranchThen,
    EnrollmentStatus,
    ExitReason,
    SequenceStatus,
    SequenceTrigger,
    StepKind,
    StepOutcome,
)


class Sequence(CrmRecord):
    """A series of steps. Only an active sequence enrols contacts and moves them on; a paused
    one keeps its enrollments where they are until it is active again."""

    permission_area = "marketing"
    search_indexed = False

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SequenceStatus.choices, default=SequenceStatus.DRAFT
    )
    trigger = models.CharField(
        _("starts when"),
        max_length=20,
        choices=SequenceTrigger.choices,
        default=SequenceTrigger.MANUAL,
    )
    # ``form_submitted`` {"form": id|None}; ``stage_changed`` {"stage": id|None, "outcome":
    # ""|"won"|"lost"}; the others none (``sequences.triggers``).
    trigger_options = models.JSONField(_("trigger options"), default=dict, blank=True)
    exit_on_reply = models.BooleanField(_("leave when they reply"), default=True)
    exit_on_purchase = models.BooleanField(_("leave when they buy again"), default=False)
    reenroll = models.BooleanField(_("may go through it again"), default=False)
    # Empty: the settings' sender (``DEFAULT_FROM_EMAIL``).
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    from_email = models.EmailField(_("sender address"), max_length=254, blank=True)
    reply_to = models.EmailField(_("replies to"), max_length=254, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")
        indexes = [
            models.Index(
                fields=["name", "id"],
                condition=Q(deleted_at__isnull=True),
                name="sequence_name_idx",
            ),
            models.Index(fields=["status", "trigger"], name="sequence_trigger_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.status == SequenceStatus.ACTIVE and self.deleted_at is None


class SequenceStep(models.Model):
    """One step, at ``position`` (1, 2, ...). Only the fields of its ``kind`` are used:
    ``template`` (e-mail); ``subject``, ``due_in_days``, ``task_owner``/``task_team`` (task:
    nobody given means the contact's owner); ``wait_days``/``wait_hours``; ``rules`` (a
    ``marketing.rules`` tree over the contact), ``then`` and ``jump_to`` (branch: when the
    contact matches; otherwise the next step)."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    template = models.ForeignKey(
        "marketing.EmailTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )
    subject = models.CharField(_("task"), max_length=200, blank=True)
    due_in_days = models.PositiveSmallIntegerField(_("due in days"), default=0)
    task_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task for"),
    )
    task_team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task for team"),
    )
    wait_days = models.PositiveSmallIntegerField(_("days"), default=0)
    wait_hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    rules = models.JSONField(_("condition"), default=dict, blank=True)
    then = models.CharField(
        _("when it matches"), max_length=10, choices=BranchThen.choices, blank=True
    )
    jump_to = models.PositiveSmallIntegerField(_("jump to step"), null=True, blank=True)

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="sequencestep_once")
        ]
        verbose_name = _("sequence step")
        verbose_name_plural = _("sequence steps")

    def __str__(self):
        return f"{self.position}. {self.get_kind_display()}"

    @property
    def wait(self):
        return timezone.timedelta(days=self.wait_days, hours=self.wait_hours)


class Enrollment(models.Model):
    """A contact going through a sequence: the step they are at (``position``, run at
    ``next_run_at``), how they came in (``source`` and the record that started it) and how
    they left. At most one active enrollment per sequence and contact."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="sequence_enrollments"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    position = models.PositiveSmallIntegerField(_("step"), default=1)
    next_run_at = models.DateTimeField(_("next step at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    exit_reason = models.CharField(
        _("why it ended"), max_length=15, choices=ExitReason.choices, blank=True
    )
    # "purchase.created", "form.submitted", "deal.won"..., "manual" or "automation".
    source = models.CharField(_("source"), max_length=40)
    record_type = models.CharField(_("started by"), max_length=30, blank=True)
    record_id = models.BigIntegerField(_("record id"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "contact"],
                condition=Q(status="active"),
                name="enrollment_one_active",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_run_at", "id"],
                condition=Q(status="active"),
                name="enrollment_due_idx",
            ),
            models.Index(fields=["sequence", "status", "id"], name="enrollment_sequence_idx"),
            models.Index(fields=["contact", "status"], name="enrollment_contact_idx"),
        ]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")

    def __str__(self):
        return f"{self.sequence_id}:{self.contact_id}"

    @property
    def is_active(self):
        return self.status == EnrollmentStatus.ACTIVE


class EnrollmentEvent(models.Model):
    """One line of an enrollment's run log: a step done, skipped or failed, or how it ended
    (``kind`` "exit")."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    # Denormalised for the per-step figures of a sequence (one indexed aggregate).
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("step"))
    kind = models.CharField(_("what"), max_length=10)
    outcome = models.CharField(_("outcome"), max_length=10, choices=StepOutcome.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["sequence", "position", "kind"], name="enrollmentevent_step_idx"),
            models.Index(fields=["enrollment", "id"], name="enrollmentevent_log_idx"),
        ]
        verbose_name = _("sequence run")
        verbose_name_plural = _("sequence runs")

    def __str__(self):
        return f"{self.enrollment_id} {self.position} {self.kind} {self.outcome}"
