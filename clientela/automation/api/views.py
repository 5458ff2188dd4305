"""``/api/v1/outgoing-webhooks/``: thin views over ``automation.services``.

Webhooks hold a signing secret and their log holds the records sent, so every call, reads
included, needs write access to automation (administrators and managers). A webhook's
``version`` is its ETag (``If-Match`` on writes: 412 when it changed meanwhile).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from clientela.core import permissions
from clientela.core.api.base import ETAG, IF_MATCH, ApiViewMixin, expected_version
from clientela.core.api.pagination import KeysetCursorPagination

from .. import services
from ..choices import DeliveryStatus
from ..filtersets import WebhookDeliveryFilterSet
from ..models import OutgoingWebhook, WebhookDelivery
from .serializers import (
    NewOutgoingWebhookSerializer,
    OutgoingWebhookSerializer,
    WebhookDeliverySerializer,
    WebhookSecretSerializer,
)

ID_REGEX = r"[0-9]{1,18}"
DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)
STATUS = OpenApiParameter("status", str, enum=DeliveryStatus.values, description="Only these.")


class AutomationWriters(drf.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and permissions.can_write(user, "automation"))


class DeliveryBusy(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("It is being sent right now; try again in a minute.")
    default_code = "conflict"


class DeliveryPagination(KeysetCursorPagination):
    orderings = {"newest": ["-id"]}
    default_ordering = "newest"


def _answer(webhook, serializer_class=OutgoingWebhookSerializer, code=status.HTTP_200_OK):
    webhook = OutgoingWebhook.objects.get(pk=webhook.pk)
    return Response(serializer_class(webhook).data, status=code, headers={"ETag": webhook.etag})


@extend_schema_view(
    list=extend_schema(summary="List outgoing webhooks by name"),
    retrieve=extend_schema(summary="Read an outgoing webhook", parameters=[ETAG]),
    create=extend_schema(
        summary="Create an outgoing webhook (the answer holds its signing secret)",
        responses={201: NewOutgoingWebhookSerializer},
        parameters=[ETAG],
    ),
    update=extend_schema(summary="Replace an outgoing webhook", parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(summary="Change an outgoing webhook", parameters=[IF_MATCH, ETAG]),
    destroy=extend_schema(
        summary="Delete an outgoing webhook and its delivery log", parameters=[IF_MATCH]
    ),
)
class OutgoingWebhookViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Outgoing webhooks: addresses Clientela POSTs signed JSON to when the events they list
    happen (see the user guide for the payload and how to check the signature). Each
    delivery is logged (``deliveries``) and can be sent again (``redeliver``)."""

    serializer_class = OutgoingWebhookSerializer
    queryset = OutgoingWebhook.objects.all()
    permission_classes = [AutomationWriters]
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = ID_REGEX
    orderings = {"name": ["name", "id"]}
    default_ordering = "name"
    uses_etags = True

    def retrieve(self, request, *args, **kwargs):
        webhook = self.get_object()
        return Response(self.get_serializer(webhook).data, headers={"ETag": webhook.etag})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = services.create_webhook(actor=request.user, **serializer.validated_data)
        return _answer(webhook, NewOutgoingWebhookSerializer, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        webhook = self.get_object()
        version = expected_version(request, webhook)
        serializer = self.get_serializer(webhook, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        webhook = services.update_webhook(
            webhook, actor=request.user, expected_version=version, **serializer.validated_data
        )
        return _answer(webhook)

    def destroy(self, request, *args, **kwargs):
        webhook = self.get_object()
        services.delete_webhook(
            webhook, actor=request.user, expected_version=expected_version(request, webhook)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Reveal the signing secret", responses=WebhookSecretSerializer)
    @action(detail=True, methods=["get"])
    def secret(self, request, *args, **kwargs):
        return Response({"secret": self.get_object().secret})

    @extend_schema(
        summary="Replace the signing secret (the old one stops at once)",
        request=None,
        responses=NewOutgoingWebhookSerializer,
        parameters=[ETAG],
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        webhook = services.rotate_secret(self.get_object(), actor=request.user)
        return _answer(webhook, NewOutgoingWebhookSerializer)

    @extend_schema(
        summary="Send a test event (ping) now, even while the webhook is off",
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        delivery = services.send_test_event(self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The webhook's deliveries, newest first (filter by status)",
        parameters=[STATUS],
        responses=WebhookDeliverySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=DeliveryPagination,
        serializer_class=WebhookDeliverySerializer,
    )
    def deliveries(self, request, *args, **kwargs):
        webhook = self.get_object()
        filters = WebhookDeliveryFilterSet(
            request.query_params, queryset=WebhookDelivery.objects.filter(webhook=webhook)
        )
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        page = self.paginate_queryset(filters.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Read one delivery", parameters=[DELIVERY_ID], responses=WebhookDeliverySerializer
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"deliveries/(?P<delivery_id>{ID_REGEX})",
        serializer_class=WebhookDeliverySerializer,
    )
    def delivery(self, request, *args, delivery_id=None, **kwargs):
        return Response(WebhookDeliverySerializer(self._delivery(delivery_id)).data)

    @extend_schema(
        summary="Send a delivery again now (same id and body, a new attempt)",
        parameters=[DELIVERY_ID],
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"deliveries/(?P<delivery_id>{ID_REGEX})/redeliver",
        serializer_class=WebhookDeliverySerializer,
    )
    def redeliver(self, request, *args, delivery_id=None, **kwargs):
        delivery = self._delivery(delivery_id)
        if not services.redeliver(delivery, actor=request.user):
            raise DeliveryBusy()
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    def _delivery(self, delivery_id):
        return get_object_or_404(WebhookDelivery, webhook=self.get_object(), pk=delivery_id)
