"""API of core's own resources: users, teams, custom fields, tags, the caller's tokens, search."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from clientela.core import search, services, tokens
from clientela.core.api.base import ApiViewMixin, ReadCreateDeleteViewSet
from clientela.core.api.permissions import SettingsPermission
from clientela.core.api.serializers import (
    ApiTokenSerializer,
    CustomFieldSerializer,
    NewApiTokenSerializer,
    SearchResultsSerializer,
    TagSerializer,
    TeamSerializer,
    UserSerializer,
    content_type_for,
)
from clientela.core.customfields import record_types
from clientela.core.models import ApiToken, CustomField, Tag, Team, User

ID_REGEX = r"[0-9]{1,18}"


class SettingsViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Everyone signed in reads; settings writers (admins) create, change and remove."""

    permission_classes = [SettingsPermission]
    filter_backends = []
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = self.create_object(dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.update_object(
            serializer.instance, dict(serializer.validated_data)
        )

    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, instance, data):
        raise NotImplementedError


@extend_schema_view(destroy=extend_schema(summary="Deactivate a user (users are never deleted)"))
class UserViewSet(SettingsViewSet):
    serializer_class = UserSerializer
    orderings = {"username": ["username", "id"], "-joined": ["-date_joined", "-id"]}
    default_ordering = "username"

    def get_queryset(self):
        return User.objects.select_related("role").prefetch_related("teams")

    def create_object(self, data):
        return services.create_user(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.update_user(instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        services.deactivate_user(instance, actor=self.request.user)


class TeamViewSet(SettingsViewSet):
    serializer_class = TeamSerializer
    orderings = {"name": ["name", "id"]}
    default_ordering = "name"

    def get_queryset(self):
        return Team.objects.prefetch_related("members")

    def create_object(self, data):
        return services.create_team(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.update_team(instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        services.delete_team(instance, actor=self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("record_type", OpenApiTypes.STR, enum=sorted(record_types()))]
    )
)
class CustomFieldViewSet(SettingsViewSet):
    """Custom field definitions of every kind of record (contacts, companies, deals, cases...)."""

    serializer_class = CustomFieldSerializer
    orderings = {"position": ["position", "id"]}
    default_ordering = "position"

    def get_queryset(self):
        queryset = CustomField.objects.select_related("content_type")
        if self.action != "list":
            return queryset
        record_type = self.request.query_params.get("record_type")
        if record_type is None:
            return queryset.filter(
                content_type__in=[content_type_for(name) for name in record_types()]
            )
        if record_type not in record_types():
            options = ", ".join(record_types())
            raise ValidationError(
                {"record_type": [_("Choose one of: %(options)s.") % {"options": options}]}
            )
        return queryset.filter(content_type=content_type_for(record_type))

    def create_object(self, data):
        return services.create_custom_field(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.update_custom_field(instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        services.delete_custom_field(instance, actor=self.request.user)


class TagViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Tags shared by contacts and companies; anyone who may write contacts creates them."""

    permission_area = "contacts"
    serializer_class = TagSerializer
    filter_backends = []
    orderings = {"name": ["name", "id"]}
    default_ordering = "name"

    def get_queryset(self):
        return Tag.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.create_tag(
            actor=self.request.user, **serializer.validated_data
        )


@extend_schema_view(
    create=extend_schema(
        request=ApiTokenSerializer,
        responses={201: NewApiTokenSerializer},
        summary="Create a token (the full token is in this answer only)",
    ),
    destroy=extend_schema(summary="Revoke a token"),
)
class ApiTokenViewSet(ReadCreateDeleteViewSet):
    """The caller's own API tokens."""

    serializer_class = ApiTokenSerializer
    filter_backends = []
    lookup_value_regex = ID_REGEX
    orderings = {"-created": ["-created_at", "-id"]}
    default_ordering = "-created"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expires_at = serializer.validated_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError({"expires_at": [_("Choose a moment in the future.")]})
        token, raw = tokens.create_token(
            request.user, serializer.validated_data["name"], expires_at=expires_at
        )
        token.token = raw
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        tokens.revoke_token(instance)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)
    entity = serializers.ChoiceField(choices=[], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = sorted(search.entities())


class SearchView(ApiViewMixin, APIView):
    """Global search across every kind of record the caller may read, best matches first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="Words to find."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1-50, default 10."),
            OpenApiParameter(
                "entity", OpenApiTypes.STR, description="Only this kind (contact, company...)."
            ),
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entity = query.validated_data.get("entity")
        found = search.search(
            request.user,
            query.validated_data["q"],
            entity_names=[entity] if entity else None,
            limit=query.validated_data["limit"],
        )
        return Response(SearchResultsSerializer({"results": found}).data)
