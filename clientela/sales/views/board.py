"""The pipeline board and moving a deal from it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from clientela.core.records import StaleRecord
from clientela.core.views import records

from .. import board, money, services
from ..filtersets import DealFilterSet
from ..models import LostReason, Pipeline, Stage
from .deals import DealMixin


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
                # Option values as text: an integer would be localised for every card.
                "stage_options": [(str(c.stage.pk), c.stage.name) for c in columns],
                "move_label": _("Move to another stage:"),
                "closed_days": board.CLOSED_DAYS,
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
