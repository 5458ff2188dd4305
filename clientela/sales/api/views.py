"""``/api/v1/deals/``: thin views over ``sales.services``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api.base import ETAG, IF_MATCH, RecordViewSet, expected_version
from clientela.core.prefetch import prefetched

from .. import services
from ..filtersets import DealFilterSet
from ..models import Deal, DealContact, Quote
from ..totals import totals_of
from ..views.quotes import quote_response
from .serializers import (
    DealLineSerializer,
    DealLinesSerializer,
    DealMoveSerializer,
    DealSerializer,
    QualifySerializer,
    QuoteCreateSerializer,
    QuoteSerializer,
    TaxTotalSerializer,
)

LINKS = ("company", "owner", "team", "pipeline", "stage")


def _contact_pairs(links):
    return [(link["contact"], link["role"]) for link in links]


@extend_schema_view(
    list=extend_schema(summary="List deals"),
    create=extend_schema(summary="Create a deal (owner defaults to the caller)"),
    destroy=extend_schema(summary="Move a deal to the trash"),
    restore=extend_schema(summary="Restore a deal from the trash"),
    history=extend_schema(summary="A deal's changes, newest first"),
    export=extend_schema(summary="Export the filtered deals as CSV"),
)
class DealViewSet(RecordViewSet):
    """Opportunities. Lists show what the caller's role and scope allow; anything else is 404.

    Changing ``stage`` (or ``pipeline``) moves the deal like the board does: a stage of another
    pipeline is a 400, time in stage is recorded, won/lost close it and its contacts' lifecycle
    follows. Writes accept ``If-Match`` (412 when someone else changed the deal meanwhile).
    """

    model = Deal
    permission_area = "sales"
    serializer_class = DealSerializer
    filterset_class = DealFilterSet
    orderings = {
        "closing": ["expected_close_date", "id"],
        "-amount": ["-amount_base", "-id"],
        "-created": ["-created_at", "-id"],
        "-updated": ["-updated_at", "-id"],
    }
    default_ordering = "closing"
    export_filename = "deals.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related(
            prefetched("contact_links", DealContact.objects.order_by("id")), prefetched("tags")
        )

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        contacts = _contact_pairs(data.pop("contact_links", []))
        return services.create_deal(actor=self.request.user, contacts=contacts, **data)

    def update_record(self, record, data, expected_version):
        data = {
            name: value
            for name, value in data.items()
            if not (name in LINKS and getattr(value, "pk", None) == getattr(record, f"{name}_id"))
        }
        if "contact_links" in data:
            data["contacts"] = _contact_pairs(data.pop("contact_links"))
        return services.update_deal(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_deals(records, actor=self.request.user)

    def restore_records(self, records):
        return services.restore_deals(records, actor=self.request.user)

    def export_chunks(self, queryset):
        from ..io import iter_deals_csv

        return iter_deals_csv(queryset)

    @extend_schema(request=QualifySerializer, responses={201: DealSerializer}, parameters=[ETAG])
    @action(detail=False, methods=["post"], filter_backends=[])
    def qualify(self, request, *args, **kwargs):
        """Turn a lead into an opportunity: a new deal for the contact (and their company),
        owned by the caller, with the contact as decision maker; the contact becomes an
        "opportunity"."""
        lead = QualifySerializer(data=request.data, context=self.get_serializer_context())
        lead.is_valid(raise_exception=True)
        data = dict(lead.validated_data)
        deal = services.qualify_contact(data.pop("contact"), actor=request.user, **data)
        return self.respond_with(deal, status.HTTP_201_CREATED)

    @extend_schema(
        request=DealMoveSerializer, responses=DealSerializer, parameters=[IF_MATCH, ETAG]
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def move(self, request, *args, **kwargs):
        """Move the deal to another stage of its pipeline (what dragging it on the board does).
        A lost stage takes an optional ``lost_reason`` and ``lost_note``."""
        record = self.get_object()
        version = expected_version(request, record)
        move = DealMoveSerializer(data=request.data, context=self.get_serializer_context())
        move.is_valid(raise_exception=True)
        record = services.move_deal(
            record, actor=request.user, expected_version=version, **move.validated_data
        )
        return self.respond_with(record)

    # --- line items and quotes -------------------------------------------------------------------

    def _lines_body(self, deal):
        lines = list(deal.line_items.order_by("position", "id"))
        totals = totals_of(lines)
        return {
            "lines": DealLineSerializer(lines, many=True).data,
            "currency": deal.currency,
            "net_amount": totals.net,
            "tax_amount": totals.tax,
            "total_amount": totals.gross,
            "taxes": TaxTotalSerializer(
                [{"rate": r, **entry} for r, entry in totals.by_rate.items()], many=True
            ).data,
        }

    @extend_schema(methods=["GET"], request=None, responses=DealLinesSerializer, parameters=[ETAG])
    @extend_schema(
        methods=["PUT"],
        request=DealLinesSerializer,
        responses=DealLinesSerializer,
        parameters=[IF_MATCH, ETAG],
    )
    @action(
        detail=True,
        methods=["get", "put"],
        url_path="line-items",
        filter_backends=[],
        pagination_class=None,
    )
    def line_items(self, request, *args, **kwargs):
        """The deal's lines with net, tax and gross, tax per rate and totals. PUT replaces all
        the lines (an empty list removes them); the deal's amount becomes their net total.
        ``If-Match`` takes the deal's ETag."""
        deal = self.get_object()
        if request.method == "PUT":
            version = expected_version(request, deal)
            body = DealLinesSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            deal = services.set_deal_lines(
                deal,
                [dict(line) for line in body.validated_data["lines"]],
                actor=request.user,
                expected_version=version,
                price_list=body.validated_data.get("price_list"),
            )
            deal.refresh_from_db()
        return Response(self._lines_body(deal), headers={"ETag": deal.etag})

    @extend_schema(methods=["GET"], request=None, responses=QuoteSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=QuoteCreateSerializer, responses={201: QuoteSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="quotes",
        filter_backends=[],
        pagination_class=None,
    )
    def quotes(self, request, *args, **kwargs):
        """The deal's quotes, newest version first. POST makes a new version from the lines as
        they are now, as a PDF in the language of the deal's main contact."""
        deal = self.get_object()
        if request.method == "POST":
            body = QuoteCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            quote = services.create_quote(deal, actor=request.user, **body.validated_data)
            return Response(QuoteSerializer(quote).data, status=201)
        quotes = Quote.objects.filter(deal=deal).defer("pdf").order_by("-version")
        return Response(QuoteSerializer(quotes, many=True).data)

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF.")
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"quotes/(?P<version>[0-9]{1,9})/pdf",
        filter_backends=[],
        pagination_class=None,
    )
    def quote_pdf(self, request, *args, version=None, **kwargs):
        """One version of the quote as the PDF that was made."""
        deal = self.get_object()
        quote = get_object_or_404(Quote, deal=deal, version=int(version))
        return quote_response(quote)

    def perform_content_negotiation(self, request, force=False):
        # The PDF answers whatever the Accept header says; errors stay JSON.
        return super().perform_content_negotiation(
            request, force=force or self.action == "quote_pdf"
        )
