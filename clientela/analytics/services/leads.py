"""Lead scoring: the chance each open deal is won, learnt from the business's own won and lost
deals (``predictions.scoring``), with the factors behind each score. Only what is known while a
deal is open is used — its pipeline, source, amount (base currency), the time planned to close
it, its owner and team, and its company's industry, size, country and region — never how it
ended. The worker retrains daily (``jobs.retrain_deals``).
"""

import math

from django.db import transaction
from django.utils import timezone

from clientela.sales.choices import StageKind
from clientela.sales.models import Deal

from ..models import DealScore, PredictionKind, PredictionRun, RunStatus
from ..predictions import scoring

BATCH = 5000
# The most recently closed deals learnt from: what sells now, in a bounded time.
MAX_TRAINING = 200_000
COLUMNS = (
    "pk",
    "status",
    "pipeline_id",
    "source",
    "amount_base",
    "created_at",
    "expected_close_date",
    "owner_id",
    "team_id",
    "company__industry",
    "company__size",
    "company__country",
    "company__region",
)


def features(row):
    """What a deal's score is learnt from (a row of ``COLUMNS``)."""
    values = dict(zip(COLUMNS, row, strict=True))
    planned = (values["expected_close_date"] - values["created_at"].date()).days
    amount = float(values["amount_base"] or 0)
    return {
        "pipeline": f"#{values['pipeline_id']}",
        "source": values["source"],
        "log_amount": math.log10(1 + max(amount, 0.0)),
        "days_planned": max(planned, 0),
        "owner": f"#{values['owner_id']}" if values["owner_id"] else None,
        "team": f"#{values['team_id']}" if values["team_id"] else None,
        "industry": values["company__industry"],
        "size": values["company__size"],
        "country": values["company__country"],
        "region": values["company__region"],
    }


def retrain(now=None):
    """Learn from the closed deals and score the open ones; returns the ``PredictionRun``
    (without scores, and saying why, when there is not enough history yet)."""
    now = now or timezone.now()
    closed = list(
        Deal.objects.exclude(status=StageKind.OPEN)
        .order_by("-closed_at", "-pk")
        .values_list(*COLUMNS)[:MAX_TRAINING]
    )
    try:
        model = scoring.train(
            [features(r) for r in closed], [r[1] == StageKind.WON for r in closed]
        )
    except scoring.NotEnoughData as error:
        return _log(now, RunStatus.NOT_ENOUGH_DATA, len(closed), {}, str(error))
    open_deals = Deal.objects.filter(status=StageKind.OPEN).values_list(*COLUMNS)
    with transaction.atomic():
        DealScore.objects.all().delete()
        batch = []
        for row in open_deals.iterator(chunk_size=BATCH):
            batch.append(row)
            if len(batch) == BATCH:
                _write(model, batch, now)
                batch = []
        _write(model, batch, now)
        accuracy = {
            "held_out_auc": round(model.auc, 4),
            "held_out_accuracy": round(model.accuracy, 4),
        }
        return _log(now, RunStatus.READY, len(closed), accuracy, "")


def _write(model, rows, now):
    if not rows:
        return
    scores = model.score([features(r) for r in rows])
    DealScore.objects.bulk_create(
        DealScore(
            deal_id=row[0],
            probability=score.probability,
            factors=[{"feature": f.feature, "effect": round(f.effect, 4)} for f in score.factors],
            computed_at=now,
        )
        for row, score in zip(rows, scores, strict=True)
    )


def _log(now, status, trained_on, accuracy, message):
    return PredictionRun.objects.create(
        kind=PredictionKind.LEADS,
        status=status,
        trained_at=now,
        trained_on=trained_on,
        accuracy=accuracy,
        message=message[:300],
    )
