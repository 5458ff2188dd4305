"""The predictions page: next quarter's sales forecast with its uncertainty, each open deal's
chance of being won and why, and how well each model did on data held out from its training."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clientela.contacts.choices import SourceChannel
from clientela.contacts.models import Company
from clientela.core import permissions
from clientela.core.choices import RecordScope
from clientela.core.models import Team, User
from clientela.sales.models import Deal, Pipeline

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
            Column("low_80", _("Low (80 %)"), "money"),
            Column("high_80", _("High (80 %)"), "money"),
            Column("low_95", _("Low (95 %)"), "money"),
            Column("high_95", _("High (95 %)"), "money"),
        ],
        rows,
        chart="line",
    )


def _scores(reader):
    deals = permissions.visible(reader, Deal.objects.filter(status="open"))
    found = list(
        DealScore.objects.filter(deal__in=deals)
        .select_related("deal")
        .order_by("-probability", "deal_id")[:SCORES_SHOWN]
    )
    explain = factor_names([f["feature"] for s in found for f in s.factors])
    for score in found:
        score.reasons = [
            (explain.get(f["feature"], f["feature"]), f["effect"] > 0) for f in score.factors
        ]
    return found


def factor_names(features):
    """``{"source=referral": "Source: Referral", "log_amount": "Amount", ...}`` in the active
    language, ids of people, teams and pipelines as their names."""
    labels = {
        "pipeline": _("Pipeline"),
        "source": _("Source"),
        "log_amount": _("Amount"),
        "days_planned": _("Time planned to close"),
        "owner": _("Owner"),
        "team": _("Team"),
        "industry": _("Company industry"),
        "size": _("Company size"),
        "country": _("Country"),
        "region": _("Region"),
    }
    ids = defaultdict(set)
    for feature in features:
        name, _sep, value = feature.partition("=")
        if value.startswith("#") and value[1:].isdigit():
            ids[name].add(int(value[1:]))
    names = {
        "owner": {
            u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids["owner"])
        },
        "team": dict(Team.objects.filter(pk__in=ids["team"]).values_list("pk", "name")),
        "pipeline": dict(Pipeline.objects.filter(pk__in=ids["pipeline"]).values_list("pk", "name")),
        "source": {k: str(v) for k, v in SourceChannel.choices},
        "industry": {k: str(v) for k, v in Company._meta.get_field("industry").choices},
        "size": {k: str(v) for k, v in Company._meta.get_field("size").choices},
    }
    explained = {}
    for feature in set(features):
        name, _sep, value = feature.partition("=")
        label = labels.get(name, name)
        if not value:
            explained[feature] = str(label)
            continue
        key = int(value[1:]) if value.startswith("#") and value[1:].isdigit() else value
        explained[feature] = f"{label}: {names.get(name, {}).get(key, value)}"
    return explained


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
