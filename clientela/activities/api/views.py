"""``/api/v1/activities/``: thin views over ``activities.services``."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from clientela.core.api.base import ETAG, IF_MATCH, RecordViewSet, expected_version
from clientela.core.prefetch import prefetched

from .. import services
from ..filtersets import ActivityFilterSet
from ..models import Activity
from .serializers import ActivitySerializer

LINKS = ("contact", "company", "deal", "owner", "team")


@extend_schema_view(
    list=extend_schema(summary="List activities (newest first)"),
    create=extend_schema(summary="Log an activity (owner defaults to the caller)"),
    destroy=extend_schema(summary="Move an activity to the trash"),
    restore=extend_schema(summary="Restore an activity from the trash"),
    history=extend_schema(summary="An activity's changes, newest first"),
    export=extend_schema(summary="Export the filtered activities as CSV"),
)
class ActivityViewSet(RecordViewSet):
    """Calls, meetings, e-mails, notes and tasks. Lists show what the caller's role and scope
    allow; anything else is 404. Each kind has its own fields: sending a non-empty field of
    another kind is a 400. Writes accept ``If-Match`` (412 when someone else changed the
    activity meanwhile)."""

    model = Activity
    permission_area = "activities"
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    orderings = {"-timeline": ["-timeline_at", "-id"], "timeline": ["timeline_at", "id"]}
    default_ordering = "-timeline"
    export_filename = "activities.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related(
            prefetched("tags"), prefetched("attendees"), prefetched("attendee_contacts")
        )

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        kind = data.pop("kind")
        return services.log_activity(actor=self.request.user, kind=kind, **data)

    def update_record(self, record, data, expected_version):
        data = {
            name: value
            for name, value in data.items()
            if not (name in LINKS and getattr(value, "pk", None) == getattr(record, f"{name}_id"))
        }
        return services.update_activity(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_activities(records, actor=self.request.user)

    def restore_records(self, records):
        return services.restore_activities(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from ..io import iter_activities_csv

        return iter_activities_csv(queryset)

    @extend_schema(
        summary="Mark a task done (a repeating task gets its next occurrence)",
        request=None,
        responses=ActivitySerializer,
        parameters=[IF_MATCH, ETAG],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request, *args, **kwargs):
        record = self.get_object()
        version = expected_version(request, record)
        record = services.complete_task(record, actor=request.user, expected_version=version)
        return self.respond_with(record)

    @extend_schema(
        summary="Mark a done task as not done",
        request=None,
        responses=ActivitySerializer,
        parameters=[IF_MATCH, ETAG],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, *args, **kwargs):
        record = self.get_object()
        version = expected_version(request, record)
        record = services.reopen_task(record, actor=request.user, expected_version=version)
        return self.respond_with(record)
