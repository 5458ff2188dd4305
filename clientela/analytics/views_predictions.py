"""The predictions page: next quarter's sales forecast with its uncertainty, each open deal's
chance of being won and why, and how well each model did on data held out from its training."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clientela.core import permissions
from clientela.core.choices import RecordScope
from clientela.sales.models import Deal

from .models import DealScore, PredictionKind, PredictionRun
from .reports.tables import Column, Table

SCORES_SHOWN = 50


def _latest(kind):
    return PredictionRun.objects.filter(kind=kind).first()


def _forecast_table(run):
    months = run.parameters.get("months", []) if run and run.status == "ready" else []
    history = run.parameters.get("history", [])[-12:] if months else []
    rows = [[period, value, None, None, None, None] for period, value in history]
    rows += [
        [m["period"], m["value"], m["low_80"], m["high_80"], m["low_95"], m["high_95"]]
        for m in months
    ]
    return Table(
        "forecast",
        _("Revenue won by month, and the forecast"),
        [
            Column("month", _("Month")),
            Column("value", _("Revenue won or expected"), "money"),
            Column("low_80", _("80 % interval, low"), "money"),
            Column("high_80", _("80 % interval, high"), "money"),
            Column("low_95", _("95 % interval, low"), "money"),
            Column("high_95", _("95 % interval, high"), "money"),
        ],
        rows,
        chart="line",
    )


def _scores(reader):
    deals = permissions.visible(reader, Deal.objects.filter(status="open"))
    found = (
        DealScore.objects.filter(deal__in=deals)
        .select_related("deal")
        .order_by("-probability", "deal_id")[:SCORES_SHOWN]
    )
    return list(found)


@never_cache
@login_required
def predictions(request):
    if not permissions.can_read(request.user, "sales"):
        raise PermissionDenied
    sees_all = permissions.scope_of(request.user) == RecordScope.ALL
    forecast_run = _latest(PredictionKind.FORECAST) if sees_all else None
    context = {
        "sees_all": sees_all,
        "forecast_run": forecast_run,
        "forecast": _forecast_table(forecast_run) if forecast_run else None,
        "leads_run": _latest(PredictionKind.LEADS),
        "customers_run": _latest(PredictionKind.CUSTOMERS),
        "scores": _scores(request.user),
    }
    return render(request, "analytics/predictions.html", context)
