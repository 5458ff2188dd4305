"""Report pages: the list of reports and each built-in report with its filters, charts, tables
and exports. Reports are computed by ``reports``; these views only read the query string,
check the area and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clientela.core import exports, permissions
from clientela.core.choices import Sharing
from clientela.core.models import Team, User
from clientela.sales.models import Pipeline
from clientela.sales.money import base_currency

from . import dashboards
from .models import Dashboard, Frequency, ReportSubscription, SavedReport
from .reports import BUILT_IN, built_in, readable, tables
from .reports.filters import FilterForm
from .services import segments


@never_cache
@login_required
def report_list(request):
    """Dashboards, built-in reports, saved reports and one's e-mailed reports."""
    user = request.user
    subscriptions = list(
        ReportSubscription.objects.filter(user=user).select_related("saved_report")
    )
    for subscription in subscriptions:
        built = BUILT_IN.get(subscription.report)
        subscription.title = built.title if built else subscription.report
    context = {
        "reports": readable(user),
        "built_in_dashboards": dashboards.BUILT_IN_DASHBOARDS.values(),
        "default_dashboard": dashboards.default_for(user),
        "dashboards": Dashboard.objects.visible_to(user).select_related("owner"),
        "saved": SavedReport.objects.visible_to(user).select_related("owner"),
        "subscriptions": subscriptions,
        "sharing_choices": Sharing.choices,
        "teams": Team.objects.filter(pk__in=user.team_ids()),
    }
    return render(request, "analytics/report_list.html", context)


@never_cache
@login_required
def report_page(request, key):
    definition = built_in(request.user, key)
    form = FilterForm(request.GET)
    report, query = None, ""
    if form.is_valid():
        filters = form.filters()
        report = definition.build(request.user, filters)
        query = urlencode(filters.as_query())
    context = {
        "definition": definition,
        "form": form,
        "report": report,
        "query": query,
        "people": User.objects.filter(is_active=True).order_by("first_name", "username"),
        "teams": Team.objects.order_by("name"),
        "pipelines": Pipeline.objects.filter(archived=False).order_by("position", "id"),
        "currency": base_currency(),
        "export_formats": [exports.FORMATS["csv"], exports.FORMATS["xlsx"]],
        "pin_dashboards": Dashboard.objects.filter(owner=request.user),
        "pin_report": key,
        "frequencies": Frequency.choices,
    }
    return render(request, "analytics/report.html", context, status=200 if report else 400)


@never_cache
@login_required
def report_export(request, key, fmt):
    definition = built_in(request.user, key)
    form = FilterForm(request.GET)
    if not form.is_valid():
        return report_page(request, key)
    report = definition.build(request.user, form.filters())
    basename = f"{key}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.export_response("csv", basename, tables.to_csv(report))
    return exports.export_response("xlsx", basename, tables.to_xlsx(report, exports.spooled_file()))


@require_POST
@login_required
def make_marketing_segment(request):
    """Turn an RFM segment, a behaviour group or a next best action into a marketing segment."""
    if not permissions.can_write(request.user, "marketing"):
        raise PermissionDenied
    try:
        segment = segments.to_marketing(
            request.POST.get("source", ""), request.POST.get("value", "")[:40], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("analytics:report", key="customers")
    messages.success(request, _("Marketing segment “%(name)s” created.") % {"name": segment.name})
    return redirect("marketing:segment_detail", pk=segment.pk)
