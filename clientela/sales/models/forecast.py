"""Sales targets: what each person should win per month, in the base currency."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Quota(models.Model):
    """What ``user`` should win in the month starting ``month`` (the first day of a month).
    A quarter's quota is the sum of its three months."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("user"),
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("quota"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["month", "user_id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="quota_unique_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="quota_not_negative"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.month:%Y-%m}: {self.amount}"
