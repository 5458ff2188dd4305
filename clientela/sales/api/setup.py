"""``/api/v1/pipelines/``, ``lost-reasons``, ``exchange-rates``, ``quotas`` and ``forecast``:
sales configuration and targets. Anyone who may read sales reads them; managers (sales write
access over all records) change them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf
from rest_framework.response import Response
from rest_framework.views import APIView

from clientela.core import permissions
from clientela.core.api.base import ApiViewMixin
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.models import Team, User

from .. import forecast, services
from ..models import Deal, ExchangeRate, LostReason, Pipeline, Quota, Stage


class SalesManagerPermission(drf.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if request.method in drf.SAFE_METHODS:
            return permissions.can_read(user, "sales")
        return permissions.can_manage(user, "sales")


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "position", "probability", "kind"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "position", "is_default", "archived", "stages"]


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "name", "active"]


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(max_length=3)
    rate = serializers.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "valid_from", "rate"]


class QuotaSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = Quota
        fields = ["id", "user", "month", "amount"]


class SetupViewSet(ApiViewMixin, viewsets.GenericViewSet):
    permission_classes = [SalesManagerPermission]
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = r"[0-9]{1,18}"


class PipelineViewSet(SetupViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Pipelines with their stages in order (configure them in the sales settings pages)."""

    serializer_class = PipelineSerializer
    orderings = {"position": ["position", "id"]}
    default_ordering = "position"
    queryset = Pipeline.objects.prefetch_related("stages")


class LostReasonViewSet(SetupViewSet, mixins.ListModelMixin):
    serializer_class = LostReasonSerializer
    orderings = {"position": ["position", "id"]}
    default_ordering = "position"
    queryset = LostReason.objects.all()


class ExchangeRateViewSet(
    SetupViewSet, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin
):
    """Rates to the base currency by day; posting a currency and day again replaces the rate."""

    serializer_class = ExchangeRateSerializer
    orderings = {"-valid_from": ["-valid_from", "-id"]}
    default_ordering = "-valid_from"
    queryset = ExchangeRate.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.set_exchange_rate(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_exchange_rate(instance, actor=self.request.user)


class QuotaViewSet(
    SetupViewSet, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin
):
    """Monthly quotas; posting a user and month again replaces the amount."""

    serializer_class = QuotaSerializer
    orderings = {"month": ["month", "id"]}
    default_ordering = "month"

    def get_queryset(self):
        people = User.objects.all()
        scope = permissions.scope_q(self.request.user, owner_field="pk", team_field="teams")
        if scope is not None:
            people = people.filter(scope)
        return Quota.objects.filter(user__in=people.values("pk"))

    def perform_create(self, serializer):
        serializer.instance = services.set_quota(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.set_quota(
            actor=self.request.user, user=instance.user, month=instance.month, amount=None
        )


class ForecastCellSerializer(serializers.Serializer):
    won = serializers.DecimalField(max_digits=16, decimal_places=2)
    commit = serializers.DecimalField(max_digits=16, decimal_places=2)
    best_case = serializers.DecimalField(max_digits=16, decimal_places=2)
    pipeline = serializers.DecimalField(max_digits=16, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=16, decimal_places=2)
    quota = serializers.DecimalField(max_digits=16, decimal_places=2)


class ForecastRowSerializer(serializers.Serializer):
    owner = serializers.IntegerField(source="owner.pk")
    cells = ForecastCellSerializer(many=True)


class ForecastSerializer(serializers.Serializer):
    periods = serializers.ListField(child=serializers.CharField())
    rows = ForecastRowSerializer(many=True)
    totals = ForecastCellSerializer(many=True)


class ForecastQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1970, max_value=2199)
    period = serializers.ChoiceField(choices=["month", "quarter"], default="month")
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)


class ForecastView(ApiViewMixin, APIView):
    """Won, commit, best case, weighted pipeline and quota per person and period (base
    currency), over the deals the caller may see."""

    permission_classes = [SalesManagerPermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
            OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter"]),
            OpenApiParameter("team", OpenApiTypes.INT),
        ],
        responses=ForecastSerializer,
    )
    def get(self, request):
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = forecast.build(
            permissions.visible(request.user, Deal.objects.all()),
            forecast.people_for(request.user, query.validated_data.get("team")),
            query.validated_data["year"],
            query.validated_data["period"],
        )
        body = {
            "periods": [start.isoformat() for start, _label in result.periods],
            "rows": result.rows,
            "totals": result.totals,
        }
        return Response(ForecastSerializer(body).data)
