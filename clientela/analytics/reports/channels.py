"""The channels report: interactions with customers per channel over time — e-mail, phone,
meetings, web forms, social media, the customer portal and chat.

Logged activities (e-mails, calls, meetings) and cases by the channel they came in on are read
from the daily rollups; web-form submissions are counted per bucket in one pass over the
period's submissions (of the contacts the reader may see).
"""

from collections import defaultdict

from django.db.models import Case, Count, IntegerField, Q, Sum, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.activities.choices import ActivityKind
from clientela.intake.models import FormSubmission
from clientela.support.choices import CaseChannel

from ..rollups.engine import start_of
from . import filters as report_filters
from .period import bucket_label, bucket_of, buckets
from .tables import Column, Kpi, Report, Table

AREA = "activities"
COLUMNS = {}  # owner and team only
CHANNELS = {
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "meeting": gettext_lazy("Meetings"),
    "form": gettext_lazy("Web forms"),
    "social": gettext_lazy("Social media"),
    "portal": gettext_lazy("Customer portal"),
    "chat": gettext_lazy("Chat"),
}
ACTIVITY_CHANNELS = {
    ActivityKind.EMAIL: "email",
    ActivityKind.CALL: "phone",
    ActivityKind.MEETING: "meeting",
}
CASE_CHANNELS = {
    CaseChannel.EMAIL: "email",
    CaseChannel.PHONE: "phone",
    CaseChannel.WEB_FORM: "form",
    CaseChannel.SOCIAL: "social",
    CaseChannel.PORTAL: "portal",
    CaseChannel.CHAT: "chat",
}


def build(reader, filters):
    current, previous = filters.period, filters.period.previous()
    report = Report("channels", _("Interactions by channel"), current, previous)
    by_bucket = _counts(reader, filters, current, filters.bucket)
    before = _counts(reader, filters, previous, "year")
    totals = {c: sum(cells.get(c, 0) for cells in by_bucket.values()) for c in CHANNELS}
    earlier = {c: sum(cells.get(c, 0) for cells in before.values()) for c in CHANNELS}
    report.kpis = [
        Kpi("interactions", _("Interactions"), "count", sum(totals.values()), sum(earlier.values()))
    ] + [Kpi(c, label, "count", totals[c], earlier[c]) for c, label in CHANNELS.items()]
    report.tables = [
        Table(
            "by_channel",
            _("Interactions by channel"),
            [
                Column("channel", _("Channel")),
                Column("interactions", _("Interactions"), "count"),
                Column("previous", _("Previous period"), "count"),
            ],
            [[str(label), totals[c], earlier[c]] for c, label in CHANNELS.items()],
            chart="bar",
        ),
        Table(
            "over_time",
            _("Interactions over time"),
            [Column("bucket", _("Period"))]
            + [Column(c, label, "count") for c, label in CHANNELS.items()],
            [
                [bucket_label(start, filters.bucket)]
                + [by_bucket[start].get(c, 0) for c in CHANNELS]
                for start in buckets(current, filters.bucket)
            ],
            chart="line",
        ),
    ]
    return report


def _counts(reader, filters, period, bucket):
    """``{bucket start: {channel: interactions}}`` over the period."""
    cells = defaultdict(lambda: defaultdict(int))
    by_day = report_filters.needs_days(bucket)
    activities = (
        report_filters.rows("activities", reader, filters, period, columns=COLUMNS, by_day=by_day)
        .filter(kind__in=list(ACTIVITY_CHANNELS))
        .values("day", "kind")
        .annotate(n=Sum("activities"))
        .order_by()
    )
    for row in activities:
        cells[bucket_of(row["day"], bucket)][ACTIVITY_CHANNELS[row["kind"]]] += row["n"]
    cases = (
        report_filters.rows("cases", reader, filters, period, columns=COLUMNS, by_day=by_day)
        .filter(event="opened")
        .values("day", "channel")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    for row in cases:
        channel = CASE_CHANNELS.get(row["channel"])
        if channel:
            cells[bucket_of(row["day"], bucket)][channel] += row["n"]
    for start, count in _form_submissions(reader, filters, period, bucket).items():
        cells[start]["form"] += count
    return cells


def _form_submissions(reader, filters, period, bucket):
    """Submissions per bucket: one conditional count per bucket in a single pass (grouping by a
    truncated date would call a Python function per row on SQLite)."""
    starts = buckets(period, bucket)
    bounds = [max(start, period.start) for start in starts] + [period.end]
    submissions = FormSubmission.objects.filter(
        created_at__gte=start_of(period.start), created_at__lt=start_of(period.end)
    )
    submissions = report_filters.owned_by(submissions, reader, filters, via="contact__")
    sums = {
        f"b{n}": Count(
            Case(
                When(Q(created_at__gte=start_of(low), created_at__lt=start_of(high)), then=1),
                output_field=IntegerField(),
            )
        )
        for n, (low, high) in enumerate(zip(bounds, bounds[1:], strict=False))
    }
    found = submissions.aggregate(**sums) if sums else {}
    return {bucket_of(starts[n], bucket): found[f"b{n}"] or 0 for n in range(len(starts))}
