"""The sales report: revenue won by month, quarter or year against the previous period with its
trend, the pipeline by stage, win rate, average deal size, sales cycle, the stage-to-stage
funnel, the leaderboard and the forecast against quota.

Everything over a period is read from the daily rollups (a handful of grouped queries whatever
the number of deals); what is open now is read from the open deals themselves.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _

from clientela.contacts.choices import SourceChannel
from clientela.core import permissions
from clientela.core.models import Team, User
from clientela.sales.choices import ForecastCategory, StageKind
from clientela.sales.forecast import people_for
from clientela.sales.models import Deal, Pipeline, Quota, Stage

from . import filters as report_filters
from .period import bucket_label, bucket_of, buckets
from .tables import Column, Report, Table, compared

ZERO = Decimal(0)
COLUMNS = {
    "pipeline": "pipeline_id",
    "region": "region",
    "channel": "source",
}
# The same filters on the deals themselves.
DEAL_LOOKUPS = {
    "owner": "owner_id",
    "team": "team_id",
    "pipeline": "pipeline_id",
    "region": "company__region",
    "channel": "source",
}
AREA = "sales"
CHANNELS = tuple(SourceChannel.choices)  # where deals came from


def deal_rows(reader, filters, period=None, *, by_day=False):
    return report_filters.rows("deals", reader, filters, period, columns=COLUMNS, by_day=by_day)


def build(reader, filters):
    current, previous = filters.period, filters.period.previous()
    totals = {p: _totals(reader, filters, p) for p in (current, previous)}
    report = Report("sales", _("Sales"), current, previous)
    report.kpis = _kpis(totals[current], totals[previous])
    report.tables = [
        _revenue(reader, filters, current, previous),
        _pipeline(reader, filters),
        _funnel(reader, filters),
        *_people(reader, filters),
    ]
    return report


def _totals(reader, filters, period):
    """``{event: {"deals", "amount", "cycle_hours"}}`` over the period."""
    totals = {event: defaultdict(lambda: ZERO) for event in ("created", "won", "lost")}
    for row in (
        deal_rows(reader, filters, period)
        .values("event")
        .annotate(deals=Sum("deals"), amount=Sum("amount"), cycle_hours=Sum("cycle_hours"))
        .order_by()
    ):
        totals[row["event"]].update(row)
    return totals


def _figures(totals):
    won, lost = totals["won"], totals["lost"]
    closed = won["deals"] + lost["deals"]
    return {
        "won_revenue": won["amount"],
        "won_deals": won["deals"],
        "win_rate": won["deals"] * 100 / closed if closed else None,
        "average_deal": won["amount"] / won["deals"] if won["deals"] else None,
        "cycle_days": won["cycle_hours"] / 24 / won["deals"] if won["deals"] else None,
        "created_deals": totals["created"]["deals"],
        "created_value": totals["created"]["amount"],
    }


def _kpis(current, previous):
    now, before = _figures(current), _figures(previous)
    labels = [
        ("won_revenue", _("Revenue won"), "money"),
        ("won_deals", _("Deals won"), "count"),
        ("win_rate", _("Win rate"), "percent"),
        ("average_deal", _("Average deal size"), "money"),
        ("cycle_days", _("Sales cycle"), "days"),
        ("created_deals", _("New deals"), "count"),
        ("created_value", _("New pipeline"), "money"),
    ]
    return compared(labels, now, before)


def _won_by_day(reader, filters, period):
    return {
        row["day"]: row
        for row in deal_rows(
            reader, filters, period, by_day=report_filters.needs_days(filters.bucket)
        )
        .filter(event=StageKind.WON)
        .values("day")
        .annotate(amount=Sum("amount"), deals=Sum("deals"))
        .order_by()
    }


def _revenue(reader, filters, current, previous):
    """Revenue won per bucket, next to the same bucket of the previous period, with a
    least-squares trend through this period's buckets."""
    bucket = filters.bucket
    starts = buckets(current, bucket)
    earlier = buckets(previous, bucket)
    sums = {}
    for period, bucket_starts in ((current, starts), (previous, earlier)):
        by_bucket = defaultdict(lambda: [ZERO, 0])
        for day, row in _won_by_day(reader, filters, period).items():
            cell = by_bucket[bucket_of(day, bucket)]
            cell[0] += row["amount"]
            cell[1] += row["deals"]
        sums[period] = [by_bucket.get(start, [ZERO, 0]) for start in bucket_starts]
    trend = _trend([amount for amount, _deals in sums[current]])
    rows = []
    for n, start in enumerate(starts):
        amount, deals = sums[current][n]
        before = sums[previous][n][0] if n < len(earlier) else None
        rows.append([bucket_label(start, bucket), amount, deals, before, trend[n]])
    return Table(
        "revenue",
        _("Revenue won"),
        [
            Column("bucket", _("Period"), "text"),
            Column("revenue", _("Revenue won"), "money"),
            Column("deals", _("Deals won"), "count"),
            Column("previous", _("Previous period"), "money"),
            Column("trend", _("Trend"), "money"),
        ],
        rows,
        chart="line",
    )


def _trend(values):
    """The least-squares line through ``values`` (rounded to cents); flat for fewer than two."""
    count = len(values)
    if count < 2:
        return [Decimal(v).quantize(Decimal("0.01")) for v in values]
    xs = range(count)
    mean_x, mean_y = (count - 1) / 2, sum(float(v) for v in values) / count
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (float(v) - mean_y) for x, v in zip(xs, values, strict=True))
    slope /= spread
    return [Decimal(mean_y + slope * (x - mean_x)).quantize(Decimal("0.01")) for x in xs]


def open_deals(reader, filters):
    """The open deals ``reader`` may see that the filters select (not the period: open is now)."""
    deals = permissions.visible(reader, Deal.objects.filter(status=StageKind.OPEN))
    return report_filters.narrowed(deals, filters, DEAL_LOOKUPS)


def _weighted():
    return ExpressionWrapper(
        F("amount_base") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )


def _pipeline(reader, filters):
    """The open deals now, by stage (stages in their pipeline's order)."""
    by_stage = {
        row["stage_id"]: row
        for row in open_deals(reader, filters)
        .values("stage_id")
        .annotate(deals=Count("pk"), amount=Sum("amount_base"), weighted=Sum(_weighted()))
        .order_by()
    }
    stages = Stage.objects.filter(pk__in=by_stage).select_related("pipeline")
    stages = sorted(stages, key=lambda s: (s.pipeline.position, s.pipeline_id, s.position))
    several = len({s.pipeline_id for s in stages}) > 1
    rows = []
    for stage in stages:
        row = by_stage[stage.pk]
        name = f"{stage.pipeline.name} · {stage.name}" if several else stage.name
        weighted = Decimal(row["weighted"] or 0).quantize(Decimal("0.01"))
        rows.append([name, row["deals"], row["amount"] or ZERO, weighted])
    return Table(
        "pipeline",
        _("Pipeline by stage"),
        [
            Column("stage", _("Stage"), "text"),
            Column("deals", _("Open deals"), "count"),
            Column("value", _("Value"), "money"),
            Column("weighted", _("Weighted value"), "money"),
        ],
        rows,
        chart="bar",
    )


def _funnel(reader, filters):
    """Of the deals created in the period in one pipeline, how many reached each stage (a deal
    counts at the furthest stage it entered and every stage before it), and the share of those
    that went on to the next stage. Lost stages are an exit, not a step."""
    pipeline = _funnel_pipeline(filters)
    columns = [
        Column("stage", _("Stage"), "text"),
        Column("reached", _("Deals reaching it"), "count"),
        Column("onward", _("Went on to the next stage"), "percent"),
    ]
    if pipeline is None:
        return Table("funnel", _("Stage-to-stage funnel"), columns, [], chart="funnel")
    furthest = dict(
        report_filters.rows("funnel", reader, filters, columns=COLUMNS)
        .filter(pipeline_id=pipeline.pk)
        .values("stage_id")
        .annotate(deals=Sum("deals"))
        .order_by()
        .values_list("stage_id", "deals")
    )
    steps = list(pipeline.stages.exclude(kind=StageKind.LOST).order_by("position", "id"))
    reached, total = [], 0
    for stage in reversed(steps):
        total += furthest.get(stage.pk, 0)
        reached.insert(0, total)
    rows = []
    for n, stage in enumerate(steps):
        onward = None
        if n + 1 < len(steps) and reached[n]:
            onward = reached[n + 1] * 100 / reached[n]
        rows.append([stage.name, reached[n], onward])
    return Table(
        "funnel", _("Stage-to-stage funnel"), columns, rows, chart="funnel", note=pipeline.name
    )


def _funnel_pipeline(filters):
    pipelines = Pipeline.objects.filter(archived=False)
    if filters.pipeline:
        return Pipeline.objects.filter(pk=filters.pipeline).first()
    return pipelines.order_by("-is_default", "position", "id").first()


def _people(reader, filters):
    """The leaderboard (won, win rate, average deal) and the forecast against quota, per
    owner, over the period."""
    period = filters.period
    by_owner = defaultdict(lambda: {"won": ZERO, "won_deals": 0, "lost_deals": 0})
    for row in (
        deal_rows(reader, filters)
        .filter(event__in=(StageKind.WON, StageKind.LOST), owner_id__isnull=False)
        .values("owner_id", "event")
        .annotate(deals=Sum("deals"), amount=Sum("amount"))
        .order_by()
    ):
        cell = by_owner[row["owner_id"]]
        if row["event"] == StageKind.WON:
            cell["won"], cell["won_deals"] = row["amount"], row["deals"]
        else:
            cell["lost_deals"] = row["deals"]

    expected = (
        open_deals(reader, filters)
        .filter(
            owner_id__isnull=False,
            expected_close_date__gte=period.start,
            expected_close_date__lt=period.end,
        )
        .exclude(forecast_category=ForecastCategory.OMITTED)
        .values("owner_id")
        .annotate(
            weighted=Sum(_weighted()),
            committed=Sum("amount_base", filter=Q(forecast_category=ForecastCategory.COMMIT)),
            best_case=Sum("amount_base", filter=Q(forecast_category=ForecastCategory.BEST_CASE)),
        )
        .order_by()
    )
    expected = {row["owner_id"]: row for row in expected}
    quotas = dict(
        Quota.objects.filter(month__gte=period.start.replace(day=1), month__lt=period.end)
        .values("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    team = Team.objects.filter(pk=filters.team).first() if filters.team else None
    forecast_people = {u.pk: u for u in people_for(reader, team)}
    if filters.owner:
        forecast_people = {k: v for k, v in forecast_people.items() if k == filters.owner}
    people = {u.pk: u for u in User.objects.filter(pk__in=list(by_owner))} | forecast_people
    leaders, forecast = [], []
    for owner_id, cell in by_owner.items():
        if owner_id not in people:
            continue
        closed = cell["won_deals"] + cell["lost_deals"]
        leaders.append(
            [
                _name(people[owner_id]),
                cell["won"],
                cell["won_deals"],
                cell["won_deals"] * 100 / closed if closed else None,
                cell["won"] / cell["won_deals"] if cell["won_deals"] else None,
            ]
        )
    leaders.sort(key=lambda row: (-row[1], -row[2], row[0].casefold()))
    for owner_id in sorted(forecast_people, key=lambda pk: _name(people[pk]).casefold()):
        won = by_owner[owner_id]["won"] if owner_id in by_owner else ZERO
        row = expected.get(owner_id, {})
        weighted = Decimal(row.get("weighted") or 0).quantize(Decimal("0.01"))
        committed = row.get("committed") or ZERO
        best = won + committed + (row.get("best_case") or ZERO)
        quota = quotas.get(owner_id)
        if not (won or weighted or best or quota):
            continue  # nothing won, nothing expected, no quota: not part of the forecast
        attainment = won * 100 / quota if quota else None
        forecast.append(
            [_name(people[owner_id]), won, committed, best, weighted, quota, attainment]
        )
    return [
        Table(
            "leaderboard",
            _("Leaderboard"),
            [
                Column("owner", _("Owner"), "text"),
                Column("won", _("Revenue won"), "money"),
                Column("deals", _("Deals won"), "count"),
                Column("win_rate", _("Win rate"), "percent"),
                Column("average", _("Average deal size"), "money"),
            ],
            leaders,
            chart="bar",
        ),
        Table(
            "forecast",
            _("Forecast against quota"),
            [
                Column("owner", _("Owner"), "text"),
                Column("won", _("Won"), "money"),
                Column("commit", _("Committed"), "money"),
                Column("best_case", _("Best case"), "money"),
                Column("weighted", _("Weighted pipeline"), "money"),
                Column("quota", _("Quota"), "money"),
                Column("attainment", _("Attainment"), "percent"),
            ],
            forecast,
            chart="bar",
        ),
    ]


def _name(user):
    return user.get_full_name() or user.username
