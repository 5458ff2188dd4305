"""Service levels: the working calendars SLA clocks run on and the policies that set targets."""

import datetime
import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..business_time import Schedule, always
from ..choices import CasePriority


class BusinessCalendar(models.Model):
    """A team's working week in a time zone, with its holidays (``Holiday``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    # {"0": [["09:00", "14:00"], ["15:00", "18:00"]], ...}: weekday (0 = Monday) -> periods,
    # "24:00" for the end of the day. Checked by ``services.sla.clean_hours``.
    hours = models.JSONField(_("working hours"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self):
        return self.name

    def schedule(self, holidays=None):
        """The ``business_time.Schedule`` of this calendar (``holidays``: the dates, when
        already read)."""
        if holidays is None:
            holidays = self.holidays.values_list("date", flat=True)
        week = {
            int(day): tuple((_clock(start), _clock(end)) for start, end in periods)
            for day, periods in self.hours.items()
        }
        zone = zoneinfo.ZoneInfo(self.time_zone)
        return Schedule(zone=zone, week=week, holidays=frozenset(holidays))


def _clock(text):
    if text == "24:00":
        return datetime.time(0)
    hour, minute = text.split(":")
    return datetime.time(int(hour), int(minute))


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_day")
        ]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class SlaPolicy(models.Model):
    """Targets for the cases it applies to: the first policy (by ``position``) whose priority
    and customer tier match a case. The tier is a tag on the case's company or contact ("vip");
    an empty priority or tier matches any."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=CasePriority.choices, blank=True
    )
    tier_tag = models.ForeignKey(
        "core.Tag",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer tier (tag)"),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("working calendar"),
        help_text=_("Empty: the clock runs round the clock, every day."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    warn_before_minutes = models.PositiveIntegerField(_("warn before (minutes)"), default=60)
    escalate_to = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on breach, reassign to"),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return self.name

    def schedule(self):
        return self.calendar.schedule() if self.calendar_id else always()
