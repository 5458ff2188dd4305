"""Campaign pages: thin subclasses of ``core.views.records`` (the list, the campaign with its
results, the form), and the campaign's actions (start, schedule, pause, resume, cancel,
complete)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.core import permissions
from clientela.core import services as core_services
from clientela.core.views import records

from .choices import CampaignKind, CampaignStatus
from .filtersets import CampaignFilterSet
from .forms import CampaignForm, ScheduleForm
from .models import Campaign
from .services import campaigns as services
from .services import results

SORTS = {
    "newest": (gettext_lazy("Newest"), ("-id",)),
    "name": (gettext_lazy("Name"), ("name", "id")),
    "started": (gettext_lazy("Recently started"), ("-started_at", "-id")),
}


class CampaignMixin:
    model = Campaign
    url_prefix = "marketing:campaign"
    list_name = "campaigns"


class CampaignListView(CampaignMixin, records.RecordListView):
    filterset_class = CampaignFilterSet
    template_name = "marketing/campaign_list.html"
    sorts = SORTS
    default_sort = "newest"


class CampaignDetailView(CampaignMixin, records.RecordDetailView):
    template_name = "marketing/campaign_detail.html"

    def extra_context(self, record):
        can_change = permissions.can_change_record(self.request.user, record)
        return {
            "results": results.campaign_results(record),
            "is_email": record.kind == CampaignKind.EMAIL,
            "actions": _actions_for(record) if can_change else [],
            "schedule_form": ScheduleForm() if can_change else None,
        }


class OverviewForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("Until"), required=False)


class CampaignOverviewView(CampaignMixin, records.RecordViewMixin, View):
    """Campaign effectiveness by channel (the campaign's type) and by region over a period
    (the last twelve months unless chosen): cost, leads, cost per lead, deals, revenue, ROI."""

    def get(self, request):
        self.require_read()
        form = OverviewForm(request.GET or None)
        today = timezone.localdate()
        start, end = today - timedelta(days=365), today
        if form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
        chosen = results.campaigns_in(self.visible(), start, end)
        channels, regions = results.overview(chosen)
        labels = dict(CampaignKind.choices)
        context = {
            **self.common_context(),
            "form": form,
            "start": start,
            "end": end,
            "channels": [(labels[kind], figures) for kind, figures in sorted(channels.items())],
            "regions": regions,
        }
        status = 400 if form.is_bound and not form.is_valid() else 200
        return render(request, "marketing/campaign_overview.html", context, status=status)


class CampaignFormView(CampaignMixin, records.RecordFormView):
    form_class = CampaignForm
    template_name = "marketing/campaign_form.html"

    def create(self, *, actor, **kwargs):
        return services.create_campaign(actor=actor, **kwargs)

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_campaign(
            record, actor=actor, expected_version=expected_version, **kwargs
        )


# What each button does, and in which statuses it is offered.
ACTIONS = {
    "start": (gettext_lazy("Start now"), services.start_campaign),
    "pause": (gettext_lazy("Pause"), services.pause_campaign),
    "resume": (gettext_lazy("Resume"), services.resume_campaign),
    "cancel": (gettext_lazy("Cancel"), services.cancel_campaign),
    "complete": (gettext_lazy("Mark as completed"), services.complete_campaign),
    "unschedule": (
        gettext_lazy("Back to draft"),
        lambda campaign, *, actor: services.schedule_campaign(campaign, None, actor=actor),
    ),
}
_OFFERED = {
    CampaignStatus.DRAFT: ("start",),
    CampaignStatus.SCHEDULED: ("start", "unschedule", "cancel"),
    CampaignStatus.SENDING: ("pause", "cancel"),
    CampaignStatus.PAUSED: ("resume", "cancel"),
    CampaignStatus.ACTIVE: ("complete", "cancel"),
}


def _actions_for(campaign):
    return [(code, ACTIONS[code][0]) for code in _OFFERED.get(campaign.status, ())]


class CampaignActionView(CampaignMixin, records.RecordViewMixin, View):
    """POST ``action`` (one of ``ACTIONS``, or ``schedule`` with ``scheduled_at``)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = self.get_changeable_record(pk)
        action = request.POST.get("action", "")
        try:
            if action == "schedule":
                form = ScheduleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["scheduled_at"])
                services.schedule_campaign(
                    campaign, form.cleaned_data["scheduled_at"], actor=request.user
                )
            elif action in ACTIONS:
                ACTIONS[action][1](campaign, actor=request.user)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Done."))
        return HttpResponseRedirect(self.url("detail", pk))


def _messages_of(error):
    if hasattr(error, "message_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return error.messages


class CampaignBulkView(CampaignMixin, records.RecordBulkView):
    assign_service = staticmethod(core_services.assign_records)
    tag_service = staticmethod(core_services.tag_records)
    delete_service = staticmethod(services.delete_campaigns)


class CampaignSavedViewSave(CampaignMixin, records.SavedViewSaveView):
    pass


class CampaignSavedViewDelete(CampaignMixin, records.SavedViewDeleteView):
    pass


class CampaignDeleteView(CampaignMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_campaigns)

    def post(self, request, pk):
        try:
            return super().post(request, pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.url("detail", pk))
