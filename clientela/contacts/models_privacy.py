"""Consent and data protection: the consent log, the texts people agreed to, the audit of
access and erasure requests, and the retention rules.

Imported at the end of ``models.py`` so that Django finds the models in the contacts app.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    ConsentAction,
    ConsentPurpose,
    ConsentSource,
    LawfulBasis,
    PrivacyRequestKind,
    RetentionRuleKind,
)


def text_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


class ConsentText(models.Model):
    """One wording of a consent request, stored once (found by its SHA-256) and numbered per
    purpose and language, so that every consent record can show exactly what was read."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    language = models.CharField(_("language"), max_length=5, blank=True)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), max_length=5000)
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["purpose", "language", "-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "sha256"], name="consenttext_unique_text"
            ),
            models.UniqueConstraint(
                fields=["purpose", "language", "version"], name="consenttext_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.language} v{self.version}"


class AppendOnlyQuerySet(models.QuerySet):
    """Consent records are never changed or deleted one by one: the log is the proof. Only an
    erasure (``scrub_evidence``) blanks the evidence, and a purge deletes the person's rows
    through the database cascade."""

    def update(self, **kwargs):
        raise ValidationError(_("The consent log is append-only."))

    def delete(self):
        raise ValidationError(_("The consent log is append-only."))

    def scrub_evidence(self):
        return super().update(ip_address=None, user_agent="", note="")


class ConsentRecord(models.Model):
    """One grant or withdrawal of consent by a contact, for one purpose, with its lawful basis,
    its source, the text shown and the evidence. Append-only; the contact's consent fields show
    the latest record for marketing e-mails."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="consent_records"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    lawful_basis = models.CharField(
        _("lawful basis"), max_length=20, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT
    )
    action = models.CharField(_("action"), max_length=8, choices=ConsentAction.choices)
    recorded_at = models.DateTimeField(_("when"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("text shown"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    # A plain number: intake depends on contacts, not the other way round.
    form_submission_id = models.BigIntegerField(_("form submission"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [
            models.Index(fields=["contact", "purpose", "-id"], name="consentrecord_contact_idx")
        ]

    def __str__(self):
        return f"{self.contact_id} {self.purpose} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The consent log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The consent log is append-only."))

    @property
    def is_grant(self):
        return self.action == ConsentAction.GRANT


class PrivacyRequest(models.Model):
    """The audit of one data-access export or erasure: who, when, which contact (by id only,
    so the row outlives the person), what was done and why. Holds no personal data of the
    contact."""

    kind = models.CharField(_("request"), max_length=20, choices=PrivacyRequestKind.choices)
    contact_id = models.BigIntegerField(_("contact id"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_by_name = models.CharField(_("requested by"), max_length=150, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    # What was done: {"activities": 3, "form_submissions": 1, ...}; "retention rule" when a
    # rule did it.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        indexes = [models.Index(fields=["contact_id", "-id"], name="privacyrequest_contact_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.contact_id}"


class RetentionRule(models.Model):
    """One retention rule (one per kind): enabled or not, its period, and what its last run
    did. The daily job applies the enabled ones."""

    kind = models.CharField(
        _("rule"), max_length=30, choices=RetentionRuleKind.choices, unique=True
    )
    enabled = models.BooleanField(_("enabled"), default=False)
    period = models.PositiveIntegerField(_("after"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_count = models.PositiveIntegerField(_("records touched"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return str(self.get_kind_display())
