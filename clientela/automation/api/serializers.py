"""Serializers of ``/api/v1/outgoing-webhooks/``."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clientela.core.api.serializers import StrictModelSerializer
from clientela.core.event_types import EVENTS

from ..models import OutgoingWebhook, WebhookDelivery
from ..models.webhooks import MAX_EVENTS, MAX_URL


class OutgoingWebhookSerializer(StrictModelSerializer):
    """An outgoing webhook. ``events`` are names from the event catalogue; the failure fields
    are kept by the sender (``active`` turns false by itself after too many failures in a
    row, with ``disabled_reason``). The signing secret is only in the answer to a creation,
    to ``secret`` and to ``rotate-secret``."""

    url = serializers.CharField(max_length=MAX_URL, help_text=_("http(s) address to POST to."))
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)),
        allow_empty=False,
        max_length=MAX_EVENTS,
    )
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OutgoingWebhook
        fields = [
            "id",
            "name",
            "url",
            "events",
            "active",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "disabled_reason",
        ]
        read_only_fields = [
            "created_at",
            "updated_at",
            "version",
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "disabled_reason",
        ]


class NewOutgoingWebhookSerializer(OutgoingWebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("The signing secret. Keep it with the receiver.")
    )

    class Meta(OutgoingWebhookSerializer.Meta):
        fields = [*OutgoingWebhookSerializer.Meta.fields, "secret"]


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(read_only=True)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One delivery: the event, the JSON sent (``payload``) and what came of the last attempt.
    ``event_id`` is the ``Clientela-Delivery`` header, the same on every attempt."""

    payload = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "event",
            "event_id",
            "status",
            "attempts",
            "next_attempt_at",
            "response_status",
            "response_excerpt",
            "last_error",
            "duration_ms",
            "created_at",
            "last_attempt_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields

    def get_payload(self, delivery) -> dict:
        return json.loads(delivery.body)
