"""Writing saved reports, dashboards and their tiles, and report subscriptions: every change
is checked here (a valid definition, a team one belongs to, only the owner changes a thing)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.choices import Sharing

from ..builder.query import Spec
from ..models import Dashboard, DashboardTile, Frequency, ReportSubscription, SavedReport
from ..reports import BUILT_IN, built_in

MAX_TILES = 24


def _sharing(actor, name, sharing, team):
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give it a name.")]
    elif len(name) > 120:
        errors["name"] = [_("At most 120 characters.")]
    if sharing not in Sharing.values:
        errors["sharing"] = [_("Choose who shares it.")]
    elif sharing == Sharing.TEAM and (team is None or team.pk not in actor.team_ids()):
        errors["team"] = [_("Choose one of your teams.")]
    if errors:
        raise ValidationError(errors)
    return name, (team if sharing == Sharing.TEAM else None)


def _require_owner(actor, thing):
    if thing.owner_id != actor.pk:
        raise PermissionDenied


def save_report(
    *, actor, name, spec, description="", sharing=Sharing.PRIVATE, team=None, report=None
):
    """Create a saved report, or change ``report`` (its owner only)."""
    if report is not None:
        _require_owner(actor, report)
    checked = Spec.from_data(spec)
    name, team = _sharing(actor, name, sharing, team)
    if len(description or "") > 300:
        raise ValidationError({"description": [_("At most 300 characters.")]})
    report = report or SavedReport(owner=actor)
    report.name, report.description, report.spec = name, description or "", checked.as_data()
    report.sharing, report.team, report.updated_at = sharing, team, timezone.now()
    report.save()
    return report


def delete(actor, thing):
    """Delete a saved report or dashboard (its owner only)."""
    _require_owner(actor, thing)
    thing.delete()


def create_dashboard(*, actor, name, sharing=Sharing.PRIVATE, team=None):
    name, team = _sharing(actor, name, sharing, team)
    return Dashboard.objects.create(owner=actor, name=name, sharing=sharing, team=team)


@transaction.atomic
def pin(dashboard, *, actor, saved_report=None, report="", table=""):
    """Add a tile at the end of ``dashboard``: a saved report ``actor`` may read, or a built-in
    report's table (``table`` "kpis": its headline figures)."""
    _require_owner(actor, dashboard)
    dashboard = Dashboard.objects.select_for_update().get(pk=dashboard.pk)
    if dashboard.tiles.count() >= MAX_TILES:
        message = _("A dashboard holds at most %(n)s tiles.") % {"n": MAX_TILES}
        raise ValidationError({"tile": [message]})
    if saved_report is not None:
        if not SavedReport.objects.visible_to(actor).filter(pk=saved_report.pk).exists():
            raise PermissionDenied
        report, table = "", ""
    else:
        if report not in BUILT_IN:
            raise ValidationError({"report": [_("Unknown report.")]})
        built_in(actor, report)  # may the actor read it at all
        if not table or len(table) > 40:
            raise ValidationError({"table": [_("Choose what to show.")]})
    last = dashboard.tiles.aggregate(last=Max("position"))["last"]
    return DashboardTile.objects.create(
        dashboard=dashboard,
        position=0 if last is None else last + 1,
        saved_report=saved_report,
        report=report,
        table=table,
    )


def remove_tile(tile, *, actor):
    _require_owner(actor, tile.dashboard)
    tile.delete()


@transaction.atomic
def move_tile(tile, *, actor, step):
    """Swap the tile with its neighbour before (``step`` -1) or after (+1)."""
    _require_owner(actor, tile.dashboard)
    tiles = list(tile.dashboard.tiles.select_for_update().order_by("position", "id"))
    index = next(n for n, t in enumerate(tiles) if t.pk == tile.pk)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(tiles):
        tiles[index], tiles[other] = tiles[other], tiles[index]
        for position, each in enumerate(tiles):
            if each.position != position:
                DashboardTile.objects.filter(pk=each.pk).update(position=position)


def subscribe(*, actor, frequency, report="", saved_report=None):
    """Have a report e-mailed to ``actor`` every week or month."""
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": [_("Choose weekly or monthly.")]})
    if saved_report is not None:
        if not SavedReport.objects.visible_to(actor).filter(pk=saved_report.pk).exists():
            raise PermissionDenied
        report = ""
    elif report not in BUILT_IN:
        raise ValidationError({"report": [_("Unknown report.")]})
    else:
        built_in(actor, report)  # may the actor read it at all
    subscription, _created = ReportSubscription.objects.update_or_create(
        user=actor,
        report=report,
        saved_report=saved_report,
        defaults={"frequency": frequency},
    )
    return subscription


def unsubscribe(subscription, *, actor):
    if subscription.user_id != actor.pk:
        raise PermissionDenied
    subscription.delete()
