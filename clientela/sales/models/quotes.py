"""Quotes: numbered, versioned PDFs of a deal's lines, and who sends them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SellerProfile(models.Model):
    """The business that sends the quotes (one row): its name, tax id and address on every PDF,
    how long a quote is valid and the terms printed under it."""

    name = models.CharField(_("business name"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=30, blank=True)
    address = models.TextField(_("address"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    quote_validity_days = models.PositiveSmallIntegerField(_("quotes valid for (days)"), default=30)
    quote_terms = models.TextField(_("terms printed on quotes"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("seller profile")
        verbose_name_plural = _("seller profile")

    def __str__(self):
        return self.name or "—"

    @classmethod
    def current(cls):
        """The profile (an empty, unsaved one before anyone filled it in)."""
        return cls.objects.order_by("pk").first() or cls()


class NumberSequence(models.Model):
    """The last number given in a series (``quote-2026``): read and raised under a row lock, so
    two quotes made at once never get the same number."""

    key = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last}"


class Quote(models.Model):
    """One version of a deal's quote: the PDF as sent, its number and what it added up to.

    The PDF is rendered once and kept as it was (a changed product or address never changes a
    quote already sent); a new quote is a new version."""

    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, related_name="quotes")
    version = models.PositiveIntegerField(_("version"))
    number = models.CharField(_("number"), max_length=20, unique=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    currency = models.CharField(_("currency"), max_length=3)
    net_amount = models.DecimalField(_("net"), max_digits=14, decimal_places=2)
    tax_amount = models.DecimalField(_("tax"), max_digits=14, decimal_places=2)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    # The lines and tax breakdown as printed, for reading without opening the PDF.
    snapshot = models.JSONField(_("contents"), default=dict)
    valid_until = models.DateField(_("valid until"))
    pdf = models.BinaryField(_("PDF"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["deal", "-version"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["deal", "version"], name="quote_unique_version"),
        ]

    def __str__(self):
        return f"{self.number} v{self.version}"

    @property
    def filename(self):
        return f"{self.number}-v{self.version}.pdf"
