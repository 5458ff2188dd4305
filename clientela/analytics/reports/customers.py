"""The customers report: RFM segments, behaviour groups, cohort retention, lifetime value, churn
risk and each valued customer's next best action — as of the last daily training, whose
accuracy on held-out purchases (or "not enough data yet") the report states.

Scores are read per customer the reader may see; cohorts from ``CohortCell`` (per owner and
team); the period selects the cohorts (customers who first bought in it).
"""

from collections import defaultdict

from django.db.models import Avg, Count, Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from ..models import CohortCell, CustomerCluster, CustomerScore, PredictionKind, PredictionRun
from ..predictions.next_action import ACTIONS, HIGH_RISK
from ..segmentation.rfm import SEGMENTS
from . import filters as report_filters
from .period import add_months
from .tables import Column, Kpi, Report, Table

AREA = "contacts"
COHORT_MONTHS = 12
AT_RISK_SHOWN = 20


def scores(reader, filters):
    """The customer scores of contacts ``reader`` may see that the filters select."""
    found = CustomerScore.objects.filter(contact__deleted_at__isnull=True)
    found = report_filters.owned_by(found, reader, filters, via="contact__")
    if filters.region:
        found = found.filter(contact__region=filters.region)
    return found


def build(reader, filters):
    report = Report("customers", _("Customers"), filters.period, None)
    run = PredictionRun.objects.filter(kind=PredictionKind.CUSTOMERS).first()
    report.state = _state(run)
    found = scores(reader, filters)
    totals = found.aggregate(
        customers=Count("pk"),
        alive=Avg("p_alive"),
        at_risk=Count("pk", filter=Q(p_alive__lte=1 - HIGH_RISK)),
        value=Sum("lifetime_value"),
        average_value=Avg("lifetime_value"),
        expected=Sum("expected_purchases"),
    )
    average_alive = totals["alive"]
    report.kpis = [
        Kpi("customers", _("Customers scored"), "count", totals["customers"]),
        Kpi(
            "active",
            _("Average chance still active"),
            "percent",
            None if average_alive is None else average_alive * 100,
        ),
        Kpi("high_churn_risk", _("Customers at high churn risk"), "count", totals["at_risk"]),
        Kpi("expected_purchases", _("Purchases expected in 90 days"), "number", totals["expected"]),
        Kpi("lifetime_value", _("Value expected in 12 months"), "money", totals["value"]),
        Kpi("average_value", _("Average customer value"), "money", totals["average_value"]),
    ]
    report.tables = [
        _segments(found, totals["customers"]),
        _clusters(found),
        _cohorts(reader, filters),
        _at_risk(found),
    ]
    return report


def _state(run):
    if run is None:
        return _("The customer models have not been trained yet: the worker trains them daily.")
    when = formats.date_format(run.trained_at, "SHORT_DATETIME_FORMAT")
    if run.status != "ready":
        return _(
            "Not enough data yet for predictions (trained %(when)s on %(count)s customers): "
            "the models need customers who have bought more than once."
        ) % {"when": when, "count": run.trained_on}
    accuracy = run.accuracy or {}
    if accuracy.get("expected_total") is None:
        return _("Trained %(when)s on %(count)s customers.") % {
            "when": when,
            "count": run.trained_on,
        }
    return _(
        "Trained %(when)s on %(count)s customers. On the last %(days)s days, held out, it "
        "expected %(expected)s purchases and there were %(actual)s (average error per "
        "customer: %(error)s)."
    ) % {
        "when": when,
        "count": run.trained_on,
        "days": accuracy["held_out_days"],
        "expected": formats.number_format(accuracy["expected_total"], 0, use_l10n=True),
        "actual": accuracy["actual_total"],
        "error": formats.number_format(accuracy["mean_absolute_error"], 2, use_l10n=True),
    }


def _segments(found, customers):
    rows = {
        row["segment"]: row
        for row in found.values("segment")
        .annotate(n=Count("pk"), value=Avg("lifetime_value"), alive=Avg("p_alive"))
        .order_by()
    }
    table, keys = [], []
    for key, label in SEGMENTS.items():
        if key in rows:
            row = rows[key]
            risk = None if row["alive"] is None else (1 - row["alive"]) * 100
            table.append([str(label), row["n"], row["n"] * 100 / customers, row["value"], risk])
            keys.append(("segment", key))
    return Table(
        "segments",
        _("RFM segments"),
        [
            Column("segment", _("Segment")),
            Column("customers", _("Customers"), "count"),
            Column("share", _("Share"), "percent"),
            Column("value", _("Average value expected in 12 months"), "money"),
            Column("churn_risk", _("Average churn risk"), "percent"),
        ],
        table,
        chart="bar",
        row_actions=keys,
    )


def _clusters(found):
    counts = dict(
        found.filter(cluster__isnull=False)
        .values("cluster")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("cluster", "n")
    )
    groups = [c for c in CustomerCluster.objects.all() if counts.get(c.number)]
    rows = [[c.name, counts[c.number], c.description] for c in groups]
    return Table(
        "clusters",
        _("Behaviour groups"),
        [
            Column("group", _("Group")),
            Column("customers", _("Customers"), "count"),
            Column("description", _("What they do")),
        ],
        rows,
        chart="pie",
        row_actions=[("cluster", c.number) for c in groups],
    )


def _cohorts(reader, filters):
    """Per cohort (month of first purchase, within the period): its customers and the share of
    them buying 1, 2, ... months later."""
    period = filters.period
    cells = CohortCell.objects.filter(
        cohort__gte=period.start.replace(day=1), cohort__lt=period.end
    )
    cells = report_filters.owned_by(cells, reader, filters)
    buyers = defaultdict(dict)
    for row in cells.values("cohort", "month").annotate(n=Sum("customers")).order_by():
        buyers[row["cohort"]][row["month"]] = row["n"]
    columns = [Column("cohort", _("First purchase")), Column("customers", _("Customers"), "count")]
    columns += [
        Column(f"m{k}", _("Month %(number)s") % {"number": k}, "percent")
        for k in range(1, COHORT_MONTHS)
    ]
    rows = []
    for cohort in sorted(buyers):
        size = buyers[cohort].get(cohort, 0)
        shares = [
            buyers[cohort].get(add_months(cohort, k), 0) * 100 / size if size else None
            for k in range(1, COHORT_MONTHS)
        ]
        rows.append([formats.date_format(cohort, "YEAR_MONTH_FORMAT"), size, *shares])
    return Table("cohorts", _("Cohort retention"), columns, rows, chart="table")


def _at_risk(found):
    """The most valuable customers at high churn risk, each with the next best action."""
    rows = (
        found.filter(p_alive__lte=1 - HIGH_RISK)
        .select_related("contact")
        .order_by("-lifetime_value", "contact_id")[:AT_RISK_SHOWN]
    )
    return Table(
        "at_risk",
        _("Valued customers at risk"),
        [
            Column("customer", _("Customer")),
            Column("segment", _("Segment")),
            Column("churn_risk", _("Churn risk"), "percent"),
            Column("value", _("Value expected in 12 months"), "money"),
            Column("action", _("Next best action")),
        ],
        [
            [
                str(score.contact),
                str(SEGMENTS.get(score.segment, score.segment)),
                (1 - score.p_alive) * 100,
                score.lifetime_value,
                str(ACTIONS.get(score.next_action, "")),
            ]
            for score in rows
        ],
        chart="table",
    )
