"""Web forms on the business's website and what they receive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebForm(models.Model):
    """A form on the business's website (hosted page or embedded snippet) that brings leads.

    ``fields`` lists what it asks, in order: ``{"name": "email", "label": "...", "required":
    true}``; names are contact fields (``first_name``, ``email``, ``phone``, ``company`` (a
    name), ``job_title``, ``city``, ``notes``...) or ``cf_<key>`` custom fields. The consent
    checkbox text is kept per language and versioned by the submission that records it.
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    active = models.BooleanField(_("active"), default=True)
    fields = models.JSONField(_("fields"), default=list)
    consent_text = models.JSONField(_("consent text"), default=dict, blank=True)
    double_opt_in = models.BooleanField(_("confirm consent by e-mail"), default=True)
    success_message = models.CharField(_("thank-you message"), max_length=500, blank=True)
    redirect_url = models.URLField(_("redirect to"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self):
        return self.name

    def consent_in(self, language):
        """The consent text in ``language``, else English, else any; "" when none is set."""
        texts = self.consent_text or {}
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class FormSubmission(models.Model):
    """One submission as it arrived (what was typed, where from) and the contact it made."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        related_name="form_submissions",
    )
    data = models.JSONField(default=dict)
    # UTM parameters, referrer, page, the consent text shown, a hash of the address.
    context = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["form", "-created_at"], name="submission_form_idx"),
            # The channels report counts a period's submissions.
            models.Index(fields=["created_at"], name="submission_created_idx"),
        ]

    def __str__(self):
        return f"{self.form_id} #{self.pk}"
