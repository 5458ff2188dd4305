"""``/api/v1/assignment-rules/``, ``/api/v1/web-forms/``, ``/api/v1/webhooks/`` and
``/api/v1/mailboxes/``: read by anyone who reads contacts (webhooks and mailboxes, holding
secrets, by their managers only), changed by their managers."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions as drf
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core import permissions
from clientela.core.api.base import ApiViewMixin
from clientela.core.api.pagination import KeysetCursorPagination

from .. import jobs, services
from ..models import AssignmentRule, Mailbox, WebForm, Webhook
from ..services import mail
from .serializers import (
    AssignmentRuleSerializer,
    MailboxSerializer,
    WebFormSerializer,
    WebhookSerializer,
)


class IntakeViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """What the intake resources share: keyset pages, numeric ids, ordered by name."""

    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = r"[0-9]{1,18}"
    orderings = {"name": ["name", "id"]}
    default_ordering = "name"


class ContactsManagerPermission(drf.BasePermission):
    def has_permission(self, request, view):
        if request.method in drf.SAFE_METHODS:
            return permissions.can_read(request.user, "contacts")
        return permissions.can_manage(request.user, "contacts")


class AssignmentRuleViewSet(IntakeViewSet):
    """Who gets new records without an owner, tried in ``position`` order per record type."""

    serializer_class = AssignmentRuleSerializer
    permission_classes = [ContactsManagerPermission]
    orderings = {"position": ["position", "id"]}
    default_ordering = "position"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    queryset = AssignmentRule.objects.select_related("user", "team")

    def perform_create(self, serializer):
        serializer.instance = services.create_rule(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_rule(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_rule(instance, actor=self.request.user)


class WebFormViewSet(IntakeViewSet):
    """Web forms. There is no delete: a form's submissions are the evidence of consent given
    through it, so a form that is no longer wanted is set ``active: false``."""

    serializer_class = WebFormSerializer
    permission_classes = [ContactsManagerPermission]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = WebForm.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.create_form(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_form(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class ContactsManagerOnly(drf.BasePermission):
    def has_permission(self, request, view):
        return permissions.can_manage(request.user, "contacts")


class WebhookViewSet(IntakeViewSet):
    """Webhooks: where phone systems and lead sources post, and the secret they sign with."""

    serializer_class = WebhookSerializer
    permission_classes = [ContactsManagerOnly]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    queryset = Webhook.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.create_webhook(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        fields.pop("kind", None)
        serializer.instance = services.update_webhook(
            serializer.instance, actor=self.request.user, **fields
        )

    def perform_destroy(self, instance):
        services.delete_webhook(instance, actor=self.request.user)


class MailboxViewSet(IntakeViewSet):
    """Mailboxes read over IMAP into the timelines; ``POST .../sync/`` queues a sync now."""

    serializer_class = MailboxSerializer
    permission_classes = [ContactsManagerOnly]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    queryset = Mailbox.objects.all()

    def perform_create(self, serializer):
        serializer.instance = mail.create_mailbox(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = mail.update_mailbox(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        mail.delete_mailbox(instance, actor=self.request.user)

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer("MailboxSyncQueued", {"queued": serializers.BooleanField()})
        },
    )
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        mailbox = self.get_object()
        jobs.sync_one_mailbox.enqueue(mailbox.pk)
        return Response({"queued": True}, status=202)
