"""Sales settings for managers: pipelines and their stages, lost reasons, exchange rates."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.core import permissions
from clientela.core.forms import add_service_errors

from .. import money, services
from ..choices import StageKind
from ..models import ExchangeRate, LostReason, Pipeline


def manager_view(view):
    """Signed in with sales write access over all records (managers, administrators)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_manage(request.user, "sales"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# --- pipelines -----------------------------------------------------------------------------------


class PipelineForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    is_default = forms.BooleanField(label=gettext_lazy("Default pipeline"), required=False)
    archived = forms.BooleanField(label=gettext_lazy("Archived"), required=False)


class StageForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Not required: an empty extra row is skipped (its other fields keep their defaults).
    name = forms.CharField(label=gettext_lazy("Stage"), max_length=100, required=False)
    probability = forms.IntegerField(
        label=gettext_lazy("Win probability (%)"), min_value=0, max_value=100, initial=10
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StageKind.choices)


StageFormSet = forms.formset_factory(
    StageForm, extra=2, can_delete=True, max_num=30, validate_max=True
)


@manager_view
def pipeline_list(request):
    pipelines = Pipeline.objects.prefetch_related("stages")
    return render(request, "sales/setup/pipeline_list.html", {"pipelines": pipelines})


@manager_view
def pipeline_form(request, pk=None):
    pipeline = get_object_or_404(Pipeline, pk=pk) if pk else None
    initial_stages = [
        {"id": s.pk, "name": s.name, "probability": s.probability, "kind": s.kind}
        for s in (pipeline.stages.all() if pipeline else [])
    ]
    data = request.POST if request.method == "POST" else None
    form = PipelineForm(
        data,
        initial={
            "name": pipeline.name,
            "is_default": pipeline.is_default,
            "archived": pipeline.archived,
        }
        if pipeline
        else {},
    )
    stages = StageFormSet(data, initial=initial_stages, prefix="stages")
    if data is not None and form.is_valid() and stages.is_valid():
        rows = [
            {**row, "delete": row.get("DELETE", False)}
            for row in stages.cleaned_data
            if row and (row.get("name") or row.get("id"))
        ]
        try:
            if pipeline is None:
                pipeline = services.create_pipeline(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    is_default=form.cleaned_data["is_default"],
                    stages=[
                        (r["name"], r["probability"], r["kind"]) for r in rows if not r["delete"]
                    ],
                )
            else:
                services.update_pipeline(
                    pipeline, actor=request.user, stages=rows, **form.cleaned_data
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                target = form if field in form.fields else stages
                if target is form:
                    form.add_error(field, problems)
                else:
                    stages.non_form_errors().extend(problems)
        else:
            messages.success(request, _("Pipeline “%(name)s” saved.") % {"name": pipeline.name})
            return redirect("sales:pipeline_list")
    return render(
        request,
        "sales/setup/pipeline_form.html",
        {"form": form, "stages": stages, "pipeline": pipeline},
        status=400 if data is not None else 200,
    )


# --- lost reasons and exchange rates -----------------------------------------------------------


class LostReasonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New reason"), max_length=100)


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=())
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rate = forms.DecimalField(
        label=gettext_lazy("Value of one unit in the base currency"),
        max_digits=18,
        decimal_places=8,
        min_value=0,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = money.base_currency()
        self.fields["currency"].choices = [c for c in money.currency_choices() if c[0] != base]


@manager_view
def lost_reasons(request):
    form = LostReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lost_reason(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            return redirect("sales:lost_reasons")
    return render(
        request,
        "sales/setup/lost_reasons.html",
        {"form": form, "reasons": LostReason.objects.all()},
        status=400 if form.errors else 200,
    )


@manager_view
@require_POST
def lost_reason_toggle(request, pk):
    reason = get_object_or_404(LostReason, pk=pk)
    services.save_lost_reason(
        actor=request.user, name=reason.name, reason=reason, active=not reason.active
    )
    return redirect("sales:lost_reasons")


@manager_view
def exchange_rates(request):
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_exchange_rate(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("sales:exchange_rates")
    return render(
        request,
        "sales/setup/exchange_rates.html",
        {
            "form": form,
            "rates": ExchangeRate.objects.all()[:500],
            "base_currency": money.base_currency(),
        },
        status=400 if form.errors else 200,
    )


@manager_view
@require_POST
def exchange_rate_delete(request, pk):
    services.delete_exchange_rate(get_object_or_404(ExchangeRate, pk=pk), actor=request.user)
    return redirect("sales:exchange_rates")
