"""The marketing report: which sources, channels, regions and campaigns bring leads and revenue,
at what cost, and how campaign e-mails are read.

New contacts by source and region come from the daily rollup, with how many of them are
customers today (the conversion). Campaigns are few: their figures are marketing's own
``results`` (e-mail funnel, leads, attributed deals and revenue), summed by channel and region.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from clientela.contacts.choices import LifecycleStage, SourceChannel
from clientela.core import permissions
from clientela.marketing.choices import CampaignKind
from clientela.marketing.models import Campaign
from clientela.marketing.services import results

from . import filters as report_filters
from .tables import Column, Report, Table, compared

AREA = "marketing"
CHANNELS = tuple(SourceChannel.choices)
COLUMNS = {"region": "region", "channel": "source"}
CONVERTED = (LifecycleStage.CUSTOMER, LifecycleStage.EVANGELIST)
ZERO = Decimal(0)


def build(reader, filters):
    current, previous = filters.period, filters.period.previous()
    leads = {p: _leads(reader, filters, p) for p in (current, previous)}
    campaigns = {p: _campaigns(reader, filters, p) for p in (current, previous)}
    report = Report("marketing", _("Marketing"), current, previous)
    report.kpis = _kpis(leads, campaigns, current, previous)
    report.tables = [
        _by(leads[current], "source", _("Leads by source"), _("Source"), SourceChannel),
        _by(leads[current], "region", _("Leads by region"), _("Region")),
        *_campaign_tables(campaigns[current]),
    ]
    return report


def _leads(reader, filters, period):
    """``{(source, region): [new, converted]}`` for contacts created in the period."""
    cells = defaultdict(lambda: [0, 0])
    rows = (
        report_filters.rows("contacts", reader, filters, period, columns=COLUMNS)
        .values("source", "region", "lifecycle_stage")
        .annotate(contacts=Sum("contacts"))
        .order_by()
    )
    for row in rows:
        cell = cells[row["source"], row["region"]]
        cell[0] += row["contacts"]
        if row["lifecycle_stage"] in CONVERTED:
            cell[1] += row["contacts"]
    return cells


def _campaigns(reader, filters, period):
    """The campaigns started in the period that ``reader`` may see, with their results."""
    campaigns = permissions.visible(reader, Campaign.objects.all())
    for name, lookup in (("owner", "owner_id"), ("team", "team_id")):
        if getattr(filters, name):
            campaigns = campaigns.filter(**{lookup: getattr(filters, name)})
    found = results.campaigns_in(campaigns, period.start, period.last).order_by("name", "pk")
    return [(campaign, results.campaign_results(campaign)) for campaign in found]


def _kpis(leads, campaigns, current, previous):
    def figures(period):
        new = sum(cell[0] for cell in leads[period].values())
        converted = sum(cell[1] for cell in leads[period].values())
        total = results.Figures()
        for _campaign, found in campaigns[period]:
            results.add(total, found.total)
        return {
            "leads": new,
            "converted": converted,
            "conversion": converted * 100 / new if new else None,
            "campaigns": len(campaigns[period]),
            "cost": total.cost,
            "cost_per_lead": total.cost_per_lead,
            "revenue": total.revenue,
            "roi": total.roi,
        }

    now, before = figures(current), figures(previous)
    labels = [
        ("leads", _("New leads"), "count"),
        ("converted", _("Now customers"), "count"),
        ("conversion", _("Conversion"), "percent"),
        ("campaigns", _("Campaigns started"), "count"),
        ("cost", _("Campaign cost"), "money"),
        ("cost_per_lead", _("Cost per lead"), "money"),
        ("revenue", _("Revenue from campaigns"), "money"),
        ("roi", _("Return on investment"), "percent"),
    ]
    return compared(labels, now, before)


def _by(leads, dimension, title, label, choices=None):
    """New leads and conversion grouped by source or region, most leads first."""
    totals = defaultdict(lambda: [0, 0])
    for (source, region), (new, converted) in leads.items():
        key = source if dimension == "source" else region
        totals[key][0] += new
        totals[key][1] += converted
    names = dict(choices.choices) if choices else {}
    rows = [
        [str(names.get(key, key)) or _("None"), new, converted, converted * 100 / new]
        for key, (new, converted) in totals.items()
    ]
    rows.sort(key=lambda row: (-row[1], row[0]))
    return Table(
        f"leads_by_{dimension}",
        title,
        [
            Column(dimension, label),
            Column("leads", _("New leads"), "count"),
            Column("customers", _("Now customers"), "count"),
            Column("conversion", _("Conversion"), "percent"),
        ],
        rows,
        chart="bar",
    )


def _campaign_tables(campaigns):
    by_channel, by_region = defaultdict(results.Figures), defaultdict(results.Figures)
    counts = defaultdict(int)
    for campaign, found in campaigns:
        results.add(by_channel[campaign.kind], found.total)
        counts[campaign.kind] += 1
        for region, figures in found.by_region.items():
            results.add(by_region[region], figures)
    kinds = dict(CampaignKind.choices)
    channel_rows = [
        [
            str(kinds.get(kind, kind)),
            counts[kind],
            f.leads,
            f.cost,
            f.cost_per_lead,
            f.won,
            f.revenue,
            f.roi,
        ]
        for kind, f in sorted(by_channel.items(), key=lambda item: -item[1].revenue)
    ]
    region_rows = [
        [region or _("None"), f.leads, f.deals, f.won, f.revenue]
        for region, f in sorted(by_region.items(), key=lambda item: (-item[1].leads, item[0]))
    ]
    email_rows = [
        [
            campaign.name,
            found.total.sent,
            found.total.delivered,
            found.total.open_rate,
            found.total.click_rate,
            found.total.unsubscribe_rate,
            found.total.bounce_rate,
        ]
        for campaign, found in campaigns
        if campaign.kind == CampaignKind.EMAIL
    ]
    return [
        Table(
            "campaigns_by_channel",
            _("Campaigns by channel"),
            [
                Column("channel", _("Channel")),
                Column("campaigns", _("Campaigns"), "count"),
                Column("leads", _("Leads"), "count"),
                Column("cost", _("Cost"), "money"),
                Column("cost_per_lead", _("Cost per lead"), "money"),
                Column("won", _("Deals won"), "count"),
                Column("revenue", _("Revenue"), "money"),
                Column("roi", _("Return on investment"), "percent"),
            ],
            channel_rows,
            chart="bar",
        ),
        Table(
            "campaigns_by_region",
            _("Campaign results by region"),
            [
                Column("region", _("Region")),
                Column("leads", _("Leads"), "count"),
                Column("deals", _("Deals"), "count"),
                Column("won", _("Deals won"), "count"),
                Column("revenue", _("Revenue"), "money"),
            ],
            region_rows,
            chart="bar",
        ),
        Table(
            "email_engagement",
            _("E-mail engagement"),
            [
                Column("campaign", _("Campaign")),
                Column("sent", _("Sent"), "count"),
                Column("delivered", _("Delivered"), "count"),
                Column("open_rate", _("Opened"), "percent"),
                Column("click_rate", _("Clicked"), "percent"),
                Column("unsubscribe_rate", _("Unsubscribed"), "percent"),
                Column("bounce_rate", _("Bounced"), "percent"),
            ],
            email_rows,
            chart="table",
        ),
    ]
