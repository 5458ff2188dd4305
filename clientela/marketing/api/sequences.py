"""``/api/v1/sequences/``: thin views over ``marketing.services.sequences``. A sequence is
written with its steps (``steps`` replaces them all); its state changes through the actions
``activate``, ``pause``, ``archive``; ``enroll`` puts a contact in it; its enrollments are
listed, and cancelled, under ``/sequences/{id}/enrollments/``."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clientela.activities.api.serializers import VisibleRecordField
from clientela.contacts.api.serializers import RecordSerializer
from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core import services as core_services
from clientela.core.api.base import RecordViewSet
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.api.serializers import StrictSerializer
from clientela.core.models import Team, User
from clientela.core.prefetch import prefetched

from ..choices import BranchThen, EnrollmentStatus, StepKind
from ..filtersets import SequenceFilterSet
from ..models import EmailTemplate, Enrollment, EnrollmentEvent, Sequence, SequenceStep
from ..sequences import steps as step_rules
from ..services import sequences as services
from .segments import RuleTreeField

STATE_READ_ONLY = ["status"]


class SequenceStepSerializer(StrictSerializer):
    """One step; only the fields of its ``kind`` are used (the others are stored empty)."""

    position = serializers.IntegerField(
        read_only=True, help_text=_("1, 2, ...: the order of the list.")
    )
    kind = serializers.ChoiceField(choices=StepKind.choices)
    template = VisibleRecordField(
        EmailTemplate, allow_null=True, required=False, help_text=_("E-mail: the template (id).")
    )
    subject = serializers.CharField(
        max_length=step_rules.MAX_SUBJECT,
        allow_blank=True,
        required=False,
        help_text=_("Task: what to do."),
    )
    due_in_days = serializers.IntegerField(
        min_value=0, max_value=step_rules.MAX_DUE_DAYS, required=False
    )
    task_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text=_("Task: for this user (none given: the contact's owner)."),
    )
    task_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    wait_days = serializers.IntegerField(
        min_value=0, max_value=step_rules.MAX_WAIT_DAYS, required=False
    )
    wait_hours = serializers.IntegerField(
        min_value=0, max_value=step_rules.MAX_WAIT_HOURS, required=False
    )
    rules = RuleTreeField(required=False, help_text=_("Branch: the condition on the contact."))
    then = serializers.ChoiceField(
        choices=BranchThen.choices,
        allow_blank=True,
        required=False,
        help_text=_("Branch: what happens when the contact matches (otherwise: next step)."),
    )
    jump_to = serializers.IntegerField(
        min_value=1, max_value=step_rules.MAX_STEPS, allow_null=True, required=False
    )


class SequenceSerializer(RecordSerializer):
    steps = SequenceStepSerializer(
        many=True,
        required=False,
        max_length=step_rules.MAX_STEPS,
        help_text=_("The steps in order; writing them replaces them all."),
    )
    trigger_options = serializers.JSONField(
        required=False,
        help_text=_(
            'form_submitted: {"form": id or null}; stage_changed: {"stage": id or null, '
            '"outcome": "", "won" or "lost"}; the others: {}.'
        ),
    )

    class Meta:
        model = Sequence
        fields = [
            "id",
            "name",
            "description",
            "status",
            "trigger",
            "trigger_options",
            "exit_on_reply",
            "exit_on_purchase",
            "reenroll",
            "from_name",
            "from_email",
            "reply_to",
            "steps",
            "owner",
            "team",
            "tags",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = [*STATE_READ_ONLY, *RecordSerializer.RECORD_READ_ONLY]


class EnrollSerializer(StrictSerializer):
    contact = VisibleRecordField(Contact, help_text=_("The contact to enrol (an id)."))


class EnrollmentEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnrollmentEvent
        fields = ["position", "kind", "outcome", "detail", "at"]
        read_only_fields = fields


class EnrollmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrollment
        fields = [
            "id",
            "sequence",
            "contact",
            "status",
            "position",
            "next_run_at",
            "started_at",
            "finished_at",
            "exit_reason",
            "source",
            "record_type",
            "record_id",
        ]
        read_only_fields = fields


class EnrollmentPagination(KeysetCursorPagination):
    orderings = {"-id": ["-id"]}
    default_ordering = "-id"


STATE_ACTIONS = {
    "activate": services.activate_sequence,
    "pause": services.pause_sequence,
    "archive": services.archive_sequence,
}
STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=EnrollmentStatus.values, description="Only enrollments in this state."
)


@extend_schema_view(
    list=extend_schema(summary="List follow-up sequences"),
    create=extend_schema(summary="Create a sequence (a draft) with its steps"),
    destroy=extend_schema(summary="Move a sequence to the trash"),
    restore=extend_schema(summary="Restore a sequence from the trash"),
    history=extend_schema(summary="A sequence's changes, newest first"),
    export=extend_schema(summary="Export the filtered sequences as CSV"),
)
class SequenceViewSet(RecordViewSet):
    """Follow-up sequences: steps (e-mail, task, wait, branch) contacts go through once
    enrolled by an event, by hand or by a workflow rule. Writes accept ``If-Match``."""

    model = Sequence
    permission_area = "marketing"
    serializer_class = SequenceSerializer
    filterset_class = SequenceFilterSet
    orderings = {"name": ["name", "id"], "-created": ["-created_at", "-id"]}
    default_ordering = "name"
    export_filename = "sequences.csv"

    def optimize(self, queryset):
        steps = Prefetch("steps", queryset=SequenceStep.objects.order_by("position"))
        return queryset.prefetch_related(prefetched("tags"), steps)

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        data["steps"] = [dict(step) for step in data.get("steps", [])]
        return services.create_sequence(actor=self.request.user, **data)

    def update_record(self, record, data, expected_version):
        data = dict(data)
        if "steps" in data:
            data["steps"] = [dict(step) for step in data["steps"]]
        return services.update_sequence(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_sequences(records, actor=self.request.user)

    def restore_records(self, records):
        return core_services.restore_records(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from clientela.core.exports import iter_record_csv

        columns = ["id", "name", "status", "trigger", "owner"]

        def value_of(sequence, column):
            return sequence.owner_id if column == "owner" else getattr(sequence, column)

        return iter_record_csv(queryset.prefetch_related(None), columns, value_of)

    def _change_state(self, request, change):
        sequence = self.get_object()
        permissions.require_change(request.user, sequence)
        change(sequence, actor=request.user)
        return self.respond_with(sequence)

    @extend_schema(request=None, summary="Activate: enrol contacts and move them on")
    @action(detail=True, methods=["post"], filter_backends=[])
    def activate(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["activate"])

    @extend_schema(request=None, summary="Pause: nobody new, enrollments wait where they are")
    @action(detail=True, methods=["post"], filter_backends=[])
    def pause(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["pause"])

    @extend_schema(request=None, summary="Archive: over for good, enrollments cancelled")
    @action(detail=True, methods=["post"], filter_backends=[])
    def archive(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["archive"])

    @extend_schema(
        request=EnrollSerializer,
        responses={201: EnrollmentSerializer},
        summary="Enrol a contact (it starts within a minute)",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def enroll(self, request, *args, **kwargs):
        sequence = self.get_object()
        permissions.require_change(request.user, sequence)
        body = EnrollSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        enrollment = services.enroll(
            sequence,
            body.validated_data["contact"],
            source=services.SOURCE_MANUAL,
            explain=True,
        )
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=[STATUS_PARAMETER],
        responses=EnrollmentSerializer(many=True),
        summary="The sequence's enrollments, newest first",
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=EnrollmentPagination,
        serializer_class=EnrollmentSerializer,
    )
    def enrollments(self, request, *args, **kwargs):
        sequence = self.get_object()
        rows = services.visible_enrollments(request.user, sequence)
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in EnrollmentStatus.values:
                raise ValidationError({"status": [_("Choose one of the options.")]})
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EnrollmentSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses=EnrollmentSerializer,
        summary="Cancel an enrollment in progress",
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        url_path=r"enrollments/(?P<enrollment_id>[0-9]{1,18})/cancel",
        serializer_class=EnrollmentSerializer,
    )
    def cancel_enrollment(self, request, *args, enrollment_id=None, **kwargs):
        sequence = self.get_object()
        permissions.require_change(request.user, sequence)
        visible = services.visible_enrollments(request.user, sequence)
        enrollment = visible.filter(pk=int(enrollment_id)).first()
        if enrollment is None:
            raise Http404
        enrollment = services.cancel(enrollment, actor=request.user)
        return Response(EnrollmentSerializer(enrollment).data)
