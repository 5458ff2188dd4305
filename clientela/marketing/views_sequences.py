"""Sequence pages: the list, create and edit with the step editor, one sequence with its steps
and per-step figures and its enrollments, one enrollment with its run log; activate, pause,
archive, enrol a contact, cancel an enrollment. Thin: the services do the work."""

from collections import Counter, defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core import services as core_services
from clientela.core.records import StaleRecord
from clientela.core.views import records

from .choices import EnrollmentStatus, ExitReason, StepKind, StepOutcome
from .filtersets import SequenceFilterSet
from .forms_sequences import EnrollForm, SequenceForm, StepFormSet, step_initial
from .models import Enrollment, EnrollmentEvent, Sequence
from .services import sequences as services

SORTS = {
    "name": (gettext_lazy("Name"), ("name", "id")),
    "newest": (gettext_lazy("Newest"), ("-created_at", "-id")),
}
ENROLLMENT_PAGE = 50
LOG_PAGE = 100
STALE = gettext_lazy(
    "This sequence was changed by someone else since you opened it, so your changes were not "
    "saved. Reload the page to see the latest version."
)
STATE_ACTIONS = {
    "activate": services.activate_sequence,
    "pause": services.pause_sequence,
    "archive": services.archive_sequence,
}


class SequenceMixin:
    model = Sequence
    url_prefix = "marketing:sequence"
    list_name = "sequences"


class SequenceListView(SequenceMixin, records.RecordListView):
    filterset_class = SequenceFilterSet
    template_name = "marketing/sequence_list.html"
    sorts = SORTS
    default_sort = "name"


def step_figures(sequence, steps):
    """Per step: due there now, done, e-mails sent, exits by reason (``[(step, figures)]``)."""
    # Contacts waiting after a wait step count at that wait step; the others at their step.
    waits = {step.position for step in steps if step.kind == StepKind.WAIT}
    now_at = Counter()
    active = (
        Enrollment.objects.filter(sequence=sequence, status=EnrollmentStatus.ACTIVE)
        .values_list("position")
        .annotate(waiting=Count("id", filter=Q(next_run_at__gt=timezone.now())), n=Count("id"))
        .order_by()
    )
    for position, waiting, n in active:
        if position - 1 in waits:
            now_at[position - 1] += waiting
            now_at[position] += n - waiting
        else:
            now_at[position] += n
    done, sent, failed = Counter(), Counter(), Counter()
    exits = defaultdict(Counter)
    events = EnrollmentEvent.objects.filter(sequence=sequence).order_by()
    # Steps counted by outcome alone (their detail, an address, would make a row per contact).
    steps_run = events.exclude(kind="exit").values_list("position", "kind", "outcome")
    for position, kind, outcome, n in steps_run.annotate(n=Count("id")):
        if outcome == StepOutcome.DONE:
            done[position] += n
            if kind == StepKind.EMAIL:
                sent[position] += n
        elif outcome == StepOutcome.FAILED:
            failed[position] += n
    labels = dict(ExitReason.choices)
    ended = events.filter(kind="exit").values_list("position", "detail")
    for position, detail, n in ended.annotate(n=Count("id")):
        exits[position][labels.get(detail.split(":")[0], detail)] += n
    return [
        (
            step,
            {
                "now": now_at[step.position],
                "done": done[step.position],
                "sent": sent[step.position] if step.kind == StepKind.EMAIL else None,
                "failed": failed[step.position],
                "exits": sorted(exits[step.position].items()),
            },
        )
        for step in steps
    ], sorted(
        (label, n)
        for position, counter in exits.items()
        if position > len(steps)
        for label, n in counter.items()
    )


class SequenceDetailView(SequenceMixin, records.RecordDetailView):
    template_name = "marketing/sequence_detail.html"

    def extra_context(self, record):
        user = self.request.user
        steps = list(record.steps.select_related("template", "task_owner", "task_team"))
        figures, after_last = step_figures(record, steps)
        enrollments = services.visible_enrollments(user, record).select_related("contact")
        wanted = self.request.GET.get("status", "")
        if wanted in EnrollmentStatus.values:
            enrollments = enrollments.filter(status=wanted)
        page = records.page_or_first(
            enrollments, ["-id"], self.request.GET.get("enrollments"), ENROLLMENT_PAGE
        )
        can_change = permissions.can_change_record(user, record)
        return {
            "steps": figures,
            "after_last": after_last,
            "enrollments": page.items,
            "enrollment_links": records.page_links(self.request, page, "enrollments"),
            "statuses": EnrollmentStatus.choices,
            "status": wanted,
            "enroll_form": EnrollForm() if can_change and record.is_active else None,
            "state_actions": _state_actions(record) if can_change else [],
        }


def _state_actions(sequence):
    allowed = {
        "draft": ["activate", "archive"],
        "active": ["pause", "archive"],
        "paused": ["activate", "archive"],
    }.get(sequence.status, [])
    labels = {"activate": _("Activate"), "pause": _("Pause"), "archive": _("Archive")}
    return [(name, labels[name]) for name in allowed]


class SequenceFormView(SequenceMixin, records.RecordViewMixin, View):
    """Create or edit a sequence with its steps. "Add a step" shows one more empty row
    (nothing is saved); the steps are ordered by their numbers."""

    template_name = "marketing/sequence_form.html"

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk, Sequence.objects.prefetch_related("tags"))

    def get(self, request, pk=None):
        record = self.load(pk)
        form = SequenceForm(instance=record or Sequence(owner=request.user), user=request.user)
        formset = StepFormSet(prefix="steps", initial=step_initial(record) if record else None)
        return self.render_form(form, formset, record)

    def post(self, request, pk=None):
        record = self.load(pk)
        data = request.POST
        if "add_step" in data:
            data = data.copy()
            total = data.get("steps-TOTAL_FORMS", "0")
            if total.isdigit() and int(total) < StepFormSet.max_num:
                data["steps-TOTAL_FORMS"] = str(int(total) + 1)
        form = SequenceForm(
            data, instance=record or Sequence(owner=request.user), user=request.user
        )
        formset = StepFormSet(
            data, prefix="steps", initial=step_initial(record) if record else None
        )
        if "add_step" in data:
            form.is_valid()
            return self.render_form(form, formset, record)
        if form.is_valid() and formset.is_valid():
            kwargs = form.service_kwargs()
            kwargs["steps"] = formset.service_rows()
            try:
                if record is None:
                    saved = services.create_sequence(actor=request.user, **kwargs)
                else:
                    saved = services.update_sequence(
                        record,
                        actor=request.user,
                        expected_version=form.cleaned_data.get("version"),
                        **kwargs,
                    )
            except StaleRecord:
                form.add_error(None, STALE)
                return self.render_form(form, formset, record, status=409)
            except ValidationError as error:
                _place_errors(error, form, formset)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved})
                return HttpResponseRedirect(self.url("detail", saved.pk))
        return self.render_form(form, formset, record, status=400)

    def render_form(self, form, formset, record, status=200):
        context = {
            **self.common_context(),
            "form": form,
            "formset": formset,
            "record": record,
            "cancel_url": self.url("detail", record.pk) if record else self.url("list"),
        }
        return render(self.request, self.template_name, context, status=status)


def _place_errors(error, form, formset):
    """The service's errors on the inputs they are about: ``steps.<i>.<field>`` on the i-th
    step row as saved, ``trigger_options.<key>`` on its input."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    rows = formset.rows()
    for key, problems in error.message_dict.items():
        head, _dot, rest = key.partition(".")
        if head == "steps" and rest:
            index, _dot, field = rest.partition(".")
            row = rows[int(index)] if index.isdigit() and int(index) < len(rows) else None
            if row is not None:
                row.add_error(field if field in row.fields else None, problems)
                continue
            formset.non_form_errors().extend(problems)
        elif head == "trigger_options":
            form.add_error(SequenceForm.OPTION_FIELDS.get(rest, "trigger"), problems)
        elif head in form.fields:
            form.add_error(head, problems)
        else:
            form.add_error(None, problems)


class SequenceActionView(SequenceMixin, records.RecordViewMixin, View):
    """POST ``action``: activate, pause or archive."""

    http_method_names = ["post"]

    def post(self, request, pk):
        sequence = self.get_changeable_record(pk)
        change = STATE_ACTIONS.get(request.POST.get("action", ""))
        if change is None:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(self.url("detail", pk))
        try:
            change(sequence, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(self.url("detail", pk))


class SequenceEnrollView(SequenceMixin, records.RecordViewMixin, View):
    """POST a contact id: enrol that contact (one the user may see) by hand."""

    http_method_names = ["post"]

    def post(self, request, pk):
        sequence = self.get_changeable_record(pk)
        form = EnrollForm(request.POST)
        contact = None
        if form.is_valid():
            contact = (
                permissions.visible(request.user, Contact.objects.all())
                .filter(pk=form.cleaned_data["contact"])
                .first()
            )
        if contact is None:
            messages.error(request, _("No contact with this id that you can see."))
            return HttpResponseRedirect(self.url("detail", pk))
        try:
            services.enroll(sequence, contact, source=services.SOURCE_MANUAL, explain=True)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(contact)s enrolled.") % {"contact": contact})
        return HttpResponseRedirect(self.url("detail", pk))


class EnrollmentDetailView(SequenceMixin, records.RecordViewMixin, View):
    """One enrollment and its run log (newest first)."""

    def get(self, request, pk, enrollment_id):
        sequence = self.get_visible_record(pk)
        enrollment = get_object_or_404(
            services.visible_enrollments(request.user, sequence).select_related("contact"),
            pk=enrollment_id,
        )
        log = list(enrollment.events.order_by("-id")[:LOG_PAGE])
        context = {
            **self.common_context(),
            "record": sequence,
            "enrollment": enrollment,
            "log": log,
            "can_cancel": enrollment.is_active
            and permissions.can_change_record(request.user, sequence),
        }
        return render(request, "marketing/enrollment_detail.html", context)


class EnrollmentCancelView(SequenceMixin, records.RecordViewMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, enrollment_id):
        sequence = self.get_changeable_record(pk)
        enrollment = (
            services.visible_enrollments(request.user, sequence).filter(pk=enrollment_id).first()
        )
        if enrollment is None:
            raise Http404
        try:
            services.cancel(enrollment, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Enrollment cancelled."))
        default = reverse("marketing:sequence_detail", args=[pk])
        return HttpResponseRedirect(records.safe_next(request, default))


class SequenceBulkView(SequenceMixin, records.RecordBulkView):
    def assign_service(self, items, **kwargs):
        return core_services.assign_records(items, **kwargs)

    def tag_service(self, items, **kwargs):
        return core_services.tag_records(items, **kwargs)

    def delete_service(self, items, *, actor):
        return services.delete_sequences(items, actor=actor)


class SequenceDeleteView(SequenceMixin, records.RecordDeleteView):
    def delete_service(self, items, *, actor):
        return services.delete_sequences(items, actor=actor)


class SequenceSavedViewSave(SequenceMixin, records.SavedViewSaveView):
    pass


class SequenceSavedViewDelete(SequenceMixin, records.SavedViewDeleteView):
    pass
