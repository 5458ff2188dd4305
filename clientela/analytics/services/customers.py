"""Each customer's RFM scores and segment, and what the repeat-purchase models (BG/NBD and
Gamma-Gamma) expect of them, computed from the completed purchases (base currency) of every
contact who bought. The worker retrains daily (``jobs.retrain_customers``).

The models' accuracy is measured by holding out the last 90 days: fitted on the purchases
before them, they forecast each customer's purchases in those days, compared with what each
bought. Values: the Gamma-Gamma model of the average of a repeat buyer's purchases (all of
them, the first included; the papers average the repeat ones, which a contact's totals do not
separate).
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.collaboration.choices import Sentiment
from clientela.collaboration.models import SurveyAnswer
from clientela.sales.choices import PurchaseStatus, StageKind
from clientela.sales.models import DealContact, Purchase
from clientela.support.choices import ACTIVE_STATUSES
from clientela.support.models import Case

from ..models import CustomerCluster, CustomerScore, PredictionKind, PredictionRun, RunStatus
from ..predictions import btyd, next_action
from ..segmentation import clusters, rfm
from . import cohorts

DAY = 86_400.0
HORIZON_DAYS = 90  # the "expected purchases" of a customer
HOLDOUT_DAYS = 90
CLV_MONTHS, MONTH_DAYS, MONTHLY_DISCOUNT = 12, 30.0, 0.01
BATCH = 5000
# The models' few parameters describe the whole population; a random sample of customers
# estimates them as well as all of them, in a bounded time. Every customer is then scored.
FIT_SAMPLE = 100_000
CLUSTER_SAMPLE = 10_000  # customers the groups' separation (silhouette) is measured on


@dataclass
class Histories:
    contact_ids: np.ndarray
    x: np.ndarray  # repeat purchases
    t_x: np.ndarray  # days from the first purchase to the last
    T: np.ndarray  # days from the first purchase to ``until``
    days_since_last: np.ndarray
    purchases: np.ndarray
    spent: np.ndarray
    average: np.ndarray


def histories(until, since=None):
    """The purchase histories of the contacts who bought before ``until`` (and, with
    ``since``, only the purchases from then on counted: a hold-out window)."""
    bought = Purchase.objects.filter(
        status=PurchaseStatus.COMPLETED, contact__isnull=False, purchased_at__lt=until
    )
    if since is not None:
        bought = bought.filter(purchased_at__gte=since)
    rows = list(
        bought.values("contact_id")
        .annotate(n=Count("id"), total=Sum("total_base"), first=Min("purchased_at"))
        .annotate(last=Max("purchased_at"))
        .values_list("contact_id", "n", "total", "first", "last")
        .order_by("contact_id")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    n = np.array([r[1] for r in rows], dtype=float)
    total = np.array([float(r[2] or 0) for r in rows])
    first = np.array([(until - r[3]).total_seconds() / DAY for r in rows])
    last = np.array([(until - r[4]).total_seconds() / DAY for r in rows])
    return Histories(
        contact_ids=ids,
        x=n - 1,
        t_x=first - last,
        T=first,
        days_since_last=last,
        purchases=n,
        spent=total,
        average=np.divide(total, n, out=np.zeros_like(total), where=n > 0),
    )


def holdout_accuracy(now):
    """How the BG/NBD fitted before the last 90 days did on them: the mean absolute error per
    customer and the total forecast against the total bought (``None`` if it cannot be fitted
    on what came before)."""
    cutoff = now - timedelta(days=HOLDOUT_DAYS)
    before = histories(cutoff)
    try:
        model = btyd.fit_bgnbd(*_sample(before.x, before.t_x, before.T))
    except btyd.NotEnoughData:
        return None
    after = histories(now, since=cutoff)
    bought = dict(zip(after.contact_ids.tolist(), after.purchases.tolist(), strict=True))
    actual = np.array([bought.get(pk, 0.0) for pk in before.contact_ids.tolist()])
    expected = model.expected_purchases(HOLDOUT_DAYS, before.x, before.t_x, before.T)
    return {
        "held_out_days": HOLDOUT_DAYS,
        "customers": len(actual),
        "mean_absolute_error": round(float(np.mean(np.abs(expected - actual))), 4),
        "expected_total": round(float(expected.sum()), 1),
        "actual_total": int(actual.sum()),
    }


def retrain(now=None):
    """Score every customer again; returns the ``PredictionRun``. Scores are written even
    when the models cannot be fitted (RFM needs no model); predictions are then empty."""
    now = now or timezone.now()
    found = histories(now)
    scores = rfm.score(found.days_since_last, found.purchases, found.spent)
    predictions, parameters, message = _predict(found)
    status = RunStatus.READY if predictions else RunStatus.NOT_ENOUGH_DATA
    accuracy = holdout_accuracy(now) if predictions else None
    segments = scores.segments
    actions = next_actions(found.contact_ids, segments, predictions.get("p_alive"), now)
    groups = behaviour_groups(found, now)
    cohorts.rebuild()
    with transaction.atomic():
        CustomerScore.objects.all().delete()
        CustomerCluster.objects.all().delete()
        if groups is not None:
            CustomerCluster.objects.bulk_create(
                CustomerCluster(
                    number=c.number,
                    size=c.size,
                    share=c.share,
                    centre=c.centre,
                    traits=[list(t) for t in c.traits],
                    differences=c.differences,
                    repeat=c.repeat,
                    computed_at=now,
                )
                for c in groups.clusters
            )
        for start in range(0, len(found.contact_ids), BATCH):  # a batch in memory at a time
            CustomerScore.objects.bulk_create(
                CustomerScore(
                    contact_id=int(found.contact_ids[i]),
                    recency=int(scores.recency[i]),
                    frequency=int(scores.frequency[i]),
                    monetary=int(scores.monetary[i]),
                    segment=segments[i],
                    next_action=actions[i],
                    cluster=None if groups is None else int(groups.labels[i]),
                    computed_at=now,
                    **{name: float(values[i]) for name, values in predictions.items()},
                )
                for i in range(start, min(start + BATCH, len(found.contact_ids)))
            )
        return PredictionRun.objects.create(
            kind=PredictionKind.CUSTOMERS,
            status=status,
            trained_at=now,
            trained_on=len(found.contact_ids),
            parameters=parameters,
            accuracy=accuracy or {},
            message=message,
        )


def next_actions(contact_ids, segments, p_alive, now):
    """The next best action of each customer, from their segment, their chance of still being
    active, and what is open with them: cases, deals, a recent low score."""
    ids = contact_ids.tolist()
    open_cases = _counts(
        Case.objects.filter(status__in=ACTIVE_STATUSES, contact_id__isnull=False), "contact_id"
    )
    open_deals = _counts(
        DealContact.objects.filter(deal__status=StageKind.OPEN, deal__deleted_at__isnull=True),
        "contact_id",
    )
    detractors = set(
        SurveyAnswer.objects.filter(
            sentiment=Sentiment.DETRACTOR, created_at__gte=now - timedelta(days=HOLDOUT_DAYS)
        ).values_list("contact_id", flat=True)
    )
    return [
        next_action.suggest(
            next_action.Facts(
                segment=segments[i],
                p_alive=None if p_alive is None else float(p_alive[i]),
                open_cases=open_cases.get(pk, 0),
                open_deals=open_deals.get(pk, 0),
                detractor=pk in detractors,
            )
        )
        for i, pk in enumerate(ids)
    ]


def behaviour_groups(found, now):
    """The customers' behaviour groups (``None`` with too few customers to group)."""
    recent = _counts(
        Activity.objects.filter(
            contact_id__isnull=False, timeline_at__gte=now - timedelta(days=HOLDOUT_DAYS)
        ),
        "contact_id",
    )
    features = {
        "recency_days": found.days_since_last,
        "frequency": found.purchases,
        "monetary": found.spent,
        "tenure_days": found.T,
        "interactions_90d": np.array([recent.get(pk, 0) for pk in found.contact_ids.tolist()]),
    }
    try:
        return clusters.cluster(features, sample=CLUSTER_SAMPLE)
    except clusters.NotEnoughData:
        return None


def _sample(*columns):
    """The same random rows (at most ``FIT_SAMPLE``) of each column, reproducibly."""
    count = len(columns[0])
    if count <= FIT_SAMPLE:
        return columns
    rows = np.random.default_rng(0).choice(count, FIT_SAMPLE, replace=False)
    return tuple(column[rows] for column in columns)


def _counts(queryset, field):
    return dict(queryset.values(field).annotate(n=Count("pk")).order_by().values_list(field, "n"))


def _predict(found):
    """``({column: values}, parameters, message)``: nothing when the purchase model cannot be
    fitted yet, no values when the spend model cannot."""
    try:
        model = btyd.fit_bgnbd(*_sample(found.x, found.t_x, found.T))
    except btyd.NotEnoughData as error:
        return {}, {}, str(error)
    predictions = {
        "p_alive": model.p_alive(found.x, found.t_x, found.T),
        "expected_purchases": model.expected_purchases(HORIZON_DAYS, found.x, found.t_x, found.T),
    }
    parameters = {"bgnbd": {k: round(getattr(model, k), 6) for k in ("r", "alpha", "a", "b")}}
    # The spend model is fitted on the repeat buyers' averages over all their purchases (the
    # number averaged is their number of purchases).
    repeat_buyers = np.where(found.x > 0, found.purchases, 0)
    try:
        spend = btyd.fit_gamma_gamma(*_sample(repeat_buyers, found.average))
    except btyd.NotEnoughData as error:
        return predictions, parameters, str(error)
    worth = spend.expected_value(found.purchases, found.average)
    predictions["expected_value"] = worth
    predictions["lifetime_value"] = btyd.lifetime_value(
        model,
        found.x,
        found.t_x,
        found.T,
        worth,
        periods=CLV_MONTHS,
        period_length=MONTH_DAYS,
        discount_rate=MONTHLY_DISCOUNT,
    )
    parameters["gamma_gamma"] = {k: round(getattr(spend, k), 6) for k in ("p", "q", "gamma")}
    return predictions, parameters, ""
