"""Assignment rules: who gets a new record, whatever channel brought it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import RecordType, Strategy


class AssignmentRule(models.Model):
    """When a new record matches every condition given (source, territory, a field's value),
    it goes to ``user``, or to a member of ``team`` in turn (round robin) or to the member who
    owns the fewest such records (workload). Rules are tried in ``position`` order; the first
    that matches wins."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    record_type = models.CharField(_("applies to"), max_length=10, choices=RecordType.choices)
    sources = models.JSONField(_("source channels"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    regions = models.JSONField(_("regions / provinces"), default=list, blank=True)
    postcode_prefixes = models.JSONField(_("postcodes starting with"), default=list, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    field_value = models.CharField(_("field value"), max_length=200, blank=True)
    strategy = models.CharField(_("give to"), max_length=12, choices=Strategy.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    # Round robin: who got the last record, so the next goes to the member after them.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["record_type", "position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self):
        return self.name
