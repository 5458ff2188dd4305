"""The quick call form's target: log the call (and its follow-up), then back to the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientela.core import permissions
from clientela.core.views.records import safe_next

from . import services
from .quick_call import QuickCallForm

AREA = "activities"


@login_required
@require_http_methods(["GET", "POST"])
def quick_call(request):
    """POST logs the call and returns to ``next`` (the page it was logged from) at its
    timeline. A form with errors is shown again on its own page with what was typed, so
    nothing is lost without JavaScript; GET shows that page empty (a plain-link fallback)."""
    if not permissions.can_write(request.user, AREA):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = QuickCallForm(data, initial=request.GET.dict(), user=request.user)
    if data is not None and form.is_valid():
        try:
            call, task = services.log_call(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            message = _("Call logged.")
            if task is not None:
                message += " " + _("Follow-up task added.")
            messages.success(request, message)
            back = safe_next(request, form.about_url())
            return HttpResponseRedirect(back.split("#")[0] + "#timeline")
    context = {
        "form": form,
        "next": safe_next(request, reverse("activities:today")),
        "form_url": reverse("activities:quick_call"),
    }
    status = 400 if data is not None else 200
    return render(request, "activities/quick_call.html", context, status=status)
