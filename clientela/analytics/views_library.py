"""Pages of what people build: the report builder, saved reports, dashboards and their tiles,
and reports e-mailed on a schedule. Thin: forms are read here, changes go through
``services.library``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core import exports
from clientela.core.choices import Sharing
from clientela.core.models import Team
from clientela.marketing import rule_rows

from . import dashboards
from .builder import query
from .builder.catalogue import OPERATIONS, SOURCES
from .models import Dashboard, DashboardTile, Frequency, ReportSubscription, SavedReport
from .reports import tables
from .reports.filters import FilterForm
from .reports.tables import CHARTS, Report
from .services import library

MORE_ROWS = 3


def _spec_from_post(data):
    """The builder's form as a spec (``rule_rows.RowsProblem`` for unreadable rules)."""
    group_by = []
    for n in (1, 2):
        dimension = (data.get(f"group{n}") or "")[:40]
        if dimension:
            group_by.append({"dimension": dimension, "bucket": (data.get(f"bucket{n}") or "")[:10]})
    return {
        "entity": (data.get("entity") or "")[:20],
        "rules": rule_rows.tree_from_post(data),
        "group_by": group_by,
        "operation": (data.get("operation") or "count")[:10],
        "measure": (data.get("measure") or "records")[:40],
        "chart": (data.get("chart") or "bar")[:10],
    }


def _visible_report(user, pk):
    return get_object_or_404(SavedReport.objects.visible_to(user), pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def builder(request, pk=None):
    """Build a report: what to count, which records (rules), grouped how, shown how; "Show"
    runs it, "Save" keeps it (a saved report is changed by its owner only)."""
    report = get_object_or_404(SavedReport, pk=pk, owner=request.user) if pk else None
    spec = dict(report.spec) if report else {"entity": request.GET.get("entity", "deal")}
    if spec.get("entity") not in SOURCES:
        spec["entity"] = "deal"
    errors, table, status, extra = {}, None, 200, 0
    fields = {
        "name": report.name if report else "",
        "description": report.description if report else "",
        "sharing": report.sharing if report else Sharing.PRIVATE,
        "team": report.team_id if report else None,
    }
    if request.method == "POST":
        fields = {name: request.POST.get(name, "") for name in fields}
        fields["sharing"] = fields["sharing"] or Sharing.PRIVATE
        extra = MORE_ROWS if "more_rows" in request.POST else 0
        try:
            spec = _spec_from_post(request.POST)
            checked = query.Spec.from_data(spec)
            if "save" in request.POST:
                saved = library.save_report(
                    actor=request.user,
                    name=fields["name"],
                    description=fields["description"][:300],
                    spec=checked.as_data(),
                    sharing=fields["sharing"],
                    team=Team.objects.filter(pk=_int(fields["team"])).first(),
                    report=report,
                )
                messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
                return redirect("analytics:saved_report", pk=saved.pk)
            if not extra:
                table = query.run(checked, request.user)
        except rule_rows.RowsProblem as problem:
            errors, status = {"rules": [problem.message]}, 400
        except ValidationError as error:
            errors, status = error.message_dict, 400
    source = SOURCES[spec["entity"] if spec.get("entity") in SOURCES else "deal"]
    groups = list(spec.get("group_by") or []) + [{}, {}]
    context = {
        **rule_rows.builder_context(
            source.entity,
            spec.get("rules") if isinstance(spec.get("rules"), dict) else None,
            data=request.POST if request.method == "POST" else None,
            extra=extra,
            rule_errors={k: v for k, v in errors.items() if k.startswith("rules")},
        ),
        "rule_match_label": _("Records matching"),
        "report": report,
        "spec": spec,
        "source": source,
        "sources": SOURCES.values(),
        "group_by_rows": [(n + 1, g) for n, g in enumerate(groups[:2])],
        "operations": OPERATIONS.items(),
        "charts": CHARTS.items(),
        "buckets": query.BUCKETS,
        "fields": fields,
        "sharing_choices": Sharing.choices,
        "teams": Team.objects.filter(pk__in=request.user.team_ids()),
        "errors": [" ".join(v) for k, v in errors.items() if not k.startswith("rules")],
        "table": table,
    }
    return render(request, "analytics/builder.html", context, status=status)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@never_cache
@login_required
def saved_report(request, pk):
    report = _visible_report(request.user, pk)
    try:
        table = query.run(query.Spec.from_data(report.spec), request.user, title=report.name)
        problem = ""
    except (ValidationError, PermissionDenied) as error:
        table, problem = None, " ".join(getattr(error, "messages", [])) or _("You may not read it.")
    return render(
        request,
        "analytics/saved_report.html",
        {
            "report": report,
            "table": table,
            "problem": problem,
            "mine": report.owner_id == request.user.pk,
            "dashboards": Dashboard.objects.filter(owner=request.user),
            "frequencies": Frequency.choices,
            "subscription": ReportSubscription.objects.filter(
                user=request.user, saved_report=report
            ).first(),
        },
    )


@never_cache
@login_required
def saved_report_export(request, pk, fmt):
    report = _visible_report(request.user, pk)
    table = query.run(query.Spec.from_data(report.spec), request.user, title=report.name)
    wrapper = Report("saved", report.name, None, None, tables=[table])
    basename = f"report-{report.pk}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.export_response("csv", basename, tables.to_csv(wrapper))
    return exports.export_response(
        "xlsx", basename, tables.to_xlsx(wrapper, exports.spooled_file())
    )


@require_POST
@login_required
def saved_report_delete(request, pk):
    report = get_object_or_404(SavedReport, pk=pk)
    library.delete(request.user, report)
    messages.success(request, _("“%(name)s” deleted.") % {"name": report.name})
    return redirect("analytics:report_list")


@never_cache
@login_required
def dashboard(request, key=None, pk=None):
    """A built-in dashboard (``key``) or one people made (``pk``), over the chosen period."""
    if pk is not None:
        board = get_object_or_404(Dashboard.objects.visible_to(request.user), pk=pk)
        title, tiles = board.name, board.tiles.select_related("saved_report")
    else:
        board = None
        built = dashboards.BUILT_IN_DASHBOARDS.get(key or dashboards.default_for(request.user))
        if built is None:
            raise Http404
        title, tiles = built.title, built.tiles
    form = FilterForm(request.GET)
    drawn = dashboards.draw(request.user, form.filters(), tiles) if form.is_valid() else []
    return render(
        request,
        "analytics/dashboard.html",
        {
            "title": title,
            "board": board,
            "mine": board is not None and board.owner_id == request.user.pk,
            "form": form,
            "tiles": drawn,
            "definition": {"filters": ("owner", "team")},
        },
        status=200 if form.is_valid() else 400,
    )


@require_POST
@login_required
def dashboard_create(request):
    try:
        board = library.create_dashboard(
            actor=request.user,
            name=request.POST.get("name", "")[:200],
            sharing=request.POST.get("sharing", Sharing.PRIVATE),
            team=Team.objects.filter(pk=_int(request.POST.get("team"))).first(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("analytics:report_list")
    return redirect("analytics:dashboard", pk=board.pk)


@require_POST
@login_required
def dashboard_delete(request, pk):
    board = get_object_or_404(Dashboard, pk=pk)
    library.delete(request.user, board)
    messages.success(request, _("“%(name)s” deleted.") % {"name": board.name})
    return redirect("analytics:report_list")


@require_POST
@login_required
def pin(request):
    """Pin a saved report (``saved``) or a built-in report's table (``report`` and ``table``)
    to one of one's dashboards."""
    board = get_object_or_404(Dashboard, pk=_int(request.POST.get("dashboard")))
    saved = None
    if request.POST.get("saved"):
        saved = get_object_or_404(SavedReport, pk=_int(request.POST.get("saved")))
    try:
        library.pin(
            board,
            actor=request.user,
            saved_report=saved,
            report=request.POST.get("report", "")[:20],
            table=request.POST.get("table", "")[:41],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Pinned to “%(name)s”.") % {"name": board.name})
    return redirect("analytics:dashboard", pk=board.pk)


@require_POST
@login_required
def tile_change(request, pk):
    """Move a tile up or down, or remove it (its dashboard's owner only)."""
    tile = get_object_or_404(DashboardTile.objects.select_related("dashboard"), pk=pk)
    action = request.POST.get("action")
    if action == "remove":
        library.remove_tile(tile, actor=request.user)
    elif action in ("up", "down"):
        library.move_tile(tile, actor=request.user, step=-1 if action == "up" else 1)
    return redirect("analytics:dashboard", pk=tile.dashboard_id)


@require_POST
@login_required
def subscribe(request):
    saved = None
    if request.POST.get("saved"):
        saved = _visible_report(request.user, _int(request.POST.get("saved")))
    try:
        library.subscribe(
            actor=request.user,
            frequency=request.POST.get("frequency", ""),
            report=request.POST.get("report", "")[:20],
            saved_report=saved,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You will receive it by e-mail."))
    return redirect("analytics:report_list")


@require_POST
@login_required
def unsubscribe(request, pk):
    subscription = get_object_or_404(ReportSubscription, pk=pk)
    library.unsubscribe(subscription, actor=request.user)
    messages.success(request, _("You will not receive it any more."))
    return redirect("analytics:report_list")
