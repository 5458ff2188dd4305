"""E-mail templates: what a campaign or a follow-up says, with merge fields, in one variant per
language. ``marketing.rendering`` turns a variant into each recipient's message."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord

from ..choices import BodyFormat, TemplatePurpose

MAX_BODY = 200_000  # characters of Markdown or HTML
MAX_SUBJECT = 200
MAX_PREHEADER = 200


class EmailTemplate(CrmRecord):
    """A reusable e-mail. Its ``default_language`` variant is sent to contacts whose language
    has no variant of its own. Every change of a variant is a new ``version`` of the template
    (the renderer's cache key)."""

    permission_area = "marketing"
    search_indexed = False

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=TemplatePurpose.choices,
        default=TemplatePurpose.NEWSLETTER,
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="emailtemplate_name_idx")]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self):
        return self.name

    def history_extra(self):
        """The variants as history sees them (read from the database, not a cache)."""
        if not self.pk:
            return {}
        rows = EmailTemplateVariant.objects.filter(template_id=self.pk).order_by("language")
        return {
            f"variants.{row['language']}": row
            for row in rows.values("subject", "preheader", "body_format", "body", "language")
        }


class EmailTemplateVariant(models.Model):
    """The template in one language: subject, preheader (the preview line of inboxes) and
    body, in Markdown or HTML, sanitised when saved."""

    template = models.ForeignKey(EmailTemplate, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    preheader = models.CharField(
        _("preheader"),
        max_length=MAX_PREHEADER,
        blank=True,
        help_text=_("The line inboxes show after the subject."),
    )
    body_format = models.CharField(
        _("format"), max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    body = models.TextField(_("body"), max_length=MAX_BODY)

    class Meta:
        ordering = ["template", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"], name="emailtemplate_one_variant_per_language"
            )
        ]
        verbose_name = _("language variant")
        verbose_name_plural = _("language variants")

    def __str__(self):
        return f"{self.template_id}:{self.language}"
