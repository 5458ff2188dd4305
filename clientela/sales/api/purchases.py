"""``/api/v1/purchases/``: what customers bought. Online shops post their orders here.

Posting an order whose ``source`` and ``external_id`` were posted before creates nothing and
answers the purchase already recorded with 200 (201 when it is new), so a shop may retry
safely.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status

from clientela.contacts.api.serializers import RecordSerializer, VisibleCompanyField
from clientela.core import permissions
from clientela.core.api.base import ETAG, RecordViewSet
from clientela.core.api.serializers import PrefetchedListSerializer, StrictSerializer
from clientela.core.prefetch import prefetched

from .. import services
from ..choices import PurchaseChannel, PurchaseStatus
from ..filtersets import PurchaseFilterSet
from ..models import Product, Purchase, PurchaseItem
from ..models.products import MAX_QUANTITY, MAX_UNIT_PRICE
from ..services.common import MAX_AMOUNT
from ..services.lines import MAX_LINES
from .serializers import VisibleContactField


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This order is already recorded.")
    default_code = "conflict"


class PurchaseItemSerializer(StrictSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Defaults to the product's."
    )
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=0, max_value=MAX_QUANTITY
    )
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        min_value=0,
        max_value=MAX_UNIT_PRICE,
        required=False,
        allow_null=True,
        help_text="Before tax; defaults to the product's price in the purchase's currency.",
    )
    discount = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=0
    )
    tax_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=0
    )
    net = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        list_serializer_class = PrefetchedListSerializer


class PurchaseSerializer(RecordSerializer):
    contact = VisibleContactField(required=False, allow_null=True)
    company = VisibleCompanyField(required=False, allow_null=True)
    purchased_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=PurchaseChannel.choices, default=PurchaseChannel.API)
    status = serializers.ChoiceField(
        choices=PurchaseStatus.choices, default=PurchaseStatus.COMPLETED
    )
    currency = serializers.CharField(max_length=3, required=False)
    items = PurchaseItemSerializer(many=True, required=False, max_length=MAX_LINES)
    total_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=MAX_AMOUNT,
        required=False,
        help_text="Paid, tax included. Computed from the items when there are items.",
    )
    tax_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=MAX_AMOUNT,
        required=False,
        help_text="The tax inside the total, when there are no items.",
    )

    class Meta:
        model = Purchase
        fields = [
            "id",
            "number",
            *services.PURCHASE_FIELDS,
            "deal",
            "items",
            "net_amount",
            "tax_amount",
            "total_amount",
            "net_base",
            "total_base",
            "tags",
            "custom_fields",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = [
            "number",
            "deal",
            "net_amount",
            "net_base",
            "total_base",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        extra_kwargs = {"note": {"max_length": 500}}

    def get_validators(self):
        # One purchase per source and external id: the view answers the existing one instead.
        return []


def _service_arguments(data):
    data = dict(data)
    if "items" in data:
        data["items"] = [dict(item) for item in data["items"]]
    return data


@extend_schema_view(
    list=extend_schema(summary="List purchases"),
    create=extend_schema(
        summary="Record a purchase (an order posted again answers the recorded one with 200)",
        parameters=[ETAG],
        responses={
            201: PurchaseSerializer,
            200: OpenApiResponse(PurchaseSerializer, description="Already recorded."),
            409: OpenApiResponse(description="Already recorded, outside the caller's scope."),
        },
    ),
    destroy=extend_schema(summary="Move a purchase to the trash"),
    restore=extend_schema(summary="Restore a purchase from the trash"),
    history=extend_schema(summary="A purchase's changes, newest first"),
    export=extend_schema(summary="Export the filtered purchases as CSV"),
)
class PurchaseViewSet(RecordViewSet):
    """Purchases of contacts and companies: items, totals, date, channel and status.

    A shop identifies its orders with ``source`` (its name) and ``external_id`` (the order
    number): posting one again returns the purchase already recorded (200) instead of counting
    it twice. Writes accept ``If-Match``.
    """

    model = Purchase
    permission_area = "sales"
    serializer_class = PurchaseSerializer
    filterset_class = PurchaseFilterSet
    orderings = {
        "-purchased": ["-purchased_at", "-id"],
        "purchased": ["purchased_at", "id"],
        "-created": ["-created_at", "-id"],
    }
    default_ordering = "-purchased"
    export_filename = "purchases.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related(
            prefetched("items", PurchaseItem.objects.order_by("position", "id")),
            prefetched("tags"),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _service_arguments(serializer.validated_data)
        existing = services.find_purchase(data.get("source", ""), data.get("external_id", ""))
        if existing is None:
            data.setdefault("owner", request.user)
            existing, created = services.record_purchase(actor=request.user, **data)
        else:
            created = False
        if not created and not permissions.can_view_record(request.user, existing):
            raise Conflict(_("This order is already recorded."))
        if not created and existing.deleted_at is not None:
            raise Conflict(_("This order is already recorded and is in the trash."))
        return self.respond_with(
            existing, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def update_record(self, record, data, expected_version):
        data = _service_arguments(data)
        for name in ("contact", "company"):
            if name in data and getattr(data[name], "pk", None) == getattr(record, f"{name}_id"):
                data.pop(name)
        return services.update_purchase(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_purchases(records, actor=self.request.user)

    def restore_records(self, records):
        return services.restore_purchases(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from ..io import iter_purchases_csv

        return iter_purchases_csv(queryset)
