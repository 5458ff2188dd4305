"""``/api/v1/segments/``: thin views over ``marketing.services.segments``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.contacts.api.serializers import RecordSerializer
from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core import services as core_services
from clientela.core.api.base import RecordViewSet
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.api.serializers import StrictSerializer
from clientela.core.prefetch import prefetched, related

from ..filtersets import SegmentFilterSet
from ..models import Segment
from ..services import segments as services

RULE_TREE_SCHEMA = {
    "type": "object",
    "description": (
        'A rule tree: {"op": "and"|"or", "rules": [rule or group, ...]}; a rule is '
        '{"field", "operator", "value", "params"}. At most 5 levels and 50 conditions.'
    ),
    "properties": {
        "op": {"type": "string", "enum": ["and", "or"]},
        "rules": {"type": "array", "items": {"type": "object"}, "maxItems": 50},
    },
}


@extend_schema_field(RULE_TREE_SCHEMA)
class RuleTreeField(serializers.JSONField):
    """A rule tree (an object); its content is checked by the services."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Expected a group of rules."), code="invalid")
        return super().to_internal_value(data)


class SegmentSerializer(RecordSerializer):
    rules = RuleTreeField(
        required=False,
        help_text=_("The conditions of a dynamic segment (empty for a static list)."),
    )
    cached_count = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Contacts at the last count.")
    )
    counted_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Segment
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "entity",
            "rules",
            "owner",
            "team",
            "tags",
            "cached_count",
            "counted_at",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = RecordSerializer.RECORD_READ_ONLY


class RuleCountSerializer(StrictSerializer):
    rules = RuleTreeField(help_text=_("The rule tree to count (nothing is saved)."))


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Contacts matching, among those you may see."))


class SegmentContactSerializer(serializers.ModelSerializer):
    """A contact of a segment, in short (the contact itself is at /api/v1/contacts/{id}/)."""

    full_name = serializers.CharField(read_only=True)
    email = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "full_name", "email", "company", "region", "lifecycle_stage", "owner"]
        read_only_fields = fields

    def get_email(self, contact) -> str:
        return next((e.email for e in related(contact, "emails") if e.is_primary), "") or next(
            (e.email for e in related(contact, "emails")), ""
        )


class SegmentContactPagination(KeysetCursorPagination):
    orderings = {"name": ["sort_name", "id"], "id": ["id"]}
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="List segments"),
    create=extend_schema(summary="Create a segment (dynamic with rules, or a static list)"),
    destroy=extend_schema(summary="Move a segment to the trash"),
    restore=extend_schema(summary="Restore a segment from the trash"),
    history=extend_schema(summary="A segment's changes, newest first"),
    export=extend_schema(summary="Export the filtered segments as CSV"),
)
class SegmentViewSet(RecordViewSet):
    """Segments of contacts: dynamic ones are a rule tree evaluated when read, static ones a
    list of members. ``count`` counts a rule tree without saving it; ``contacts`` lists a
    segment's contacts now (those the caller may see). Writes accept ``If-Match``."""

    model = Segment
    permission_area = "marketing"
    serializer_class = SegmentSerializer
    filterset_class = SegmentFilterSet
    orderings = {
        "name": ["name", "id"],
        "-created": ["-created_at", "-id"],
        "-updated": ["-updated_at", "-id"],
    }
    default_ordering = "name"
    export_filename = "segments.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related(prefetched("tags"))

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        return services.create_segment(actor=self.request.user, **data)

    def update_record(self, record, data, expected_version):
        return services.update_segment(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_segments(records, actor=self.request.user)

    def restore_records(self, records):
        return core_services.restore_records(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from clientela.core.exports import iter_record_csv

        columns = ["id", "name", "kind", "cached_count", "owner"]

        def value_of(segment, column):
            return segment.owner_id if column == "owner" else getattr(segment, column)

        return iter_record_csv(queryset, columns, value_of)

    @extend_schema(
        summary="Count the contacts matching a rule tree (nothing is saved)",
        request=RuleCountSerializer,
        responses=CountSerializer,
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def count(self, request, *args, **kwargs):
        body = RuleCountSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contacts = services.rule_contacts(body.validated_data["rules"])
        return Response({"count": permissions.visible(request.user, contacts).count()})

    @extend_schema(
        summary="A segment's contacts now (those the caller may see)",
        responses=SegmentContactSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=SegmentContactPagination,
    )
    def contacts(self, request, *args, **kwargs):
        segment = self.get_object()
        contacts = permissions.visible(request.user, services.segment_contacts(segment))
        page = self.paginate_queryset(contacts.prefetch_related(prefetched("emails")))
        return self.get_paginated_response(SegmentContactSerializer(page, many=True).data)
