"""Canned replies and macros: a list and a form, for those who set up customer service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from clientela.core import permissions
from clientela.core.forms import add_service_errors

from .forms import CannedReplyForm
from .models import CannedReply
from .services import canned as services


def _require_manager(user):
    if not permissions.can_manage(user, "support"):
        raise PermissionDenied


@login_required
def canned_list(request):
    _require_manager(request.user)
    replies = CannedReply.objects.select_related("set_category")
    return render(request, "support/canned_list.html", {"replies": replies})


@login_required
def canned_form(request, pk=None):
    _require_manager(request.user)
    canned = get_object_or_404(CannedReply, pk=pk) if pk else None
    form = CannedReplyForm(request.POST or None, instance=canned)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.save_canned_reply(canned, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved})
                return redirect("support:canned_list")
    context = {"form": form, "canned": canned}
    return render(request, "support/canned_form.html", context, status=status)
