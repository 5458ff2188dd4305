"""``/api/v1/cases/``: thin views over ``support.services``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clientela.core import services as core_services
from clientela.core.api.base import RecordViewSet
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.prefetch import prefetched
from clientela.sales.models import Deal

from ..choices import MessageKind
from ..filtersets import CaseFilterSet
from ..models import Case, CaseMessage
from ..services import cases as services
from .serializers import CaseMessagePostSerializer, CaseMessageSerializer, CaseSerializer

LINKS = ("contact", "company", "category", "owner", "team")
BREACHING = "breaching"


class CaseMessagePagination(KeysetCursorPagination):
    orderings = {"created": ["created_at", "id"], "-created": ["-created_at", "-id"]}
    default_ordering = "created"


@extend_schema_view(
    list=extend_schema(summary="List cases (newest first; queue=breaching by the next due moment)"),
    create=extend_schema(summary="Open a case (the assignee defaults to the caller)"),
    destroy=extend_schema(summary="Move a case to the trash"),
    restore=extend_schema(summary="Restore a case from the trash"),
    history=extend_schema(summary="A case's changes, newest first"),
    export=extend_schema(summary="Export the filtered cases as CSV"),
)
class CaseViewSet(RecordViewSet):
    """Customer-service cases. ``owner`` is the assignee. Lists show what the caller's role and
    scope allow; anything else is 404. ``queue`` picks a working list of active cases (mine,
    unassigned, team, breaching, active).

    The SLA fields are read-only: the services keep the clock (a new priority may change the
    policy, statuses pause and stop it). Writes accept ``If-Match`` (412 when someone else
    changed the case meanwhile); ``messages`` is the case's thread.
    """

    model = Case
    permission_area = "support"
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    orderings = {
        "-created": ["-id"],
        "created": ["id"],
        "-updated": ["-updated_at", "-id"],
        "due": ["next_due", "id"],
    }
    export_filename = "cases.csv"

    @property
    def default_ordering(self):
        """Newest first; the breaching queue by the next due moment, soonest first."""
        return "due" if self._queue() == BREACHING else "-created"

    def _queue(self):
        params = getattr(getattr(self, "request", None), "query_params", None) or {}
        return params.get("queue")

    def paginate_queryset(self, queryset):
        # Only the breaching queue is sure to hold cases with a due moment (keyset pagination
        # needs a value in every sort column).
        if self.action == "list":
            ordering = self.request.query_params.get("ordering") or self.default_ordering
            if ordering == "due" and self._queue() != BREACHING:
                raise ValidationError(
                    {"ordering": [_("Sort by the due moment only in the breaching queue.")]}
                )
        return super().paginate_queryset(queryset)

    def optimize(self, queryset):
        if self.action == "messages":  # the thread needs the case itself only
            return queryset
        return queryset.prefetch_related(
            prefetched("tags"), prefetched("deals", Deal.objects.only("id"))
        )

    # --- write hooks ---------------------------------------------------------------------------

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        return services.create_case(actor=self.request.user, **data)

    def update_record(self, record, data, expected_version):
        # A client sends back what it read: a link it did not change (say, to a contact now in
        # the trash) must not be re-checked as if it were new.
        data = {
            name: value
            for name, value in data.items()
            if not (name in LINKS and getattr(value, "pk", None) == getattr(record, f"{name}_id"))
        }
        return services.update_case(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return core_services.delete_records(records, actor=self.request.user)

    def restore_records(self, records):
        return core_services.restore_records(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from ..io import iter_cases_csv

        return iter_cases_csv(queryset)

    # --- the thread ----------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="A case's messages, oldest first (internal notes included)",
        request=None,
        responses=CaseMessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply to the customer or add an internal note",
        request=CaseMessagePostSerializer,
        responses={201: CaseMessageSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=CaseMessagePagination,
    )
    def messages(self, request, *args, **kwargs):
        """GET: the thread (customer messages, replies, internal notes, automatic messages).
        POST ``{"kind": "reply"|"note", "body": ..., "status": ...}``: a reply is sent to the
        customer by e-mail, counts as the first response and leaves the case waiting for the
        customer unless ``status`` says otherwise; a note is internal and changes nothing else.
        Posting needs write access to cases and a case in the caller's scope."""
        case = self.get_object()
        if request.method == "POST":
            body = CaseMessagePostSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            if data["kind"] == MessageKind.NOTE:
                message = services.add_note(case, data["body"], actor=request.user)
            else:
                extra = {"status": data["status"]} if "status" in data else {}
                message = services.reply_to_case(case, data["body"], actor=request.user, **extra)
            message = self._messages().get(pk=message.pk)
            return Response(CaseMessageSerializer(message).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(self._messages().filter(case=case))
        return self.get_paginated_response(CaseMessageSerializer(page, many=True).data)

    def _messages(self):
        return CaseMessage.objects.select_related("author").prefetch_related(
            prefetched("attachments")
        )
