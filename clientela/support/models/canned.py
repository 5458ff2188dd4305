"""Canned replies and macros: a reply written once, used on any case, optionally setting the
case's fields as it is sent (a macro)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CasePriority, CaseStatus

MAX_CANNED = 20_000


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: for any language."),
    )
    body = models.TextField(
        _("text"),
        max_length=MAX_CANNED,
        help_text=_(
            "{first_name}, {name}, {case}, {subject} and {agent} are replaced by the case's values."
        ),
    )
    set_status = models.CharField(
        _("then set the status to"), max_length=20, choices=CaseStatus.choices, blank=True
    )
    set_priority = models.CharField(
        _("set the priority to"), max_length=10, choices=CasePriority.choices, blank=True
    )
    set_category = models.ForeignKey(
        "support.CaseCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set the category to"),
    )
    add_tags = models.CharField(
        _("add the tags"), max_length=300, blank=True, help_text=_("Separate tags with commas.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title", "language"], name="canned_title_per_language")
        ]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self):
        return self.title

    @property
    def is_macro(self):
        return bool(self.set_status or self.set_priority or self.set_category_id or self.add_tags)
