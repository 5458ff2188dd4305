"""What analytics computes and keeps (it writes no other app's data): each customer's scores
and predictions, and a log of each model's training with its accuracy."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..segmentation.rfm import SEGMENTS


class PredictionKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers: RFM, still active, repeat purchases and value")
    LEADS = "leads", _("Lead scoring: the chance each open deal is won")
    FORECAST = "forecast", _("Sales forecast: revenue won in the coming months")


class RunStatus(models.TextChoices):
    READY = "ready", _("Ready")
    NOT_ENOUGH_DATA = "not_enough", _("Not enough data yet")


class PredictionRun(models.Model):
    """One training of a model: when, on how much, and how well it did on held-out data."""

    kind = models.CharField(_("model"), max_length=20, choices=PredictionKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices)
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    trained_on = models.PositiveIntegerField(_("records"), default=0)
    parameters = models.JSONField(default=dict)
    accuracy = models.JSONField(default=dict)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("model training")
        verbose_name_plural = _("model trainings")

    def __str__(self):
        return f"{self.get_kind_display()} {self.trained_at:%Y-%m-%d %H:%M}"


class CustomerScore(models.Model):
    """A customer's RFM scores and segment, and what the repeat-purchase models expect of
    them, as of the last training."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="analytics_score"
    )
    recency = models.PositiveSmallIntegerField(_("recency score"))
    frequency = models.PositiveSmallIntegerField(_("frequency score"))
    monetary = models.PositiveSmallIntegerField(_("monetary score"))
    segment = models.CharField(_("segment"), max_length=20, choices=list(SEGMENTS.items()))
    p_alive = models.FloatField(_("probability still active"), null=True)
    expected_purchases = models.FloatField(_("purchases expected in 90 days"), null=True)
    expected_value = models.FloatField(_("expected value of a purchase"), null=True)
    lifetime_value = models.FloatField(_("value expected in 12 months"), null=True)
    next_action = models.CharField(_("next best action"), max_length=20, blank=True)
    cluster = models.PositiveSmallIntegerField(_("behaviour group"), null=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        indexes = [models.Index(fields=["segment"], name="customer_score_segment_idx")]

    def __str__(self):
        return f"{self.contact_id}: {self.segment}"


class DealScore(models.Model):
    """The chance an open deal is won, and the factors behind it, as of the last training."""

    deal = models.OneToOneField("sales.Deal", on_delete=models.CASCADE, related_name="score")
    probability = models.FloatField(_("chance of winning"))
    # [{"feature": "source=referral", "effect": 0.8}, ...]: log-odds, strongest first.
    factors = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deal score")
        verbose_name_plural = _("deal scores")

    def __str__(self):
        return f"{self.deal_id}: {self.probability:.0%}"


class CohortCell(models.Model):
    """Customers who first bought in the month ``cohort`` and bought again (or first) in the
    month ``month``, with what they spent then, per owner and team of the customer (so the
    reader's scope applies). Counted again by the daily training."""

    cohort = models.DateField()
    month = models.DateField()
    owner_id = models.IntegerField(null=True)
    team_id = models.IntegerField(null=True)
    customers = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["cohort", "month"], name="cohort_cell_idx")]

    def __str__(self):
        return f"{self.cohort:%Y-%m} → {self.month:%Y-%m}: {self.customers}"


class CustomerCluster(models.Model):
    """One group of customers who behave alike, as of the last training: its size and median
    behaviour (``centre``) and what sets it apart (``traits``), from which its name and
    description are written in the reader's language."""

    number = models.PositiveSmallIntegerField(unique=True)
    size = models.PositiveIntegerField()
    share = models.FloatField()
    centre = models.JSONField(default=dict)
    traits = models.JSONField(default=list)  # the strongest differences, for the description
    differences = models.JSONField(default=dict)  # every clear one, for the name
    repeat = models.PositiveSmallIntegerField(default=1)  # 2: the second group of its name
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        from ..segmentation import clusters  # scikit-learn: loaded when needed, not on start

        return clusters.name_of(self.differences, self.repeat)

    @property
    def description(self):
        from ..segmentation import clusters

        traits = [tuple(trait) for trait in self.traits]  # JSON keeps pairs as lists
        return clusters.describe(self.size, self.share, self.centre, traits)
