"""Campaigns and the one row per recipient that makes sending resumable and idempotent."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CrmRecord

from ..choices import CampaignKind, CampaignStatus, LeadSource, RecipientStatus


class Campaign(CrmRecord):
    """A marketing action: an e-mail newsletter or one-off send to a segment, or a social,
    event or advertising campaign with its costs and the leads it brought."""

    permission_area = "marketing"
    search_indexed = False
    history_exclude = (*CrmRecord.history_exclude, "started_at", "finished_at")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=10, choices=CampaignKind.choices, default=CampaignKind.EMAIL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    segment = models.ForeignKey(
        "marketing.Segment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("segment"),
    )
    template = models.ForeignKey(
        "marketing.EmailTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("e-mail"),
    )
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    from_email = models.EmailField(_("sender address"), max_length=254, blank=True)
    reply_to = models.EmailField(_("replies to"), max_length=254, blank=True)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # Sending pace of this campaign (e.g. to warm up a new sending domain); empty: as fast as
    # the mail server's own limit allows.
    rate_per_minute = models.PositiveIntegerField(_("messages per minute"), null=True, blank=True)
    track_opens = models.BooleanField(_("track opens"), default=True)
    track_clicks = models.BooleanField(_("track clicks"), default=True)
    # ``utm_campaign`` of the links (the name's slug when empty); off: links stay as written.
    utm_tagging = models.BooleanField(_("add UTM tags to links"), default=True)
    utm_campaign = models.SlugField(_("UTM campaign"), max_length=100, blank=True)
    # In the base currency (``CLIENTELA_BASE_CURRENCY``): what it may cost and what it cost.
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(
        _("actual cost"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class CampaignRecipient(models.Model):
    """One message of an e-mail campaign: who gets it and where it stands. Rows are written
    when the campaign starts (the audience is fixed then); a worker claims a batch for a
    while (``claimed_by``, ``lease_until``), and a row whose lease ran out goes back to the
    queue — it was never handed to the mail server."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.CharField(_("e-mail"), max_length=320)
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=RecipientStatus.choices, default=RecipientStatus.QUEUED
    )
    claimed_by = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # What the recipient did with it (first time each), read by results and segments.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    complained_at = models.DateTimeField(_("marked as spam"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="recipient_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="recipient_queue_idx"),
            models.Index(fields=["contact", "campaign"], name="recipient_contact_idx"),
        ]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")

    def __str__(self):
        return self.email


class SendingAllowance(models.Model):
    """A token bucket shared by every worker: how many messages may still go out now through
    one mail server or for one campaign (``key``), refilled at ``rate`` per second."""

    key = models.CharField(max_length=200, unique=True)
    tokens = models.FloatField(default=0)
    refilled_at = models.FloatField(default=0)  # Unix time

    def __str__(self):
        return self.key


class CampaignLead(models.Model):
    """A contact the campaign brought: they came through a web form with its UTM tag, or
    someone added them (an event's attendees, an advert's leads). Deals and revenue are
    attributed through these and through the clicks of e-mail campaigns (``results``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leads")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("how"), max_length=10, choices=LeadSource.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="campaignlead_once")
        ]
        indexes = [models.Index(fields=["contact", "created_at"], name="campaignlead_contact_idx")]
        verbose_name = _("campaign lead")
        verbose_name_plural = _("campaign leads")

    def __str__(self):
        return f"{self.campaign_id}:{self.contact_id}"
