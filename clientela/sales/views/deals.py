"""Deal pages: thin subclasses of ``core.views.records`` naming the model, filterset, templates
and services."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.models import Team, User
from clientela.core.records import StaleRecord
from clientela.core.views import records

from .. import board, forecast, money, services
from ..filtersets import DealFilterSet
from ..forms import DealForm
from ..models import Deal, DealStageChange, LostReason, Pipeline, Quota, Stage

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


# --- forecast and quotas -------------------------------------------------------------------------


def _year(request):
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else timezone.localdate().year
    return min(max(year, 1970), 2199)


class ForecastView(DealMixin, records.RecordViewMixin, View):
    """Won, commit, best case, weighted pipeline and quota attainment per person and period."""

    def get(self, request):
        self.require_read()
        granularity = "quarter" if request.GET.get("period") == "quarter" else "month"
        year = _year(request)
        teams = list(Team.objects.all())
        team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
        people = forecast.people_for(request.user, team)
        result = forecast.build(self.visible(), people, year, granularity)
        return render(
            request,
            "sales/forecast.html",
            {
                **self.common_context(),
                "forecast": result,
                "year": year,
                "granularity": granularity,
                "teams": teams,
                "team": team,
                "base_currency": money.base_currency(),
                "can_set_quotas": permissions.can_manage(request.user, "sales"),
            },
        )


class QuotaView(DealMixin, records.RecordViewMixin, View):
    """A year of monthly quotas for every active person, edited in one form."""

    def get(self, request):
        return self.page(request, errors={})

    def post(self, request):
        if not permissions.can_manage(request.user, "sales"):
            raise PermissionDenied
        year = _year(request)
        errors = {}
        with transaction.atomic():
            for person in self.people():
                for month in range(1, 13):
                    key = f"q_{person.pk}_{month}"
                    if key not in request.POST:
                        continue
                    try:
                        services.set_quota(
                            actor=request.user,
                            user=person,
                            month=datetime.date(year, month, 1),
                            amount=request.POST[key].strip(),
                        )
                    except ValidationError as error:
                        errors[key] = " ".join(error.messages)
            if errors:
                transaction.set_rollback(True)
        if errors:
            return self.page(request, errors=errors, status=400)
        messages.success(request, _("Quotas for %(year)s saved.") % {"year": year})
        return redirect(f"{reverse('sales:quotas')}?year={year}")

    def people(self):
        return list(User.objects.filter(is_active=True).order_by("first_name", "last_name", "id"))

    def page(self, request, *, errors, status=200):
        if not permissions.can_manage(request.user, "sales"):
            raise PermissionDenied
        year = _year(request)
        stored = {
            (q.user_id, q.month.month): q.amount for q in Quota.objects.filter(month__year=year)
        }
        grid = [
            (
                person,
                [
                    {
                        "name": f"q_{person.pk}_{m}",
                        "value": request.POST.get(
                            f"q_{person.pk}_{m}", stored.get((person.pk, m), "")
                        ),
                        "error": errors.get(f"q_{person.pk}_{m}"),
                        "month": datetime.date(year, m, 1),
                    }
                    for m in range(1, 13)
                ],
            )
            for person in self.people()
        ]
        return render(
            request,
            "sales/quotas.html",
            {
                **self.common_context(),
                "grid": grid,
                "year": year,
                "base_currency": money.base_currency(),
            },
            status=status,
        )


class QualifyView(DealMixin, records.RecordViewMixin, View):
    """A lead becomes an opportunity: a new deal for the contact, then its form to complete."""

    http_method_names = ["post"]

    def post(self, request, contact_pk):
        self.require_write()
        contact = get_object_or_404(
            permissions.visible(request.user, Contact.objects.all()), pk=contact_pk
        )
        try:
            deal = services.qualify_contact(contact, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("contacts:contact_detail", pk=contact.pk)
        messages.success(request, _("Deal “%(deal)s” created; complete it below.") % {"deal": deal})
        return redirect("sales:deal_edit", pk=deal.pk)
