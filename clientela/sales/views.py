"""Deal pages: thin subclasses of ``core.views.records`` naming the model, filterset, templates
and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.core.records import StaleRecord
from clientela.core.views import records

from . import board, money, services
from .filtersets import DealFilterSet
from .forms import DealForm
from .models import Deal, DealStageChange, LostReason, Pipeline, Stage

SORTS = {
    "closing": (gettext_lazy("Closing soonest"), ("expected_close_date", "id")),
    "amount": (gettext_lazy("Largest"), ("-amount_base", "-id")),
    "newest": (gettext_lazy("Newest"), ("-created_at", "-id")),
    "updated": (gettext_lazy("Recently updated"), ("-updated_at", "-id")),
}


class DealMixin:
    model = Deal
    url_prefix = "sales:deal"
    list_name = "deals"


class DealListView(DealMixin, records.RecordListView):
    filterset_class = DealFilterSet
    template_name = "sales/deal_list.html"
    sorts = SORTS
    default_sort = "closing"
    list_select_related = ("owner", "team", "company", "stage")


class DealDetailView(DealMixin, records.RecordDetailView):
    template_name = "sales/deal_detail.html"
    detail_select_related = ("owner", "team", "company", "pipeline", "stage", "lost_reason")
    detail_prefetch_related = ("tags",)

    def extra_context(self, record):
        moves = DealStageChange.objects.filter(deal=record).select_related(
            "from_stage", "to_stage", "actor"
        )
        return {
            "base_currency": money.base_currency(),
            "contact_links": record.contact_links.select_related("contact"),
            "stage_moves": moves[:50],
        }


class DealFormView(DealMixin, records.RecordFormView):
    form_class = DealForm
    template_name = "sales/deal_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, Deal.objects.prefetch_related("tags"))

    def create(self, *, actor, **kwargs):
        return services.create_deal(actor=actor, **kwargs)

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_deal(
            record, actor=actor, expected_version=expected_version, **kwargs
        )


class DealBulkView(DealMixin, records.RecordBulkView):
    assign_service = staticmethod(services.assign_deals)
    tag_service = staticmethod(services.tag_deals)
    delete_service = staticmethod(services.delete_deals)


class DealSavedViewSave(DealMixin, records.SavedViewSaveView):
    pass


class DealSavedViewDelete(DealMixin, records.SavedViewDeleteView):
    pass


class DealDeleteView(DealMixin, records.RecordDeleteView):
    delete_service = staticmethod(services.delete_deals)


class DealRestoreView(DealMixin, records.RecordRestoreView):
    service = staticmethod(services.restore_deals)


class DealPurgeView(DealMixin, records.RecordPurgeView):
    service = staticmethod(services.purge_deals)
    trash_url_name = "contacts:trash"


# --- the board -----------------------------------------------------------------------------------


class DealBoardView(DealMixin, records.RecordViewMixin, View):
    """The deals of one pipeline as columns of stages; each card can be moved with its own
    small form (the keyboard and no-script way) or dragged (``clientela.js``)."""

    def get(self, request):
        self.require_read()
        pipelines = list(Pipeline.objects.filter(archived=False).prefetch_related("stages"))
        pipeline = _chosen(pipelines, request.GET.get("pipeline", ""))
        filterset = DealFilterSet(request.GET, queryset=self.visible(), request=request)
        columns = []
        if pipeline is not None and filterset.is_valid():
            columns = board.columns(pipeline, filterset.qs, board.cursors_from(request.GET))
        return render(
            request,
            "sales/deal_board.html",
            {
                **self.common_context(),
                "pipelines": pipelines,
                "pipeline": pipeline,
                "columns": columns,
                "filter_form": filterset.form,
                "lost_reasons": LostReason.objects.filter(active=True),
                "base_currency": money.base_currency(),
                "this_url": request.get_full_path(),
            },
        )


def _chosen(pipelines, wanted):
    by_id = {str(p.pk): p for p in pipelines}
    if wanted in by_id:
        return by_id[wanted]
    return next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)


class DealMoveView(DealMixin, records.RecordViewMixin, View):
    """POST a deal to another stage (from the board). Answers JSON to the board's script and
    redirects back with a message otherwise."""

    http_method_names = ["post"]

    def post(self, request, pk):
        deal = self.get_changeable_record(pk)
        stage = get_object_or_404(Stage, pk=_int(request.POST.get("stage")))
        reason = LostReason.objects.filter(pk=_int(request.POST.get("lost_reason"))).first()
        try:
            deal = services.move_deal(
                deal,
                stage,
                actor=request.user,
                expected_version=_int(request.POST.get("version")),
                lost_reason=reason,
            )
        except StaleRecord:
            return self.answer(
                request,
                409,
                _("Someone else changed this deal meanwhile; the board shows it as it is now."),
            )
        except ValidationError as error:
            return self.answer(request, 400, " ".join(error.messages))
        message = _("“%(deal)s” moved to %(stage)s.") % {"deal": deal, "stage": stage}
        return self.answer(request, 200, message, deal=deal)

    def answer(self, request, status, message, deal=None):
        if request.headers.get("Accept", "").startswith("application/json"):
            body = {"message": message}
            if deal is not None:
                body.update(version=deal.version, stage=deal.stage_id, status=deal.status)
            return JsonResponse(body, status=status)
        (messages.success if status == 200 else messages.error)(request, message)
        return redirect(records.safe_next(request, self.url("board")))


def _int(raw):
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 18 else None
