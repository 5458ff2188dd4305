"""Daily rollups: the other apps' records counted per day (in the company's time zone) and per
the dimensions the reports filter and group by, so a dashboard reads thousands of rows instead
of millions.

Every rollup row carries the owner and team of what it counts, so the reader's scope applies to
the rollup exactly as it does to the records. Ids are plain integers, not foreign keys: a
rollup is derived data, rebuilt from the records, and must never stop a record from being
deleted. ``analytics.rollups`` keeps them current.
"""

from django.db import models
from django.utils import timezone


class RollupRow(models.Model):
    # "d": the counts of ``day``; "m": of the month starting on ``day`` (the sum of its days).
    span = models.CharField(max_length=1, default="d")
    day = models.DateField()
    owner_id = models.IntegerField(null=True)
    team_id = models.IntegerField(null=True)

    class Meta:
        abstract = True


class DealDay(RollupRow):
    """Deals created, won and lost (``event``), their value in the base currency and, for the
    closed ones, the hours from creation to close."""

    event = models.CharField(max_length=8)
    pipeline_id = models.IntegerField()
    region = models.CharField(max_length=100)
    source = models.CharField(max_length=20)
    deals = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    cycle_hours = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["span", "day", "event"], name="deal_day_idx")]

    def __str__(self):
        return f"{self.day} {self.event}"


class FunnelDay(RollupRow):
    """Deals created, by the furthest stage each has reached so far (lost stages aside): the
    funnel counts a deal at that stage and every stage before it."""

    pipeline_id = models.IntegerField()
    stage_id = models.IntegerField(null=True)
    region = models.CharField(max_length=100)
    source = models.CharField(max_length=20)
    deals = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["span", "day", "pipeline_id"], name="funnel_day_idx")]

    def __str__(self):
        return f"{self.day} {self.stage_id}"


class ContactDay(RollupRow):
    """Contacts created (leads by source), with their lifecycle stage today (the conversion)."""

    source = models.CharField(max_length=20)
    region = models.CharField(max_length=100)
    lifecycle_stage = models.CharField(max_length=20)
    contacts = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["span", "day"], name="contact_day_idx")]

    def __str__(self):
        return f"{self.day} {self.source}"


class CaseDay(RollupRow):
    """Cases opened, first answered and resolved (``event``), with the working time it took
    and how many of those with a due time met it."""

    event = models.CharField(max_length=10)
    channel = models.CharField(max_length=20)
    category_id = models.IntegerField(null=True)
    priority = models.CharField(max_length=10)
    region = models.CharField(max_length=100)
    cases = models.PositiveIntegerField()
    hours = models.FloatField(default=0)
    with_due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["span", "day", "event"], name="case_day_idx")]

    def __str__(self):
        return f"{self.day} {self.event}"


class ActivityDay(RollupRow):
    """Interactions logged: calls, meetings, e-mails, notes and tasks, by direction."""

    kind = models.CharField(max_length=10)
    direction = models.CharField(max_length=3)
    activities = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["span", "day"], name="activity_day_idx")]

    def __str__(self):
        return f"{self.day} {self.kind}"


class PurchaseDay(RollupRow):
    """Completed purchases and their revenue in the base currency, by sales channel."""

    channel = models.CharField(max_length=20)
    region = models.CharField(max_length=100)
    purchases = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["span", "day"], name="purchase_day_idx")]

    def __str__(self):
        return f"{self.day} {self.channel}"


class DirtyDay(models.Model):
    """A day of a rollup to count again: marked in the transaction that changes a record,
    recounted by the next report that reads the rollup or by the worker's round."""

    rollup = models.CharField(max_length=20)
    day = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rollup", "day"], name="dirty_day_unique"),
        ]

    def __str__(self):
        return f"{self.rollup} {self.day}"
