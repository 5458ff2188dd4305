"""Dashboards: the built-in one of each role and the ones people make, drawn as tiles.

A tile is a built-in report's headline figures or one of its tables, or a saved report. Each
built-in report a dashboard needs is computed once for all its tiles, over the period chosen
on the dashboard, in the reader's scope.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions

from .builder import query
from .models import SavedReport
from .reports import BUILT_IN

KPIS = "kpis"


@dataclass(frozen=True)
class BuiltInDashboard:
    key: str
    title: str
    tiles: tuple  # (report key, table key or "kpis")


BUILT_IN_DASHBOARDS = {
    d.key: d
    for d in (
        BuiltInDashboard(
            "sales",
            _("Sales dashboard"),
            (
                ("sales", KPIS),
                ("sales", "revenue"),
                ("sales", "pipeline"),
                ("sales", "funnel"),
                ("sales", "leaderboard"),
                ("sales", "forecast"),
            ),
        ),
        BuiltInDashboard(
            "marketing",
            _("Marketing dashboard"),
            (
                ("marketing", KPIS),
                ("marketing", "leads_by_source"),
                ("marketing", "leads_by_region"),
                ("marketing", "campaigns_by_channel"),
                ("marketing", "campaigns_by_region"),
                ("marketing", "email_engagement"),
            ),
        ),
        BuiltInDashboard(
            "service",
            _("Service dashboard"),
            (
                ("service", KPIS),
                ("service", "cases_by_channel"),
                ("service", "times"),
                ("service", "satisfaction"),
                ("service", "backlog"),
                ("channels", "over_time"),
            ),
        ),
        BuiltInDashboard(
            "manager",
            _("Manager dashboard"),
            (
                ("sales", KPIS),
                ("sales", "revenue"),
                ("marketing", KPIS),
                ("service", KPIS),
                ("channels", "by_channel"),
                ("customers", "segments"),
            ),
        ),
    )
}
# The dashboard each built-in role opens on.
ROLE_DASHBOARDS = {"sales": "sales", "marketing": "marketing", "service": "service"}


def default_for(user):
    """The key of the built-in dashboard of ``user``'s role (the manager's for the others)."""
    code = getattr(user.role, "code", "") if user.role_id else ""
    return ROLE_DASHBOARDS.get(code, "manager")


@dataclass
class Tile:
    title: str
    kpis: list | None = None
    table: object = None
    tile_id: int | None = None
    note: str = ""


def draw(reader, filters, tiles):
    """``[Tile]`` for ``tiles`` (``(report, table)`` pairs or ``DashboardTile`` rows); a tile
    the reader may not read is left out."""
    reports, drawn = {}, []
    readable = None
    for tile in tiles:
        key, table = (tile.report, tile.table) if hasattr(tile, "report") else tile
        tile_id = getattr(tile, "pk", None)
        saved = getattr(tile, "saved_report", None)
        if saved is not None:
            if readable is None:
                readable = set(SavedReport.objects.visible_to(reader).values_list("pk", flat=True))
            if saved.pk in readable:
                drawn.append(_saved(reader, saved, tile_id))
            continue
        if key not in BUILT_IN or not permissions.can_read(reader, BUILT_IN[key].area):
            continue
        if key not in reports:
            reports[key] = BUILT_IN[key].build(reader, filters)
        report = reports[key]
        if table == KPIS:
            drawn.append(Tile(report.title, kpis=report.kpis, tile_id=tile_id))
            continue
        found = next((t for t in report.tables if t.key == table), None)
        if found is not None:
            drawn.append(Tile(found.title, table=found, tile_id=tile_id))
    return drawn


def _saved(reader, saved, tile_id):
    try:
        table = query.run(query.Spec.from_data(saved.spec), reader, title=saved.name)
    except (ValidationError, PermissionDenied) as problem:
        note = " ".join(getattr(problem, "messages", [])) or _("You may not read this report.")
        return Tile(saved.name, tile_id=tile_id, note=note)
    return Tile(saved.name, table=table, tile_id=tile_id)
