"""``/api/v1/deals/``: thin views over ``sales.services``."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from clientela.core.api.base import ETAG, IF_MATCH, RecordViewSet, expected_version
from clientela.core.prefetch import prefetched

from .. import services
from ..filtersets import DealFilterSet
from ..models import Deal, DealContact
from .serializers import DealMoveSerializer, DealSerializer

LINKS = ("company", "owner", "team", "pipeline", "stage")


def _contact_pairs(links):
    return [(link["contact"], link["role"]) for link in links]


@extend_schema_view(
    list=extend_schema(summary="List deals"),
    create=extend_schema(summary="Create a deal (owner defaults to the caller)"),
    destroy=extend_schema(summary="Move a deal to the trash"),
    restore=extend_schema(summary="Restore a deal from the trash"),
    history=extend_schema(summary="A deal's changes, newest first"),
    export=extend_schema(summary="Export the filtered deals as CSV"),
)
class DealViewSet(RecordViewSet):
    """Opportunities. Lists show what the caller's role and scope allow; anything else is 404.

    Changing ``stage`` (or ``pipeline``) moves the deal like the board does: a stage of another
    pipeline is a 400, time in stage is recorded, won/lost close it and its contacts' lifecycle
    follows. Writes accept ``If-Match`` (412 when someone else changed the deal meanwhile).
    """

    model = Deal
    permission_area = "sales"
    serializer_class = DealSerializer
    filterset_class = DealFilterSet
    orderings = {
        "closing": ["expected_close_date", "id"],
        "-amount": ["-amount_base", "-id"],
        "-created": ["-created_at", "-id"],
        "-updated": ["-updated_at", "-id"],
    }
    default_ordering = "closing"
    export_filename = "deals.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related(
            prefetched("contact_links", DealContact.objects.order_by("id")), prefetched("tags")
        )

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        contacts = _contact_pairs(data.pop("contact_links", []))
        return services.create_deal(actor=self.request.user, contacts=contacts, **data)

    def update_record(self, record, data, expected_version):
        data = {
            name: value
            for name, value in data.items()
            if not (name in LINKS and getattr(value, "pk", None) == getattr(record, f"{name}_id"))
        }
        if "contact_links" in data:
            data["contacts"] = _contact_pairs(data.pop("contact_links"))
        return services.update_deal(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_deals(records, actor=self.request.user)

    def restore_records(self, records):
        return services.restore_deals(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from ..io import iter_deals_csv

        return iter_deals_csv(queryset)

    @extend_schema(
        request=DealMoveSerializer, responses=DealSerializer, parameters=[IF_MATCH, ETAG]
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def move(self, request, *args, **kwargs):
        """Move the deal to another stage of its pipeline (what dragging it on the board does).
        A lost stage takes an optional ``lost_reason`` and ``lost_note``."""
        record = self.get_object()
        version = expected_version(request, record)
        move = DealMoveSerializer(data=request.data, context=self.get_serializer_context())
        move.is_valid(raise_exception=True)
        record = services.move_deal(
            record, actor=request.user, expected_version=version, **move.validated_data
        )
        return self.respond_with(record)
