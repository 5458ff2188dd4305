"""``/api/v1/products/``, ``tax-rates`` and ``price-lists``: the catalogue.

Anyone who may read sales reads it; sales writers change products. Products carry an ETag
(``If-Match`` on writes: 412 when someone else changed the product meanwhile).
"""

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from clientela.core.api.base import ETAG, IF_MATCH, ApiViewMixin, expected_version
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.api.serializers import PrefetchedListSerializer, StrictModelSerializer
from clientela.core.prefetch import prefetched
from clientela.core.records import StaleRecord

from .. import services
from ..filtersets import ProductFilterSet
from ..models import PriceList, PriceListItem, Product, TaxRate
from ..models.products import MAX_UNIT_PRICE

ID_REGEX = r"[0-9]{1,18}"


def price_field(**kwargs):
    return serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, max_value=MAX_UNIT_PRICE, **kwargs
    )


class TaxRateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = TaxRate
        fields = ["id", "code", "name", "rate", "is_default", "active"]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceList
        fields = ["id", "name", "currency", "is_default", "active"]
        read_only_fields = fields


class ProductPriceSerializer(StrictModelSerializer):
    price_list = serializers.PrimaryKeyRelatedField(queryset=PriceList.objects.all())
    unit_price = price_field()

    class Meta:
        model = PriceListItem
        fields = ["price_list", "unit_price"]
        list_serializer_class = PrefetchedListSerializer

    def get_validators(self):
        return []


class ProductSerializer(StrictModelSerializer):
    unit_price = price_field(help_text="Before tax, in the product's currency.")
    currency = serializers.CharField(max_length=3, required=False)
    tax_rate = serializers.PrimaryKeyRelatedField(
        queryset=TaxRate.objects.all(),
        required=False,
        help_text="Defaults to the default tax rate.",
    )
    prices = ProductPriceSerializer(
        many=True,
        required=False,
        max_length=100,
        source="list_prices",
        help_text="Its prices in price lists; sending the list replaces them.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            *services.PRODUCT_FIELDS,
            "prices",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {"description": {"max_length": 2000}}


class CatalogViewSet(ApiViewMixin, viewsets.GenericViewSet):
    permission_area = "sales"
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = ID_REGEX


class TaxRateViewSet(CatalogViewSet, mixins.ListModelMixin):
    """Tax rates for lines and products (set them up in the sales settings pages)."""

    serializer_class = TaxRateSerializer
    queryset = TaxRate.objects.all()
    orderings = {"position": ["position", "id"]}
    default_ordering = "position"


class PriceListViewSet(CatalogViewSet, mixins.ListModelMixin):
    serializer_class = PriceListSerializer
    queryset = PriceList.objects.all()
    orderings = {"name": ["name", "id"]}
    default_ordering = "name"


@extend_schema_view(
    list=extend_schema(summary="List products"),
    retrieve=extend_schema(parameters=[ETAG]),
    create=extend_schema(parameters=[ETAG]),
    update=extend_schema(parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(parameters=[IF_MATCH, ETAG]),
    destroy=extend_schema(
        summary="Delete a product nobody bought or quoted (400 otherwise: deactivate it)",
        parameters=[IF_MATCH],
    ),
)
class ProductViewSet(
    CatalogViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """The products on sale: SKU, name, price before tax, currency and tax rate."""

    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilterSet
    orderings = {"name": ["name", "id"], "sku": ["sku", "id"], "-updated": ["-updated_at", "-id"]}
    default_ordering = "name"
    uses_etags = True
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Product.objects.prefetch_related(
            prefetched("list_prices", PriceListItem.objects.order_by("price_list_id"))
        )

    def _answer(self, product, code=status.HTTP_200_OK):
        product = self.get_queryset().get(pk=product.pk)
        return Response(
            self.get_serializer(product).data, status=code, headers={"ETag": product.etag}
        )

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        prices = data.pop("list_prices", None)
        product = services.create_product(actor=request.user, prices=prices, **data)
        return self._answer(product, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        product = self.get_object()
        version = expected_version(request, product)
        serializer = self.get_serializer(product, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        prices = data.pop("list_prices", None)
        product = services.update_product(
            product, actor=request.user, expected_version=version, prices=prices, **data
        )
        return self._answer(product)

    def destroy(self, request, *args, **kwargs):
        product = self.get_object()
        version = expected_version(request, product)
        with transaction.atomic():
            if version is not None and version != product.version:
                raise StaleRecord(product)
            services.delete_product(product, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
