"""Assignment rules and web forms pages, for managers of contacts (write access over all
records)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.contacts.models import Contact
from clientela.core import customfields, permissions
from clientela.core.forms import add_service_errors

from . import services
from .forms import AssignmentRuleForm, FormFieldRows, WebFormForm
from .models import AssignmentRule, WebForm
from .services.leads import TARGETS


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
            add_service_errors(form, error)
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


# --- web forms -----------------------------------------------------------------------------------


def _targets():
    """What a form field may fill, as (name, label) choices for the builder."""
    labels = {
        "email": _("E-mail"),
        "phone": _("Phone"),
        "company": _("Company name"),
        "deal_name": _("Deal: what they want"),
        "deal_amount": _("Deal: budget"),
    }
    for name in TARGETS:
        if name not in labels:
            labels[name] = Contact._meta.get_field(name).verbose_name
    targets = [(name, str(labels[name]).capitalize()) for name in TARGETS]
    targets += [(f"cf_{d.key}", d.label) for d in customfields.definitions_for(Contact)]
    return targets


@manager_view
def form_list(request):
    return render(request, "intake/form_list.html", {"forms": WebForm.objects.all()})


@manager_view
def form_edit(request, pk=None):
    web_form = get_object_or_404(WebForm, pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    initial = {}
    rows_initial = [{"name": "first_name", "required": True}, {"name": "email", "required": True}]
    if web_form:
        initial = {
            "name": web_form.name,
            "active": web_form.active,
            "double_opt_in": web_form.double_opt_in,
            "success_message": web_form.success_message,
            "redirect_url": web_form.redirect_url,
            **{f"consent_{k}": v for k, v in web_form.consent_text.items()},
        }
        rows_initial = web_form.fields
    form = WebFormForm(data, initial=initial)
    rows = FormFieldRows(
        data, initial=rows_initial, prefix="fields", form_kwargs={"targets": _targets()}
    )
    if data is not None and form.is_valid() and rows.is_valid():
        fields = [r for r in rows.cleaned_data if r.get("name")]
        try:
            if web_form is None:
                web_form = services.create_form(actor=request.user, fields=fields, **form.options())
            else:
                services.update_form(web_form, actor=request.user, fields=fields, **form.options())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Form “%(name)s” saved.") % {"name": web_form.name})
            return redirect("intake:form_edit", pk=web_form.pk)
    return render(
        request,
        "intake/form_edit.html",
        {
            "form": form,
            "rows": rows,
            "web_form": web_form,
            "page_url": _page_url(request, web_form),
            "consent": web_form.consent_in(get_language()[:2]) if web_form else "",
        },
        status=400 if data is not None and (form.errors or rows.errors) else 200,
    )


def _page_url(request, web_form):
    if web_form is None:
        return ""
    return request.build_absolute_uri(reverse("intake:form_page", args=[web_form.slug]))
