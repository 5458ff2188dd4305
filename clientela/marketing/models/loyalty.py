"""Loyalty and retention: the programme (one row), its tiers and rewards, one points account
per customer and the ledger that explains every point of it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import PointsKind

MAX_POINTS = 10**12  # far beyond any real balance; keeps sums inside a 64-bit column
EARNS_ONCE = (PointsKind.PURCHASE, PointsKind.REVERSAL)


def default_earning_statuses():
    return ["completed"]


class LoyaltyProgram(models.Model):
    """How customers earn points; there is one programme (``current()``)."""

    active = models.BooleanField(_("active"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # Points for each unit of the base currency of a purchase's total, rounded down.
    points_per_unit = models.DecimalField(
        _("points per unit of currency"),
        max_digits=10,
        decimal_places=4,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
    )
    expiry_days = models.PositiveIntegerField(
        _("points expire after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    at_risk_days = models.PositiveIntegerField(
        _("at risk after (days without a purchase)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    earning_statuses = models.JSONField(
        _("purchase statuses that earn points"), default=default_earning_statuses
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")

    def __str__(self):
        return self.name or gettext("Loyalty programme")

    @classmethod
    def current(cls):
        """The programme (created inactive, with the defaults, on first use)."""
        program = cls.objects.order_by("pk").first()
        return program or cls.objects.create()


class LoyaltyTier(models.Model):
    """A level customers reach with their lifetime points (silver, gold...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    min_points = models.PositiveBigIntegerField(
        _("minimum lifetime points"), unique=True, validators=[MaxValueValidator(MAX_POINTS)]
    )
    benefits = models.TextField(_("benefits"), max_length=2000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["min_points", "id"]
        verbose_name = _("loyalty tier")
        verbose_name_plural = _("loyalty tiers")

    def __str__(self):
        return self.name


class Reward(models.Model):
    """Something a customer gets for points (a discount, a gift, a free service)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    points_cost = models.PositiveBigIntegerField(
        _("points"), validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS)]
    )
    active = models.BooleanField(_("active"), default=True)
    # Empty: as many as are asked for.
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["points_cost", "id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")

    def __str__(self):
        return self.name

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0


class LoyaltyAccount(models.Model):
    """A customer's points: ``balance`` to spend, ``lifetime_points`` (earned less reversed
    and corrected, never spent) for the tier. Both are sums of the ledger, kept by
    ``services.points``."""

    permission_area = "marketing"

    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="loyalty_account",
        verbose_name=_("contact"),
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    lifetime_points = models.BigIntegerField(_("lifetime points"), default=0)
    tier = models.ForeignKey(
        LoyaltyTier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("tier"),
    )
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-lifetime_points", "-id"], name="loyaltyaccount_points_idx"),
            models.Index(
                fields=["tier", "-lifetime_points", "-id"], name="loyaltyaccount_tier_idx"
            ),
            models.Index(fields=["last_purchase_at", "id"], name="loyaltyaccount_last_idx"),
        ]
        verbose_name = _("loyalty account")
        verbose_name_plural = _("loyalty accounts")

    def __str__(self):
        return str(self.contact)


class PointsEntry(models.Model):
    """One line of an account's ledger: points in (positive) or out (negative), and why."""

    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.CASCADE, related_name="entries", verbose_name=_("account")
    )
    points = models.BigIntegerField(_("points"))
    kind = models.CharField(_("what"), max_length=12, choices=PointsKind.choices)
    purchase = models.ForeignKey(
        "sales.Purchase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("purchase"),
    )
    reward = models.ForeignKey(
        Reward,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redemptions",
        verbose_name=_("reward"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        constraints = [
            # The guard of idempotent awarding: a purchase earns once and is reversed once,
            # whoever counts it (the event, the catch-up job, both at the same time).
            models.UniqueConstraint(
                fields=["purchase", "kind"],
                condition=Q(kind__in=EARNS_ONCE),
                name="pointsentry_purchase_once",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-id"], name="pointsentry_account_idx"),
        ]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")

    def __str__(self):
        return f"{self.points:+d} {self.kind}"
