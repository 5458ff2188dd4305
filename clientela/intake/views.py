"""Assignment rule pages, for managers of contacts (write access over all records)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import permissions

from . import services
from .forms import AssignmentRuleForm
from .models import AssignmentRule


def manager_view(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_manage(request.user, "contacts"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@manager_view
def rule_list(request):
    rules = AssignmentRule.objects.select_related("user", "team")
    return render(request, "intake/rule_list.html", {"rules": rules})


@manager_view
def rule_form(request, pk=None):
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk else None
    form = AssignmentRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                rule = services.create_rule(actor=request.user, **form.rule_fields())
            else:
                services.update_rule(rule, actor=request.user, **form.rule_fields())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("intake:rule_list")
    return render(
        request,
        "intake/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@manager_view
@require_POST
def rule_delete(request, pk):
    rule = get_object_or_404(AssignmentRule, pk=pk)
    services.delete_rule(rule, actor=request.user)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("intake:rule_list")
