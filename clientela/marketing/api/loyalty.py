"""``/api/v1/loyalty-accounts/`` (read, ``ledger``, ``redeem``, ``adjust``),
``/api/v1/rewards/`` and ``/api/v1/loyalty-tiers/`` (CRUD).

Reading needs marketing read access; accounts are those of the contacts in the caller's scope
(others are 404). Redeeming and adjusting need marketing write access; rewards and tiers are
changed by those who manage marketing. A reward's or tier's ``version`` is its ETag
(``If-Match`` on writes: 412 when someone saved it meanwhile). Writes go through
``marketing.services.loyalty``.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from clientela.core import permissions
from clientela.core.api.base import ETAG, IF_MATCH, ApiViewMixin, expected_version
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.api.serializers import StrictModelSerializer, StrictSerializer
from clientela.core.records import StaleRecord

from ..filtersets import LoyaltyAccountFilterSet
from ..models import LoyaltyAccount, LoyaltyTier, PointsEntry, Reward
from ..models.loyalty import MAX_POINTS
from ..services import loyalty as services

ID_REGEX = r"[0-9]{1,18}"


def etag(instance):
    return f'"{instance.pk}-{instance.version}"'


class LoyaltyPermission(drf.BasePermission):
    """Reads: marketing read access. Writes: managing marketing for rewards and tiers
    (``manage_writes``), marketing write access otherwise (scope checked by the view)."""

    def has_permission(self, request, view):
        user = request.user
        if request.method in drf.SAFE_METHODS:
            return permissions.can_read(user, "marketing")
        if getattr(view, "manage_writes", False):
            return permissions.can_manage(user, "marketing")
        return permissions.can_write(user, "marketing")


# --- serializers ---------------------------------------------------------------------------------


class TierSerializer(StrictModelSerializer):
    class Meta:
        model = LoyaltyTier
        fields = ["id", "name", "min_points", "benefits", "position", "version"]
        read_only_fields = ["version"]
        extra_kwargs = {"position": {"max_value": 10_000}}

    def get_validators(self):
        return []  # unique names and thresholds are checked by the service, on their fields


class RewardSerializer(StrictModelSerializer):
    class Meta:
        model = Reward
        fields = ["id", "name", "description", "points_cost", "active", "stock", "version"]
        read_only_fields = ["version"]
        extra_kwargs = {"stock": {"max_value": 10**9}}


class AccountSerializer(serializers.ModelSerializer):
    tier = serializers.PrimaryKeyRelatedField(read_only=True)
    tier_name = serializers.CharField(source="tier.name", read_only=True, default=None)

    class Meta:
        model = LoyaltyAccount
        fields = [
            "id",
            "contact",
            "balance",
            "lifetime_points",
            "tier",
            "tier_name",
            "last_purchase_at",
            "updated_at",
        ]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsEntry
        fields = ["id", "points", "kind", "purchase", "reward", "note", "actor", "created_at"]
        read_only_fields = fields


class RedeemSerializer(StrictSerializer):
    reward = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(max_length=services.MAX_NOTE, required=False, allow_blank=True)


class AdjustSerializer(StrictSerializer):
    points = serializers.IntegerField(
        min_value=-MAX_POINTS, max_value=MAX_POINTS, help_text=_("Negative takes points away.")
    )
    note = serializers.CharField(max_length=services.MAX_NOTE)


class EntryWithBalanceSerializer(EntrySerializer):
    balance = serializers.IntegerField(read_only=True)

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "balance"]
        read_only_fields = fields


# --- accounts ------------------------------------------------------------------------------------


class LedgerPagination(KeysetCursorPagination):
    orderings = {"newest": ["-id"]}
    default_ordering = "newest"


@extend_schema_view(
    list=extend_schema(summary="List loyalty accounts, most lifetime points first"),
    retrieve=extend_schema(summary="Read a loyalty account"),
)
class LoyaltyAccountViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Customers' points: balance to spend, lifetime points for the tier. Accounts open with
    a customer's first purchase (or first adjustment)."""

    permission_classes = [LoyaltyPermission]
    serializer_class = AccountSerializer
    pagination_class = KeysetCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = LoyaltyAccountFilterSet
    orderings = {"points": ["-lifetime_points", "-id"], "id": ["id"]}
    default_ordering = "points"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return services.visible_accounts(self.request.user).select_related("tier")

    @extend_schema(summary="The account's points history, newest first")
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=LedgerPagination,
        serializer_class=EntrySerializer,
    )
    def ledger(self, request, *args, **kwargs):
        account = self.get_object()
        page = self.paginate_queryset(PointsEntry.objects.filter(account=account))
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(
        summary="Spend points on a reward",
        request=RedeemSerializer,
        responses={201: EntryWithBalanceSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def redeem(self, request, *args, **kwargs):
        account = self._changeable()
        body = RedeemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.redeem_reward(
            account.contact,
            body.validated_data["reward"],
            actor=request.user,
            note=body.validated_data.get("note", ""),
        )
        return self._entry_response(entry)

    @extend_schema(
        summary="Add or take away points by hand, with the reason",
        request=AdjustSerializer,
        responses={201: EntryWithBalanceSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def adjust(self, request, *args, **kwargs):
        account = self._changeable()
        body = AdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.adjust_points(
            account.contact,
            body.validated_data["points"],
            actor=request.user,
            note=body.validated_data["note"],
        )
        return self._entry_response(entry)

    def _changeable(self):
        account = self.get_object()
        if not services.can_change_points(self.request.user, account.contact):
            raise PermissionDenied
        return account

    def _entry_response(self, entry):
        entry.balance = LoyaltyAccount.objects.get(pk=entry.account_id).balance
        return Response(EntryWithBalanceSerializer(entry).data, status=status.HTTP_201_CREATED)


# --- rewards and tiers ---------------------------------------------------------------------------


class VersionedViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD of a small shared list whose rows carry a ``version`` (their ETag)."""

    permission_classes = [LoyaltyPermission]
    manage_writes = True
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    uses_etags = True
    save = delete = None  # the services

    def _answer(self, instance, code=status.HTTP_200_OK):
        instance = type(instance).objects.get(pk=instance.pk)
        data = self.get_serializer_class()(instance).data
        return Response(data, status=code, headers={"ETag": etag(instance)})

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers={"ETag": etag(instance)})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = type(self).save(None, actor=request.user, **serializer.validated_data)
        return self._answer(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        version = expected_version(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = type(self).save(
            instance, actor=request.user, expected_version=version, **serializer.validated_data
        )
        return self._answer(instance)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        version = expected_version(request, instance)
        with transaction.atomic():
            if version is not None and version != instance.version:
                raise StaleRecord(instance)
            type(self).delete(instance, actor=request.user, expected_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


VERSIONED_SCHEMA = {
    "retrieve": extend_schema(parameters=[ETAG]),
    "create": extend_schema(parameters=[ETAG]),
    "update": extend_schema(parameters=[IF_MATCH, ETAG]),
    "partial_update": extend_schema(parameters=[IF_MATCH, ETAG]),
    "destroy": extend_schema(parameters=[IF_MATCH]),
}


@extend_schema_view(list=extend_schema(summary="List rewards, cheapest first"), **VERSIONED_SCHEMA)
class RewardViewSet(VersionedViewSet):
    """What customers get for their points; ``stock`` empty: no limit."""

    serializer_class = RewardSerializer
    queryset = Reward.objects.all()
    orderings = {"points": ["points_cost", "id"], "id": ["id"]}
    default_ordering = "points"
    save = staticmethod(services.save_reward)
    delete = staticmethod(services.delete_reward)


@extend_schema_view(
    list=extend_schema(summary="List tiers, lowest threshold first"), **VERSIONED_SCHEMA
)
class LoyaltyTierViewSet(VersionedViewSet):
    """Levels reached with lifetime points; changing them moves every account."""

    serializer_class = TierSerializer
    queryset = LoyaltyTier.objects.all()
    orderings = {"min_points": ["min_points", "id"]}
    default_ordering = "min_points"
    save = staticmethod(services.save_tier)
    delete = staticmethod(services.delete_tier)
