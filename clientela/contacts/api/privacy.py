"""Privacy actions of the contact API: ``consents`` (the consent log, list and append),
``data-export`` (everything about the person, audited) and ``erase`` (anonymise or purge)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core import permissions
from clientela.core.api.pagination import KeysetCursorPagination

from ..choices import ConsentAction, ConsentPurpose, ConsentSource, LawfulBasis
from ..models import ConsentRecord, Contact
from ..privacy import consent, erasure, export
from ..privacy.audit import MAX_REASON


class ConsentRecordSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="text.text", default="", read_only=True)
    text_version = serializers.IntegerField(
        source="text.version", default=None, read_only=True, allow_null=True
    )
    text_language = serializers.CharField(source="text.language", default="", read_only=True)
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "purpose",
            "action",
            "lawful_basis",
            "recorded_at",
            "source",
            "text",
            "text_version",
            "text_language",
            "ip_address",
            "user_agent",
            "form_submission_id",
            "recorded_by",
            "note",
        ]
        read_only_fields = fields


# Sources a client may state; the system's own (double opt-in, links, retention) it may not.
API_SOURCES = [
    s for s in ConsentSource.values if s not in ("double_opt_in", "withdrawal_link", "retention")
]


class ConsentInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ConsentAction.choices)
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices, default=LawfulBasis.CONSENT)
    source = serializers.ChoiceField(choices=API_SOURCES, default=ConsentSource.API)
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=consent.MAX_TEXT, trim_whitespace=True
    )
    language = serializers.ChoiceField(
        choices=Contact._meta.get_field("language").choices,
        required=False,
        help_text="The language the text was shown in; the contact's when omitted.",
    )
    ip_address = serializers.IPAddressField(required=False, allow_null=True)
    user_agent = serializers.CharField(
        required=False, allow_blank=True, max_length=consent.MAX_USER_AGENT
    )
    recorded_at = serializers.DateTimeField(
        required=False, help_text="When it happened; now when omitted."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=consent.MAX_NOTE)


class EraseSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["anonymise", "purge"])
    reason = serializers.CharField(max_length=MAX_REASON)


class ConsentPagination(KeysetCursorPagination):
    orderings = {"newest": ["-id"]}
    default_ordering = "newest"


class PrivacyRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    contact_id = serializers.IntegerField()
    outcome = serializers.DictField()
    created_at = serializers.DateTimeField()


class PrivacyActionsMixin:
    """Consent log, data-access export and erasure of one contact."""

    @extend_schema(
        methods=["GET"],
        summary="A contact's consent log, newest first",
        responses=ConsentRecordSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a grant or withdrawal of consent",
        request=ConsentInputSerializer,
        responses={201: ConsentRecordSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=ConsentPagination,
        serializer_class=ConsentRecordSerializer,
    )
    def consents(self, request, *args, **kwargs):
        """Append-only: records are never changed. ``marketing_email`` records keep the
        contact's ``consent_status``/``consent_at``/``consent_method``/``consent_proof``."""
        contact = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(
                ConsentRecord.objects.filter(contact=contact).select_related("text")
            )
            return self.get_paginated_response(ConsentRecordSerializer(page, many=True).data)
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kind = values.pop("action")
        if kind == ConsentAction.GRANT:
            record = consent.record_consent(contact, actor=request.user, **values)
        else:
            for name in ("lawful_basis", "text", "language"):
                values.pop(name, None)
            record = consent.withdraw_consent(contact, actor=request.user, **values)
        return Response(ConsentRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Everything held about the contact (GDPR Art. 15/20), audited",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    @action(detail=True, methods=["get"], url_path="data-export", filter_backends=[])
    def data_export(self, request, *args, **kwargs):
        """Administrators and managers (the roles that handle privacy requests); others 403.
        Contacts in the trash too. Each call is recorded in the privacy audit."""
        contact = self._privacy_target(kwargs["pk"])
        data, _audit = export.export_contact_data(
            contact, actor=request.user, reason=request.query_params.get("reason", "")
        )
        response = Response(data)
        response["Content-Disposition"] = (
            f'attachment; filename="{export.export_filename(contact)}"'
        )
        return response

    @extend_schema(
        summary="Erase the contact (GDPR Art. 17): anonymise or purge",
        request=EraseSerializer,
        responses={200: PrivacyRequestSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def erase(self, request, *args, **kwargs):
        """``anonymise`` keeps the record without personal data; ``purge`` deletes the person
        everywhere. Administrators and managers only; the answer is the audit entry."""
        contact = self._privacy_target(kwargs["pk"])
        data = EraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = (
            erasure.anonymise_contact
            if data.validated_data["mode"] == "anonymise"
            else erasure.purge_contact
        )
        audit = service(contact, actor=request.user, reason=data.validated_data["reason"])
        return Response(PrivacyRequestSerializer(audit).data)

    def _privacy_target(self, pk):
        permissions.require_privacy_requests(self.request.user)
        return get_object_or_404(Contact.all_objects, pk=pk)
