"""Settings › Export all data: administrators ask for the full account export, the worker
writes it, and they download it for a day. Administrators only (not every role granted the
settings area): the file holds password and token hashes."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clientela.core.backup import jobs


def _require_admin(user):
    if not user.is_admin:
        raise PermissionDenied


@never_cache
@login_required
def export_page(request):
    _require_admin(request.user)
    if request.method == "POST":
        if jobs.request_export(request.user):
            messages.success(
                request, _("The export has started. This page offers it when it is ready.")
            )
        else:
            messages.warning(request, _("An export is already being prepared."))
        return redirect("core:account_export")
    state = jobs.current_state()
    busy = jobs.is_busy(state)
    for key in ("requested_at", "finished_at", "expires_at"):
        if state.get(key):
            state[key] = datetime.fromisoformat(state[key])
    return render(
        request,
        "core/settings/account_export.html",
        {"export": state, "busy": busy, "ready": jobs.READY},
    )


@never_cache
@login_required
def export_download(request):
    _require_admin(request.user)
    path = jobs.downloadable_file()
    if path is None:
        raise Http404(_("No export is ready to download."))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )
