"""Customer satisfaction (CSAT): a survey sent when a case is resolved, answered once through
a signed link with a score from 1 to 5 and an optional comment."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_COMMENT = 2000


class SatisfactionSurvey(models.Model):
    case = models.ForeignKey("support.Case", on_delete=models.CASCADE, related_name="surveys")
    created_at = models.DateTimeField(_("sent"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=MAX_COMMENT)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self):
        return f"{self.case.reference}: {self.score or '—'}"
