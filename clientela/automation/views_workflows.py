"""Workflow rule pages, for whoever may change automation (administrators and managers): the
list, create and edit, one rule with its dry run and run log (by cursor, filtered by status),
turning it on and off, deleting it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .choices import RunStatus
from .forms_workflows import OPTION_INPUTS, WorkflowRuleForm, initial_of
from .models import WorkflowRule, WorkflowRun
from .views_webhooks import automation_writer_view

LOG_PAGE = 50


@automation_writer_view
def rule_list(request):
    return render(
        request, "automation/rule_list.html", {"rules": WorkflowRule.objects.order_by("name", "id")}
    )


@automation_writer_view
def rule_edit(request, pk=None):
    rule = get_object_or_404(WorkflowRule, pk=pk) if pk else None
    initial = initial_of(rule) if rule else {"active": True, "actions": "[]"}
    data = request.POST if request.method == "POST" else None
    form = WorkflowRuleForm(data, initial=initial)
    if data is not None and form.is_valid():
        try:
            if rule is None:
                rule = services.create_rule(actor=request.user, **form.rule_fields())
            else:
                services.update_rule(rule, actor=request.user, **form.rule_fields())
        except ValidationError as error:
            _place_errors(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("automation:rule_detail", pk=rule.pk)
    status = 400 if form.errors else 200
    return render(request, "automation/rule_form.html", {"form": form, "rule": rule}, status=status)


def _place_errors(form, error):
    """Put each of the service's errors (``trigger_options.days``, ``actions.1.subject``...)
    on the input it is about, saying where inside it."""
    trigger = form.cleaned_data.get("trigger")
    for place, problems in error.message_dict.items():
        head, _dot, rest = place.partition(".")
        field = head if head in form.fields else None
        if head == "trigger_options":
            field = OPTION_INPUTS.get(trigger, {}).get(rest, "trigger")
            rest = ""
        for problem in problems:
            form.add_error(field, f"{rest}: {problem}" if rest else problem)


@never_cache
@automation_writer_view
def rule_detail(request, pk):
    rule = get_object_or_404(WorkflowRule, pk=pk)
    runs = WorkflowRun.objects.filter(rule=rule)
    wanted = request.GET.get("status", "")
    if wanted in RunStatus.values:
        runs = runs.filter(status=wanted)
    before = request.GET.get("before", "")
    if before.isdigit() and len(before) < 19:
        runs = runs.filter(pk__lt=int(before))
    page = list(runs.order_by("-id")[: LOG_PAGE + 1])
    more = len(page) > LOG_PAGE
    page = page[:LOG_PAGE]
    dry = None
    if request.GET.get("dry_run"):
        try:
            dry = services.dry_run_rule(rule, actor=request.user)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
    context = {
        "rule": rule,
        "runs": page,
        "next_before": page[-1].pk if more else None,
        "status": wanted,
        "statuses": RunStatus.choices,
        "dry": dry,
    }
    return render(request, "automation/rule_detail.html", context)


@require_POST
@automation_writer_view
def rule_toggle(request, pk):
    rule = get_object_or_404(WorkflowRule, pk=pk)
    try:
        services.set_rule_active(rule, not rule.active, actor=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("automation:rule_detail", pk=rule.pk)


@automation_writer_view
def rule_delete(request, pk):
    rule = get_object_or_404(WorkflowRule, pk=pk)
    if request.method == "POST":
        services.delete_rule(rule, actor=request.user)
        messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
        return redirect("automation:rule_list")
    return render(request, "automation/rule_delete.html", {"rule": rule})
