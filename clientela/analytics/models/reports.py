"""What people build and keep: their own reports, dashboards of tiles, and reports e-mailed on
a schedule. A shared report or dashboard shares its definition, never its figures: everyone
reads it in their own scope."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Sharing


class SharedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those ``user`` made, and those shared with one of their teams or with everyone."""
        shared = Q(sharing=Sharing.EVERYONE) | Q(sharing=Sharing.TEAM, team__in=user.team_ids())
        return self.filter(Q(owner=user) | shared)


class Shared(models.Model):
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    sharing = models.CharField(
        _("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE
    )
    team = models.ForeignKey(
        "core.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SharedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class SavedReport(Shared):
    """A report made in the builder: what to count (``spec``, see ``builder.query.Spec``)."""

    description = models.CharField(_("description"), max_length=300, blank=True)
    spec = models.JSONField(default=dict)

    class Meta(Shared.Meta):
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")


class Dashboard(Shared):
    """A grid of tiles: tables of built-in reports and saved reports."""

    class Meta(Shared.Meta):
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")


class DashboardTile(models.Model):
    """One tile: a saved report, or a built-in report's headline figures (``table`` "kpis") or
    one of its tables."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="tiles")
    position = models.PositiveIntegerField(default=0)
    saved_report = models.ForeignKey(
        SavedReport, on_delete=models.CASCADE, null=True, blank=True, related_name="tiles"
    )
    report = models.CharField(max_length=20, blank=True)  # a built-in report's key
    table = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.dashboard_id}: {self.saved_report_id or self.report}/{self.table}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every Monday (the last 7 days)")
    MONTHLY = "monthly", _("On the 1st of each month (the month before)")


class ReportSubscription(models.Model):
    """A report e-mailed to ``user`` as PDF and CSV, weekly or monthly, computed in their own
    scope and language: a built-in report (``report``) or a saved one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    report = models.CharField(max_length=20, blank=True)
    saved_report = models.ForeignKey(
        SavedReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.user_id}: {self.saved_report_id or self.report} {self.frequency}"
