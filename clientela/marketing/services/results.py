"""What a campaign achieved: the e-mail funnel (sent, delivered, opened, clicked,
unsubscribed, bounced), the leads it brought, and the deals and revenue attributed to it —
in total and by the contacts' region; and across campaigns, by channel (the campaign's type).

Attribution: a deal is the campaign's when one of its contacts is a lead of the campaign
(``CampaignLead``) or clicked its e-mail, and it was opened within ``ATTRIBUTION_DAYS`` of the
campaign's start. Revenue is what such deals won, in the base currency. A deal two campaigns
can claim counts for both (each campaign's own view, not a split).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from clientela.sales.choices import StageKind
from clientela.sales.models import Deal, DealContact

from ..choices import RecipientStatus
from ..models import CampaignLead, CampaignRecipient

ATTRIBUTION_DAYS = 90
NO_REGION = ""
FUNNEL = ("recipients", "sent", "failed", "bounced", "opened", "clicked", "unsubscribed")


@dataclass
class Figures:
    recipients: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    opened: int = 0
    clicked: int = 0
    unsubscribed: int = 0
    leads: int = 0
    deals: int = 0
    won: int = 0
    revenue: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)

    @property
    def delivered(self):
        return max(0, self.sent - self.bounced)

    def rate(self, part, whole):
        return round(100 * part / whole, 1) if whole else None

    @property
    def open_rate(self):
        return self.rate(self.opened, self.delivered)

    @property
    def click_rate(self):
        return self.rate(self.clicked, self.delivered)

    @property
    def unsubscribe_rate(self):
        return self.rate(self.unsubscribed, self.delivered)

    @property
    def bounce_rate(self):
        return self.rate(self.bounced, self.sent)

    @property
    def cost_per_lead(self):
        return (
            (self.cost / self.leads).quantize(Decimal("0.01")) if self.leads and self.cost else None
        )

    @property
    def roi(self):
        """Return on the money spent, in percent: (revenue - cost) / cost."""
        return round(100 * (self.revenue - self.cost) / self.cost, 1) if self.cost else None


@dataclass
class CampaignResults:
    total: Figures
    by_region: dict = field(default_factory=dict)  # region -> Figures


def campaign_results(campaign):
    """The campaign's figures, in total and by region (``""``: contacts without one)."""
    by_region = {}
    for row in _funnel(CampaignRecipient.objects.filter(campaign=campaign), "contact__region"):
        region = row.pop("contact__region") or NO_REGION
        by_region[region] = Figures(**row)
    leads = (
        CampaignLead.objects.filter(campaign=campaign)
        .values("contact__region")
        .annotate(n=Count("id"))
    )
    for row in leads:
        by_region.setdefault(row["contact__region"] or NO_REGION, Figures()).leads = row["n"]
    for region, deals, won, revenue in _deals_by_region(campaign):
        figures = by_region.setdefault(region, Figures())
        figures.deals, figures.won, figures.revenue = deals, won, revenue
    total = Figures(cost=campaign.cost)
    for figures in by_region.values():
        for name in (*FUNNEL, "leads"):
            setattr(total, name, getattr(total, name) + getattr(figures, name))
    total.deals, total.won, total.revenue = _deal_totals(campaign)
    return CampaignResults(total=total, by_region=dict(sorted(by_region.items())))


def overview(campaigns):
    """Across ``campaigns``: ``(by_channel, by_region)``, ``{campaign type: Figures}`` and
    ``{region: Figures}``, each the sum of the campaigns' own figures (costs by channel only:
    a campaign's cost is not split by region)."""
    channels, regions = {}, {}
    for campaign in campaigns:
        found = campaign_results(campaign)
        add(channels.setdefault(campaign.kind, Figures()), found.total)
        for region, figures in found.by_region.items():
            add(regions.setdefault(region, Figures()), figures)
    return channels, dict(sorted(regions.items()))


def add(into, figures):
    """Add ``figures`` into ``into`` (sums of several campaigns or regions)."""
    for name in (*FUNNEL, "leads", "deals", "won", "revenue", "cost"):
        setattr(into, name, getattr(into, name) + getattr(figures, name))


def _funnel(recipients, *group_by):
    return recipients.values(*group_by).annotate(
        recipients=Count("id"),
        sent=Count("id", filter=Q(status=RecipientStatus.SENT)),
        failed=Count("id", filter=Q(status=RecipientStatus.FAILED)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
    )


def _attributed_links(campaign):
    """The deal-contact links of deals attributed to ``campaign``."""
    start = campaign.started_at or campaign.created_at
    contacts = Q(contact__in=CampaignLead.objects.filter(campaign=campaign).values("contact"))
    contacts |= Q(
        contact__in=CampaignRecipient.objects.filter(
            campaign=campaign, clicked_at__isnull=False
        ).values("contact")
    )
    return DealContact.objects.filter(
        contacts,
        deal__deleted_at__isnull=True,
        deal__created_at__gte=start,
        deal__created_at__lt=start + timedelta(days=ATTRIBUTION_DAYS),
    )


def _deal_totals(campaign):
    deal_ids = _attributed_links(campaign).values("deal")
    row = Deal.all_objects.filter(pk__in=deal_ids).aggregate(
        deals=Count("id"),
        won=Count("id", filter=Q(status=StageKind.WON)),
        revenue=Sum("amount_base", filter=Q(status=StageKind.WON)),
    )
    return row["deals"], row["won"], row["revenue"] or Decimal(0)


def _deals_by_region(campaign):
    """``(region, deals, won, revenue)``: a deal counts in each region its attributed contacts
    are from."""
    rows = (
        _attributed_links(campaign)
        .values("contact__region", "deal_id", "deal__status", "deal__amount_base")
        .distinct()
    )
    regions = {}
    for row in rows:
        seen = regions.setdefault(row["contact__region"] or NO_REGION, {})
        seen[row["deal_id"]] = (row["deal__status"], row["deal__amount_base"])
    for region, deals in sorted(regions.items()):
        won = [amount for status, amount in deals.values() if status == StageKind.WON]
        yield region, len(deals), len(won), sum(won, Decimal(0))


def campaigns_in(campaigns, start, end):
    """Of ``campaigns``, those started (or, never started, created) between two dates."""
    return campaigns.filter(
        Q(started_at__date__range=(start, end))
        | Q(started_at__isnull=True, created_at__date__range=(start, end))
    )
