"""Workflow rules (when this happens to a record, and it matches these conditions, do these
actions) and the log of their runs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import RunStatus, TriggerKind, WorkflowEntity

MAX_NAME = 120
MAX_ERROR = 1000


class WorkflowRule(models.Model):
    """A rule: a trigger (an event, a date, a schedule) with its options, conditions (a rule
    tree of ``marketing.rules`` over the record, or over the contact of a case, purchase or
    form submission) and an ordered list of actions. ``version`` is its ETag."""

    name = models.CharField(_("name"), max_length=MAX_NAME)
    active = models.BooleanField(_("active"), default=True)
    entity = models.CharField(_("record type"), max_length=20, choices=WorkflowEntity.choices)
    trigger = models.CharField(_("trigger"), max_length=30, choices=TriggerKind.choices)
    trigger_options = models.JSONField(_("trigger options"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    run_count = models.PositiveIntegerField(_("runs"), default=0)
    failure_count = models.PositiveIntegerField(_("failures"), default=0)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_status = models.CharField(
        _("last outcome"), max_length=20, choices=RunStatus.choices, blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("workflow rule")
        verbose_name_plural = _("workflow rules")

    def __str__(self):
        return self.name

    @property
    def etag(self):
        return f'"{self.pk}-{self.version}"'


class WorkflowRun(models.Model):
    """One run of a rule for one record: queued when the trigger and conditions matched, then
    succeeded or failed with each action's result; or ``loop_stopped`` (with the ``chain`` of
    rules whose changes led here), ``skipped`` (the rule or record gone by then), ``dry_run``.

    ``event_key`` names what caused it (an event's id, ``date:2026-11-24``, a schedule's slot);
    one run per (rule, record, key) makes the runs idempotent."""

    rule = models.ForeignKey(WorkflowRule, on_delete=models.CASCADE, related_name="runs")
    entity = models.CharField(_("record type"), max_length=20, choices=WorkflowEntity.choices)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    event = models.CharField(_("event"), max_length=60, blank=True)
    event_key = models.CharField(_("cause"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    chain = models.JSONField(_("rules that led here"), default=list, blank=True)
    results = models.JSONField(_("action results"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=MAX_ERROR, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("workflow run")
        verbose_name_plural = _("workflow runs")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "record_id", "event_key"],
                condition=~models.Q(event_key=""),
                name="workflowrun_once_per_cause",
            )
        ]
        indexes = [
            # A rule's log, newest first, whole or by status.
            models.Index(fields=["rule", "-id"], name="workflowrun_log_idx"),
            models.Index(fields=["rule", "status", "-id"], name="workflowrun_status_idx"),
            # How often a rule ran for a record lately (loop protection).
            models.Index(fields=["rule", "record_id", "created_at"], name="workflowrun_rate_idx"),
        ]

    def __str__(self):
        return f"{self.rule_id} → {self.entity} {self.record_id} ({self.status})"
