"""Segment pages: the list, the rule builder (a form of rows; the page's script makes it a
tree with a live count), the segment with its live count and first contacts, the CSV export
and a static list's members. Thin: the services and ``marketing.rules`` do the work."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from clientela.contacts import io as contact_io
from clientela.contacts.models import Contact
from clientela.core import exports, permissions
from clientela.core import services as core_services
from clientela.core.choices import RecordScope
from clientela.core.records import StaleRecord
from clientela.core.views import records

from . import rule_rows, rules
from .filtersets import SegmentFilterSet
from .forms_segments import MembersForm, SegmentForm
from .models import Segment
from .rules.text import summary
from .services import segments as services

SORTS = {
    "name": (gettext_lazy("Name"), ("name", "id")),
    "newest": (gettext_lazy("Newest"), ("-created_at", "-id")),
    "updated": (gettext_lazy("Recently updated"), ("-updated_at", "-id")),
}
CONTACT_PAGE = 50
STALE = gettext_lazy(
    "This segment was changed by someone else since you opened it, so your changes were not "
    "saved. Reload the page to see the latest version."
)
MORE_ROWS = 5


class SegmentMixin:
    model = Segment
    url_prefix = "marketing:segment"
    list_name = "segments"


def visible_contacts(user, segment_or_queryset):
    """A segment's contacts (or a queryset of contacts) as ``user`` may see them."""
    queryset = (
        services.segment_contacts(segment_or_queryset)
        if isinstance(segment_or_queryset, Segment)
        else segment_or_queryset
    )
    return permissions.visible(user, queryset)


class SegmentListView(SegmentMixin, records.RecordListView):
    filterset_class = SegmentFilterSet
    template_name = "marketing/segment_list.html"
    sorts = SORTS
    default_sort = "name"


class SegmentDetailView(SegmentMixin, records.RecordDetailView):
    template_name = "marketing/segment_detail.html"

    def extra_context(self, record):
        user = self.request.user
        error = None
        try:
            contacts = visible_contacts(user, record)
            count = contacts.count()
        except rules.RuleError as problem:  # a field or a product it names is gone
            contacts, count, error = Contact.objects.none(), None, problem.messages
        sees_everyone = permissions.scope_of(user) == RecordScope.ALL and permissions.can_read(
            user, "contacts"
        )
        if count is not None and sees_everyone:
            services.remember_count(record, count)  # this person sees everyone: keep it
        page = records.page_or_first(
            contacts.select_related("company"),
            ["sort_name", "id"],
            self.request.GET.get("contacts"),
            CONTACT_PAGE,
        )
        can_change = permissions.can_change_record(user, record)
        return {
            "count": count,
            "rule_error": error,
            "rule_summary": summary(record.entity, record.rules) if not record.is_static else "",
            "contacts": page.items,
            "contact_links": records.page_links(self.request, page, "contacts"),
            "members_form": MembersForm() if record.is_static and can_change else None,
            "can_freeze": not record.is_static and permissions.can_write(user, "marketing"),
            "export_url": reverse("marketing:segment_export", args=[record.pk]),
        }


class SegmentFormView(SegmentMixin, records.RecordViewMixin, View):
    """Create or edit a segment. Buttons: save, count (shows the live count, saves nothing)
    and more rows; all of them work without the script."""

    template_name = "marketing/segment_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, Segment.objects.prefetch_related("tags"))

    def get(self, request, pk=None):
        record = self.load(pk)
        form = SegmentForm(instance=record or Segment(owner=request.user), user=request.user)
        tree = record.rules if record else rules.empty_tree()
        return self.render_form(form, record, tree=tree)

    def post(self, request, pk=None):
        record = self.load(pk)
        form = SegmentForm(
            request.POST, instance=record or Segment(owner=request.user), user=request.user
        )
        extra = MORE_ROWS if "more_rows" in request.POST else 0
        try:
            tree = rule_rows.tree_from_post(request.POST)
        except rule_rows.RowsProblem as problem:
            form.is_valid()
            form.add_error(None, problem.message)
            return self.render_form(form, record, posted=True, status=400)
        if extra or "preview" in request.POST:
            return self.render_form(form, record, tree=tree, posted=True, extra=extra, preview=True)
        status = 400
        rule_errors = {}
        if form.is_valid():
            kwargs = form.service_kwargs()
            kwargs.pop("custom_fields", None)
            try:
                if record is None:
                    saved = services.create_segment(actor=request.user, rules=tree, **kwargs)
                else:
                    kwargs.pop("kind", None)
                    saved = services.update_segment(
                        record,
                        actor=request.user,
                        expected_version=form.cleaned_data.get("version"),
                        rules=tree,
                        **kwargs,
                    )
            except StaleRecord:
                form.add_error(None, STALE)
                status = 409
            except ValidationError as error:
                rule_errors = _split_rule_errors(error, form)
            else:
                message = _("“%(name)s” saved.") % {"name": saved}
                messages.success(request, message)
                return HttpResponseRedirect(self.url("detail", saved.pk))
        return self.render_form(
            form, record, tree=tree, posted=True, rule_errors=rule_errors, status=status
        )

    def render_form(
        self,
        form,
        record,
        *,
        tree=None,
        posted=False,
        extra=0,
        preview=False,
        rule_errors=None,
        status=200,
    ):
        builder = rule_rows.builder_context(
            "contact",
            tree,
            data=self.request.POST if posted else None,
            extra=extra,
            rule_errors=rule_errors,
        )
        count = None
        count_errors = []
        if preview and tree is not None:
            try:
                count = visible_contacts(self.request.user, services.rule_contacts(tree)).count()
            except rules.RuleError as error:
                count_errors = rule_rows.error_lines(error.message_dict)
        context = {
            **self.common_context(),
            "form": form,
            "record": record,
            "cancel_url": self.url("detail", record.pk) if record else self.url("list"),
            **builder,
            "rule_errors": builder["rule_errors"] + count_errors,
            "count": count,
            "count_url": reverse("marketing:segment_count"),
        }
        return render(self.request, self.template_name, context, status=status)


def _split_rule_errors(error, form):
    """Field errors on the form; rule errors (keyed ``rules...``) returned for the builder."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return {}
    rule_errors = {}
    for key, items in error.message_dict.items():
        if key.startswith("rules"):
            rule_errors[key] = items
        elif key in form.fields:
            form.add_error(key, items)
        else:
            form.add_error(None, items)
    return rule_errors


class SegmentCountView(records.RecordViewMixin, View):
    """POST the builder's form (or a JSON tree): the live count, as JSON, saving nothing."""

    model = Segment
    http_method_names = ["post"]

    def post(self, request):
        self.require_read()
        try:
            if request.content_type == "application/json":
                if len(request.body) > rule_rows.MAX_JSON:
                    raise rule_rows.RowsProblem(_("The rules are too long."))
                tree = rule_rows.tree_from_post(
                    {"rules_json": request.body.decode("utf-8", "replace")}
                )
            else:
                tree = rule_rows.tree_from_post(request.POST)
            count = visible_contacts(request.user, services.rule_contacts(tree)).count()
        except rule_rows.RowsProblem as problem:
            return JsonResponse({"errors": [problem.message]}, status=400)
        except rules.RuleError as error:
            return JsonResponse({"errors": rule_rows.error_lines(error.message_dict)}, status=400)
        return JsonResponse({"count": count})


class SegmentExportView(SegmentMixin, records.RecordViewMixin, View):
    """The segment's contacts (those the reader may see) as CSV, streamed."""

    def get(self, request, pk):
        segment = self.get_visible_record(pk)
        try:
            contacts = visible_contacts(request.user, segment)
        except rules.RuleError:
            messages.error(request, _("Fix this segment's rules before exporting it."))
            return HttpResponseRedirect(self.url("detail", pk))
        chunks = contact_io.iter_csv(Contact, contacts)
        return exports.export_response("csv", f"segment-{segment.pk}", chunks)


class SegmentMembersView(SegmentMixin, records.RecordViewMixin, View):
    """POST: add contacts to a static list, or take them off."""

    http_method_names = ["post"]

    def post(self, request, pk):
        segment = self.get_changeable_record(pk)
        form = MembersForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return HttpResponseRedirect(self.url("detail", pk))
        ids = list(
            permissions.visible(
                request.user, Contact.objects.filter(pk__in=form.cleaned_data["contacts"])
            ).values_list("pk", flat=True)
        )
        try:
            if form.cleaned_data["action"] == "add":
                done = services.add_members(segment, ids, actor=request.user)
                text = ngettext("%(n)d contact added.", "%(n)d contacts added.", done) % {"n": done}
            else:
                done = services.remove_members(segment, ids, actor=request.user)
                text = ngettext("%(n)d contact removed.", "%(n)d contacts removed.", done) % {
                    "n": done
                }
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, text)
        return HttpResponseRedirect(records.safe_next(request, self.url("detail", pk)))


class SegmentFreezeView(SegmentMixin, records.RecordViewMixin, View):
    """POST: a new static list of whoever matches the segment now."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.require_write()
        segment = self.get_visible_record(pk)
        try:
            frozen = services.freeze_segment(segment, actor=request.user)
        except (ValidationError, rules.RuleError) as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.url("detail", pk))
        messages.success(request, _("List “%(name)s” created.") % {"name": frozen})
        return HttpResponseRedirect(self.url("detail", frozen.pk))


class SegmentBulkView(SegmentMixin, records.RecordBulkView):
    def assign_service(self, items, **kwargs):
        return core_services.assign_records(items, **kwargs)

    def tag_service(self, items, **kwargs):
        return core_services.tag_records(items, **kwargs)

    def delete_service(self, items, *, actor):
        return services.delete_segments(items, actor=actor)


class SegmentDeleteView(SegmentMixin, records.RecordDeleteView):
    def delete_service(self, items, *, actor):
        return services.delete_segments(items, actor=actor)


class SegmentRestoreView(SegmentMixin, records.RecordRestoreView):
    def service(self, items, *, actor):
        return core_services.restore_records(items, actor=actor)


class SegmentPurgeView(SegmentMixin, records.RecordPurgeView):
    trash_url_name = "marketing:segment_trash"

    def service(self, items, *, actor):
        return core_services.purge_records(items, actor=actor)


class SegmentTrashView(records.TrashView):
    sections = (
        records.TrashSection(Segment, gettext_lazy("Segments"), "marketing:segment", "cursor"),
    )

    def get(self, request):
        if not permissions.can_read(request.user, "marketing"):
            raise PermissionDenied
        return super().get(request)


class SegmentSavedViewSave(SegmentMixin, records.SavedViewSaveView):
    pass


class SegmentSavedViewDelete(SegmentMixin, records.SavedViewDeleteView):
    pass
