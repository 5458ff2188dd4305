"""The service report: cases by channel and category, first-response and resolution times, SLA
compliance, satisfaction (CSAT) and NPS trends, and the backlog.

Cases over a period come from the daily rollup (opened, first answered, resolved, with the
hours it took and how many met their due time); satisfaction answers are few and read
directly; the backlog is the active cases now.
"""

from collections import defaultdict

from django.db.models import Avg, Count, Q, Sum
from django.utils.translation import gettext as _

from clientela.collaboration.choices import SurveyKind
from clientela.collaboration.models import SurveyAnswer
from clientela.core import permissions
from clientela.support.choices import ACTIVE_STATUSES, CaseChannel, CasePriority
from clientela.support.models import Case, CaseCategory, SatisfactionSurvey

from ..rollups.engine import local_day, start_of
from . import filters as report_filters
from .period import bucket_label, bucket_of, buckets
from .tables import Column, Kpi, Report, Table, compared

AREA = "support"
CHANNELS = tuple(CaseChannel.choices)
COLUMNS = {"region": "region", "channel": "channel"}
EVENTS = ("opened", "responded", "resolved")
# The same filters on the cases themselves.
CASE_LOOKUPS = {
    "owner": "owner_id",
    "team": "team_id",
    "region": "contact__region",
    "channel": "channel",
}


def case_rows(reader, filters, period=None, *, by_day=False):
    return report_filters.rows("cases", reader, filters, period, columns=COLUMNS, by_day=by_day)


def build(reader, filters):
    current, previous = filters.period, filters.period.previous()
    report = Report("service", _("Service"), current, previous)
    totals = {p: _totals(reader, filters, p) for p in (current, previous)}
    satisfaction = {p: _satisfaction(reader, filters, p) for p in (current, previous)}
    report.kpis = _kpis(totals, satisfaction, current, previous)
    report.kpis.append(
        Kpi("backlog", _("Open cases now"), "count", _backlog(reader, filters).count())
    )
    report.tables = [
        _by_dimension(reader, filters, "channel", _("Cases by channel"), _("Channel")),
        _by_dimension(reader, filters, "category_id", _("Cases by category"), _("Category")),
        _over_time(reader, filters),
        _satisfaction_over_time(reader, filters),
        _backlog_table(reader, filters),
    ]
    return report


def _totals(reader, filters, period):
    found = {event: defaultdict(int) for event in EVENTS}
    for row in (
        case_rows(reader, filters, period)
        .values("event")
        .annotate(
            cases=Sum("cases"), hours=Sum("hours"), with_due=Sum("with_due"), on_time=Sum("on_time")
        )
        .order_by()
    ):
        found[row["event"]].update(row)
    return found


def _average(cell, field="hours"):
    return cell[field] / cell["cases"] if cell["cases"] else None


def _share(cell):
    return cell["on_time"] * 100 / cell["with_due"] if cell["with_due"] else None


def _kpis(totals, satisfaction, current, previous):
    def figures(period):
        found, answers = totals[period], satisfaction[period]
        return {
            "opened": found["opened"]["cases"],
            "resolved": found["resolved"]["cases"],
            "first_response": _average(found["responded"]),
            "resolution": _average(found["resolved"]),
            "response_sla": _share(found["responded"]),
            "resolution_sla": _share(found["resolved"]),
            "csat": answers["csat"],
            "nps": answers["nps"],
        }

    now, before = figures(current), figures(previous)
    labels = [
        ("opened", _("Cases opened"), "count"),
        ("resolved", _("Cases resolved"), "count"),
        ("first_response", _("Average first response"), "hours"),
        ("resolution", _("Average resolution"), "hours"),
        ("response_sla", _("First responses on time"), "percent"),
        ("resolution_sla", _("Resolutions on time"), "percent"),
        ("csat", _("Satisfaction (1–5)"), "number"),
        ("nps", _("Net Promoter Score"), "number"),
    ]
    return compared(labels, now, before)


def _answers(reader, filters, period):
    """Satisfaction answers on cases, and NPS answers of customers, ``reader`` may see."""
    window = {"answered_at__gte": start_of(period.start), "answered_at__lt": start_of(period.end)}
    csat = SatisfactionSurvey.objects.filter(score__isnull=False, **window)
    csat = csat.filter(case__deleted_at__isnull=True)
    csat = report_filters.owned_by(csat, reader, filters, via="case__")
    nps = SurveyAnswer.objects.filter(
        survey__kind=SurveyKind.NPS,
        score__isnull=False,
        created_at__gte=start_of(period.start),
        created_at__lt=start_of(period.end),
    )
    nps = report_filters.owned_by(nps, reader, filters, via="contact__")
    if filters.region:
        csat = csat.filter(case__contact__region=filters.region)
        nps = nps.filter(contact__region=filters.region)
    if filters.channel:
        csat = csat.filter(case__channel=filters.channel)
    return csat, nps


def nps_of(promoters, detractors, answers):
    """Promoters' share minus detractors' share, in points (-100 to 100)."""
    return round((promoters - detractors) * 100 / answers) if answers else None


NPS_COUNTS = {
    "answers": Count("pk"),
    "promoters": Count("pk", filter=Q(score__gte=9)),
    "detractors": Count("pk", filter=Q(score__lte=6)),
}


def _satisfaction(reader, filters, period):
    csat, nps = _answers(reader, filters, period)
    average = csat.aggregate(average=Avg("score"))["average"]
    counts = nps.aggregate(**NPS_COUNTS)
    return {
        "csat": round(average, 2) if average is not None else None,
        "nps": nps_of(counts["promoters"], counts["detractors"], counts["answers"]),
    }


def _by_dimension(reader, filters, dimension, title, label):
    rows = defaultdict(lambda: {event: 0 for event in EVENTS})
    for row in (
        case_rows(reader, filters)
        .values(dimension, "event")
        .annotate(cases=Sum("cases"))
        .order_by()
    ):
        rows[row[dimension]][row["event"]] = row["cases"]
    if dimension == "channel":
        names = dict(CaseChannel.choices)
    else:
        names = dict(
            CaseCategory.objects.filter(pk__in=[k for k in rows if k]).values_list("pk", "name")
        )
    table_rows = [
        [str(names.get(key, key)) if key else _("None"), cell["opened"], cell["resolved"]]
        for key, cell in rows.items()
    ]
    table_rows.sort(key=lambda row: (-row[1], row[0]))
    return Table(
        f"cases_by_{dimension.removesuffix('_id')}",
        title,
        [
            Column("name", label),
            Column("opened", _("Opened"), "count"),
            Column("resolved", _("Resolved"), "count"),
        ],
        table_rows,
        chart="pie" if dimension == "channel" else "bar",
    )


def _over_time(reader, filters):
    """Per bucket: average first response and resolution in hours, and the share on time."""
    bucket = filters.bucket
    cells = defaultdict(lambda: {e: defaultdict(int) for e in ("responded", "resolved")})
    for row in (
        case_rows(reader, filters, by_day=report_filters.needs_days(bucket))
        .filter(event__in=("responded", "resolved"))
        .values("day", "event")
        .annotate(
            cases=Sum("cases"), hours=Sum("hours"), with_due=Sum("with_due"), on_time=Sum("on_time")
        )
        .order_by()
    ):
        cell = cells[bucket_of(row["day"], bucket)][row["event"]]
        for name in ("cases", "hours", "with_due", "on_time"):
            cell[name] += row[name]
    rows = []
    for start in buckets(filters.period, bucket):
        responded, resolved = cells[start]["responded"], cells[start]["resolved"]
        rows.append(
            [
                bucket_label(start, bucket),
                _average(responded),
                _average(resolved),
                _share(responded),
                _share(resolved),
            ]
        )
    return Table(
        "times",
        _("Response and resolution times"),
        [
            Column("bucket", _("Period")),
            Column("first_response", _("Average first response"), "hours"),
            Column("resolution", _("Average resolution"), "hours"),
            Column("response_sla", _("First responses on time"), "percent"),
            Column("resolution_sla", _("Resolutions on time"), "percent"),
        ],
        rows,
        chart="line",
    )


def _satisfaction_over_time(reader, filters):
    bucket, period = filters.bucket, filters.period
    csat, nps = _answers(reader, filters, period)
    scores = defaultdict(lambda: [0, 0])
    for answered_at, score in csat.values_list("answered_at", "score"):
        cell = scores[bucket_of(local_day(answered_at), bucket)]
        cell[0] += score
        cell[1] += 1
    promoters = defaultdict(lambda: [0, 0, 0])
    for created_at, score in nps.values_list("created_at", "score"):
        cell = promoters[bucket_of(local_day(created_at), bucket)]
        cell[0] += 1
        cell[1] += score >= 9
        cell[2] += score <= 6
    rows = []
    for start in buckets(period, bucket):
        total, count = scores[start]
        answers, good, bad = promoters[start]
        rows.append(
            [
                bucket_label(start, bucket),
                round(total / count, 2) if count else None,
                count,
                nps_of(good, bad, answers),
                answers,
            ]
        )
    return Table(
        "satisfaction",
        _("Satisfaction and NPS"),
        [
            Column("bucket", _("Period")),
            Column("csat", _("Satisfaction (1–5)"), "number"),
            Column("csat_answers", _("Satisfaction answers"), "count"),
            Column("nps", _("Net Promoter Score"), "number"),
            Column("nps_answers", _("NPS answers"), "count"),
        ],
        rows,
        chart="table",
    )


def _backlog(reader, filters):
    cases = permissions.visible(reader, Case.objects.filter(status__in=ACTIVE_STATUSES))
    return report_filters.narrowed(cases, filters, CASE_LOOKUPS)


def _backlog_table(reader, filters):
    counts = dict(
        _backlog(reader, filters)
        .values("priority")
        .annotate(cases=Count("pk"))
        .order_by()
        .values_list("priority", "cases")
    )
    rows = [
        [str(label), counts[value]]
        for value, label in reversed(CasePriority.choices)
        if value in counts
    ]
    return Table(
        "backlog",
        _("Open cases now, by priority"),
        [Column("priority", _("Priority")), Column("cases", _("Open cases"), "count")],
        rows,
        chart="bar",
    )
