"""Deals as the API shows and accepts them; the services check the rest (stage of the
pipeline, amounts, currencies, dates)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clientela.contacts.api.serializers import RecordSerializer, VisibleCompanyField
from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.api.serializers import PrefetchedListSerializer, StrictSerializer

from ..choices import DealContactRole
from ..models import Deal, LostReason, Pipeline, PriceList, Product, Quote, Stage, TaxRate
from ..models.products import MAX_QUANTITY, MAX_UNIT_PRICE
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

    def validate(self, data):
        deal = self.instance
        if deal is not None and deal.line_items.exists():
            errors = {}
            if "amount" in data and data["amount"] != deal.amount:
                errors["amount"] = [_("The amount follows the line items; change them instead.")]
            if "currency" in data and data["currency"].strip().upper() != deal.currency:
                errors["currency"] = [_("The deal has line items priced in its currency.")]
            if errors:
                raise serializers.ValidationError(errors)
        return data


class DealMoveSerializer(StrictSerializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    lost_reason = serializers.PrimaryKeyRelatedField(
        queryset=LostReason.objects.filter(active=True), required=False, allow_null=True
    )
    lost_note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class QualifySerializer(StrictSerializer):
    contact = VisibleContactField(help_text=_("The lead who becomes an opportunity."))
    name = serializers.CharField(max_length=200, required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


# --- line items and quotes -----------------------------------------------------------------------


class DealLineSerializer(StrictSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("Defaults to the product's.")
    )
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=0, max_value=MAX_QUANTITY, default=1
    )
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        min_value=0,
        max_value=MAX_UNIT_PRICE,
        required=False,
        allow_null=True,
        help_text=_("Before tax, in the deal's currency; defaults to the product's price."),
    )
    discount = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=0
    )
    tax_rate = serializers.PrimaryKeyRelatedField(
        queryset=TaxRate.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Defaults to the product's, else the default rate."),
    )
    tax_percent = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    net = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    gross = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class TaxTotalSerializer(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    base = serializers.DecimalField(max_digits=14, decimal_places=2)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2)


class DealLinesSerializer(StrictSerializer):
    """All the lines of a deal with their totals; sending ``lines`` replaces them all."""

    lines = DealLineSerializer(many=True, max_length=200)
    price_list = serializers.PrimaryKeyRelatedField(
        queryset=PriceList.objects.filter(active=True),
        required=False,
        allow_null=True,
        write_only=True,
        help_text=_("Where prices left out come from (default: the default list of the currency)."),
    )
    currency = serializers.CharField(read_only=True)
    net_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    tax_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    taxes = TaxTotalSerializer(many=True, read_only=True)


class QuoteSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(help_text=_("The PDF."))

    class Meta:
        model = Quote
        fields = [
            "id",
            "version",
            "number",
            "language",
            "currency",
            "net_amount",
            "tax_amount",
            "total_amount",
            "valid_until",
            "snapshot",
            "created_by",
            "created_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, quote) -> str:
        return f"/api/v1/deals/{quote.deal_id}/quotes/{quote.version}/pdf/"


class QuoteCreateSerializer(StrictSerializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("Defaults to the language of the deal's main contact."),
    )
