"""Deals: an opportunity to sell, moving through the stages of a pipeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import SourceChannel
from clientela.core.models import CrmRecord

from ..choices import DealContactRole, ForecastCategory, StageKind
from .pipelines import LostReason, Pipeline, Stage

ALIVE = Q(deleted_at__isnull=True)


class Deal(CrmRecord):
    """An opportunity: an amount expected to close by a date, at a stage of a pipeline.

    ``status`` mirrors the stage's kind (open/won/lost) so lists, boards and the forecast filter
    on one indexed column; ``amount_base`` is the amount in the base currency (at the rate of
    the close date), what reports add up. Both are kept by ``sales.services``.
    """

    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=StageKind.choices,
        default=StageKind.OPEN,
        editable=False,
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    amount_base = models.DecimalField(
        _("amount in base currency"), max_digits=14, decimal_places=2, default=0, editable=False
    )
    expected_close_date = models.DateField(_("expected close date"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    stage_entered_at = models.DateTimeField(_("in this stage since"), editable=False)
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("company"),
    )
    contacts = models.ManyToManyField(
        "contacts.Contact",
        through="DealContact",
        related_name="deals",
        blank=True,
        verbose_name=_("contacts"),
    )
    source = models.CharField(_("source"), max_length=20, choices=SourceChannel.choices, blank=True)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lost reason"),
    )
    lost_note = models.CharField(_("why it was lost"), max_length=500, blank=True)

    permission_area = "sales"

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            # A board column: the open deals of one stage, closing soonest first. The amount at
            # the end lets the column's total be read from the index alone.
            models.Index(
                fields=["stage", "expected_close_date", "id", "amount_base"],
                condition=ALIVE,
                name="deal_board_idx",
            ),
            # A won or lost column of the board: the latest closes first.
            models.Index(
                fields=["stage", "-closed_at", "-id"],
                condition=ALIVE & Q(closed_at__isnull=False),
                name="deal_board_closed_idx",
            ),
            # What the forecast adds up as won: the deals closed in a period, index only.
            models.Index(
                fields=["status", "closed_at", "owner", "amount_base"],
                condition=ALIVE & Q(closed_at__isnull=False),
                name="deal_closed_won_idx",
            ),
            # Open deals by expected close (lists, filters) and, with the columns after ``id``,
            # everything the forecast adds up about them, read from the index alone.
            models.Index(
                fields=[
                    "status",
                    "expected_close_date",
                    "id",
                    "owner",
                    "forecast_category",
                    "stage",
                    "amount_base",
                ],
                condition=ALIVE,
                name="deal_close_date_idx",
            ),
            models.Index(
                fields=["owner", "status", "expected_close_date"],
                condition=ALIVE,
                name="deal_owner_idx",
            ),
            models.Index(fields=["-created_at", "-id"], condition=ALIVE, name="deal_created_idx"),
            models.Index(fields=["company", "status"], condition=ALIVE, name="deal_company_idx"),
            models.Index(fields=["deleted_at"], condition=~ALIVE, name="deal_trash_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
        ]

    def __str__(self):
        return self.name

    def history_extra(self):
        """Contacts with their role, in history (the snapshot cannot see the link table)."""
        if not self.pk:
            return {}
        links = DealContact.objects.filter(deal_id=self.pk).order_by("contact_id")
        return {"contacts": [f"{c} ({r})" for c, r in links.values_list("contact_id", "role")]}

    @property
    def is_open(self):
        return self.status == StageKind.OPEN

    @property
    def is_won(self):
        return self.status == StageKind.WON

    @property
    def is_lost(self):
        return self.status == StageKind.LOST

    @property
    def weighted_amount_base(self):
        """The base amount times the stage's win probability (won: all of it; lost: none)."""
        if self.is_won:
            return self.amount_base
        if self.is_lost:
            return 0
        return self.amount_base * self.stage.probability / 100


class DealContact(models.Model):
    """A person involved in a deal, with their role in it."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="deal_links"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=DealContactRole.choices, default=DealContactRole.OTHER
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="dealcontact_unique"),
        ]

    def __str__(self):
        return f"{self.contact_id} ({self.role})"


class DealStageChange(models.Model):
    """One move of a deal between stages: where from, where to, when, by whom, and how long it
    had been in the stage it left (what "time in stage" reports add up)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seconds_in_from_stage = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["deal", "-changed_at"], name="dealstagechange_deal_idx"),
            # The funnel's daily counts (``analytics.rollups``) read one day at a time.
            models.Index(fields=["changed_at"], name="dealstagechange_day_idx"),
        ]

    def __str__(self):
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"
