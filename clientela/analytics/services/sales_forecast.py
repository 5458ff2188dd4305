"""The company's sales forecast: revenue won per month (base currency, from the deals' daily
rollup) forecast for the next three months with 80 % and 95 % intervals and back-tested
(``predictions.forecast``). The worker retrains it daily (``jobs.retrain_forecast``); the
result is kept on the ``PredictionRun``, so the page reads it instantly.

It is the whole company's forecast: it is shown to those who see every deal.
"""

from collections import defaultdict
from dataclasses import asdict

from django.db.models import Sum
from django.utils import timezone

from .. import rollups
from ..models import PredictionKind, PredictionRun, RunStatus
from ..predictions import forecast
from ..reports.period import add_months

HORIZON = 3


def monthly_history(today=None):
    """``[("2026-01", revenue won), ...]``: every month from the first with a won deal to the
    last complete one, months without sales as 0."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    won = (  # the month rows: complete months only
        rollups.settled("deals")
        .objects.filter(span="m", event="won", day__lt=this_month)
        .values("day")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    months = defaultdict(float)
    for row in won:
        months[row["day"].replace(day=1)] += float(row["amount"] or 0)
    if not months:
        return []
    history, month = [], min(months)
    while month < this_month:
        history.append((f"{month:%Y-%m}", months.get(month, 0.0)))
        month = add_months(month, 1)
    return history


def retrain(today=None):
    now = timezone.now()
    history = monthly_history(today)
    try:
        result = forecast.forecast(history, horizon=HORIZON)
    except forecast.NotEnoughData as error:
        return PredictionRun.objects.create(
            kind=PredictionKind.FORECAST,
            status=RunStatus.NOT_ENOUGH_DATA,
            trained_at=now,
            trained_on=len(history),
            message=str(error)[:300],
        )
    return PredictionRun.objects.create(
        kind=PredictionKind.FORECAST,
        status=RunStatus.READY,
        trained_at=now,
        trained_on=len(history),
        parameters={
            "model": result.model,
            "months": [asdict(month) for month in result.months],
            "history": history[-24:],
        },
        accuracy=asdict(result.accuracy) if result.accuracy else {},
    )
