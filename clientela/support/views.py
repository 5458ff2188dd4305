"""Case pages: thin subclasses of ``core.views.records`` (queues, the case with its
conversation, the form), plus the two actions of the case page: write a message and change
the status."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.core import permissions
from clientela.core import services as core_services
from clientela.core.forms import add_service_errors
from clientela.core.records import StaleRecord
from clientela.core.views import records

from .choices import CaseStatus
from .filtersets import QUEUES, CaseFilterSet
from .forms import CaseForm, MessageForm, StatusForm
from .models import CannedReply, Case, CaseMessage
from .services import canned as canned_services
from .services import cases as services
from .services import knowledge

SORTS = {
    "newest": (gettext_lazy("Newest"), ("-id",)),
    "due": (gettext_lazy("Due soonest"), ("next_due", "id")),
    "updated": (gettext_lazy("Recently updated"), ("-updated_at", "-id")),
}
# The latest messages a case page shows; "show all" lists up to THREAD_ALL (oldest first).
THREAD_SHOWN = 100
THREAD_ALL = 1000


class CaseMixin:
    model = Case
    url_prefix = "support:case"
    list_name = "cases"


class CaseListView(CaseMixin, records.RecordListView):
    filterset_class = CaseFilterSet
    template_name = "support/case_list.html"
    sorts = SORTS
    default_sort = "newest"
    list_select_related = ("contact", "company", "category")
    list_attached = ("owner", "team")
    list_prefetch_related = ()  # the rows show no tags
    # What a row shows: on PostgreSQL every column read is a value converted (a case and its
    # people hold a dozen dates and JSON each), a third of the queue's database time.
    list_only = (
        *("id", "subject", "status", "priority", "sla_state", "next_due", "owner", "team"),
        *("category__name", "company__name"),
        *("contact__first_name", "contact__last_name", "contact__second_last_name"),
    )

    def get_queryset(self):
        return super().get_queryset().only(*self.list_select_related, *self.list_only)

    def current_sort(self):
        # "Breaching soon" is a list by due time unless another order is asked for.
        if self.request.GET.get("queue") == "breaching" and "sort" not in self.request.GET:
            return "due"
        return super().current_sort()

    def extra_context(self):
        return {"queues": QUEUES, "queue": self.request.GET.get("queue", "")}


class CaseDetailView(CaseMixin, records.RecordDetailView):
    template_name = "support/case_detail.html"
    detail_select_related = ("owner", "team", "contact", "company", "category", "sla_policy")
    detail_prefetch_related = ("tags",)

    def extra_context(self, record):
        messages_ = (
            CaseMessage.objects.filter(case=record)
            .select_related("author", "contact")
            .prefetch_related(Prefetch("attachments"))
        )
        if self.request.GET.get("thread") == "all":
            thread = list(messages_.order_by("id")[:THREAD_ALL])
            earlier = 0
        else:
            thread = list(messages_.order_by("-id")[:THREAD_SHOWN])[::-1]
            earlier = messages_.count() - len(thread) if len(thread) == THREAD_SHOWN else 0
        can_change = permissions.can_change_record(self.request.user, record)
        language = record.language or (record.contact.language if record.contact else "")
        canned = _canned_for(language) if can_change else []
        chosen = next((c for c in canned if str(c.pk) == self.request.GET.get("canned")), None)
        message_form = None
        if can_change:
            initial = {}
            if chosen is not None:
                status = chosen.set_status or CaseStatus.PENDING_CUSTOMER
                initial = {"canned": chosen.pk, "kind": "reply", "status": status}
                initial["body"] = canned_services.fill_in(chosen, record, self.request.user)
            message_form = MessageForm(initial=initial)
        return {
            "canned_replies": canned,
            "chosen_canned": chosen,
            "surveys": list(record.surveys.filter(answered_at__isnull=False)[:10]),
            "thread": thread,
            "earlier_messages": earlier,
            "message_form": message_form,
            # Ids of their own: the message form has a "status" field too.
            "status_form": StatusForm(
                initial={"status": record.status, "version": record.version},
                auto_id="case-status-%s",
            )
            if can_change
            else None,
        }


class CaseArticlesView(CaseMixin, records.RecordViewMixin, View):
    """The knowledge-base articles that may help with a case. A page of its own, which the
    case page links to and its script loads into place after the page: the search costs
    more than the rest of the case page on PostgreSQL, and the agent may not need it."""

    http_method_names = ["get"]

    def get(self, request, pk):
        case = self.get_visible_record(pk, Case.objects.select_related("contact"))
        language = case.language or (case.contact.language if case.contact else "")
        context = {
            **self.common_context(),
            "record": case,
            "suggested_articles": knowledge.suggest_articles(case.subject, language=language),
        }
        return render(request, "support/case_articles.html", context)


class CaseFormView(CaseMixin, records.RecordFormView):
    form_class = CaseForm
    template_name = "support/case_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, Case.objects.prefetch_related("tags"))

    def create(self, *, actor, **kwargs):
        return services.create_case(actor=actor, **kwargs)

    def update(self, record, *, actor, expected_version, **kwargs):
        return services.update_case(
            record, actor=actor, expected_version=expected_version, **kwargs
        )


class CaseMessageView(CaseMixin, records.RecordViewMixin, View):
    """POST a reply or a note from the case page; a form with errors is shown on its own page
    with what was typed, so nothing is lost."""

    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.get_changeable_record(pk)
        form = MessageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"] == "note":
                    services.add_note(case, data["body"], actor=request.user)
                    messages.success(request, _("Note added."))
                elif data["canned"] is not None:
                    canned_services.send_canned_reply(
                        case,
                        data["canned"],
                        data["body"],
                        actor=request.user,
                        status=data["status"] or None,
                    )
                    messages.success(request, _("Reply sent."))
                else:
                    services.reply_to_case(
                        case, data["body"], actor=request.user, status=data["status"] or None
                    )
                    messages.success(request, _("Reply sent."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return HttpResponseRedirect(self.url("detail", case.pk) + "#thread")
        context = {**self.common_context(), "record": case, "form": form}
        return render(request, "support/case_message.html", context, status=400)


class CaseStatusView(CaseMixin, records.RecordViewMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.get_changeable_record(pk)
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the statuses."))
        else:
            try:
                services.change_status(
                    case,
                    form.cleaned_data["status"],
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleRecord:
                messages.error(
                    request,
                    _("Someone changed this case meanwhile; check it and set the status again."),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Status changed."))
        return HttpResponseRedirect(self.url("detail", case.pk))


class CaseBulkView(CaseMixin, records.RecordBulkView):
    assign_service = staticmethod(core_services.assign_records)
    tag_service = staticmethod(core_services.tag_records)
    delete_service = staticmethod(core_services.delete_records)


class CaseSavedViewSave(CaseMixin, records.SavedViewSaveView):
    pass


class CaseSavedViewDelete(CaseMixin, records.SavedViewDeleteView):
    pass


class CaseDeleteView(CaseMixin, records.RecordDeleteView):
    delete_service = staticmethod(core_services.delete_records)


class CaseRestoreView(CaseMixin, records.RecordRestoreView):
    service = staticmethod(core_services.restore_records)


class CasePurgeView(CaseMixin, records.RecordPurgeView):
    service = staticmethod(core_services.purge_records)
    trash_url_name = "support:trash"


class CaseTrashView(records.TrashView):
    sections = (records.TrashSection(Case, gettext_lazy("Cases"), "support:case", "cursor"),)


def _canned_for(language):
    """The active canned replies an agent may pick for a case in ``language``."""
    replies = CannedReply.objects.filter(active=True).order_by("title", "id")
    return [c for c in replies if not c.language or not language or c.language == language]


class CaseMergeView(CaseMixin, records.RecordViewMixin, View):
    """POST ``into=<number>``: this case is the same request as that one and joins it."""

    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.get_changeable_record(pk)
        number = request.POST.get("into", "").strip().lstrip("#")
        target = None
        if number.isdigit():
            target = self.visible(write=True).filter(pk=int(number)).first()
        if target is None:
            messages.error(request, _("No case with that number that you can change."))
            return HttpResponseRedirect(self.url("detail", case.pk))
        try:
            services.merge_cases(target, [case], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.url("detail", case.pk))
        messages.success(request, _("Merged into %(case)s.") % {"case": target.reference})
        return HttpResponseRedirect(self.url("detail", target.pk))


class CaseSplitView(CaseMixin, records.RecordViewMixin, View):
    """POST ``message=<id>``: that message and the ones after it become a new case."""

    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.get_changeable_record(pk)
        message_id = request.POST.get("message", "")
        message = None
        if message_id.isdigit():
            message = CaseMessage.objects.filter(case=case, pk=int(message_id)).first()
        if message is None:
            messages.error(request, _("Choose a message of this case."))
            return HttpResponseRedirect(self.url("detail", case.pk))
        try:
            new = services.split_case(case, message, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.url("detail", case.pk))
        messages.success(request, _("%(case)s opened from that message.") % {"case": new.reference})
        return HttpResponseRedirect(self.url("detail", new.pk))
