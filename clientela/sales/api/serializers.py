"""Deals as the API shows and accepts them; the services check the rest (stage of the
pipeline, amounts, currencies, dates)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clientela.contacts.api.serializers import RecordSerializer, VisibleCompanyField
from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.api.serializers import PrefetchedListSerializer, StrictSerializer

from ..choices import DealContactRole
from ..models import Deal, LostReason, Pipeline, Stage
from ..services import DEAL_FIELDS

MAX_CONTACTS = 50


@extend_schema_field(OpenApiTypes.INT)
class VisibleContactField(serializers.PrimaryKeyRelatedField):
    """A contact the caller can see."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Contact.objects.none()
        return permissions.visible(request.user, Contact.objects.all())


class DealContactSerializer(StrictSerializer):
    contact = VisibleContactField()
    role = serializers.ChoiceField(choices=DealContactRole.choices, default=DealContactRole.OTHER)

    class Meta:
        list_serializer_class = PrefetchedListSerializer


class DealSerializer(RecordSerializer):
    pipeline = serializers.PrimaryKeyRelatedField(
        queryset=Pipeline.objects.all(),
        required=False,
        help_text=_("Defaults to the default pipeline."),
    )
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        help_text=_("A stage of the deal's pipeline; defaults to its first open stage."),
    )
    company = VisibleCompanyField(allow_null=True, required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    expected_close_date = serializers.DateField(
        required=False, help_text=_("Defaults to 30 days from today.")
    )
    contacts = DealContactSerializer(
        many=True, required=False, max_length=MAX_CONTACTS, source="contact_links"
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            *DEAL_FIELDS,
            "status",
            "amount_base",
            "closed_at",
            "stage_entered_at",
            "lost_reason",
            "lost_note",
            "contacts",
            "tags",
            "custom_fields",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = [
            "status",
            "amount_base",
            "closed_at",
            "stage_entered_at",
            "lost_reason",
            "lost_note",
            *RecordSerializer.RECORD_READ_ONLY,
        ]


class DealMoveSerializer(StrictSerializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    lost_reason = serializers.PrimaryKeyRelatedField(
        queryset=LostReason.objects.filter(active=True), required=False, allow_null=True
    )
    lost_note = serializers.CharField(max_length=500, required=False, allow_blank=True)
