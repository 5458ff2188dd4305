"""``/api/v1/email-templates/``: e-mail templates with their language variants, and a preview
of one as a contact would get it.

A template is written with all its ``variants`` at once (one per language; on a change, the
list given replaces the stored one, languages left out are removed). Merge fields are checked
as the renderer reads them: an unknown one is a 400 on ``variants.<language>.<field>`` with its
line and column. HTML bodies come back sanitised.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.api.base import RecordViewSet
from clientela.core.api.serializers import StrictModelSerializer, StrictSerializer
from clientela.core.exports import iter_record_csv

from ..choices import BodyFormat
from ..filtersets_templates import EmailTemplateFilterSet
from ..models import EmailTemplate, EmailTemplateVariant
from ..models.templates import MAX_BODY, MAX_PREHEADER, MAX_SUBJECT
from ..rendering import render_email
from ..services import templates as services


class EmailTemplateVariantSerializer(StrictModelSerializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    subject = serializers.CharField(max_length=MAX_SUBJECT)
    preheader = serializers.CharField(max_length=MAX_PREHEADER, required=False, allow_blank=True)
    body_format = serializers.ChoiceField(choices=BodyFormat.choices, default=BodyFormat.MARKDOWN)
    body = serializers.CharField(
        max_length=MAX_BODY,
        trim_whitespace=False,
        help_text=_("Markdown or HTML with merge fields, at most 200,000 characters."),
    )

    class Meta:
        model = EmailTemplateVariant
        fields = ["language", "subject", "preheader", "body_format", "body"]


class EmailTemplateSerializer(StrictModelSerializer):
    variants = EmailTemplateVariantSerializer(
        many=True,
        help_text=_("The e-mail in each language written; one of them the default language."),
    )

    class Meta:
        model = EmailTemplate
        fields = [
            "id",
            "name",
            "description",
            "purpose",
            "default_language",
            "owner",
            "team",
            "variants",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate_variants(self, value):
        if len(value) > len(settings.LANGUAGES):
            raise serializers.ValidationError(_("One variant per language at most."))
        return value


class PreviewRequestSerializer(StrictSerializer):
    contact = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The id of the contact whose values fill the merge fields."),
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The variant to show; by default the contact's language."),
    )


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    html = serializers.CharField()
    text = serializers.CharField()
    language = serializers.CharField()


EXPORT_COLUMNS = ("id", "name", "purpose", "default_language", "languages", "updated_at")


def _export_value(template, column):
    if column == "languages":
        return " ".join(v.language for v in template.variants.all())
    if column == "updated_at":
        return template.updated_at.isoformat()
    return getattr(template, column)


@extend_schema_view(
    list=extend_schema(summary="List e-mail templates by name"),
    retrieve=extend_schema(summary="Read an e-mail template with its variants"),
    create=extend_schema(summary="Write an e-mail template and its variants"),
    update=extend_schema(summary="Replace an e-mail template and its variants"),
    partial_update=extend_schema(summary="Change an e-mail template (variants as a whole)"),
    destroy=extend_schema(summary="Move an e-mail template to the trash"),
)
class EmailTemplateViewSet(RecordViewSet):
    """E-mail templates of the marketing team (``marketing`` access; record scope applies)."""

    model = EmailTemplate
    permission_area = "marketing"
    serializer_class = EmailTemplateSerializer
    filterset_class = EmailTemplateFilterSet
    orderings = {"name": ["name", "id"], "-updated": ["-updated_at", "-id"]}
    default_ordering = "name"
    export_filename = "email-templates.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related("variants")

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        return services.create_email_template(actor=self.request.user, **data)

    def update_record(self, record, data, expected_version):
        return services.update_email_template(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        services.delete_email_templates(records, actor=self.request.user)

    def restore_records(self, records):
        services.restore_email_templates(records, actor=self.request.user)

    def export_chunks(self, queryset):
        return iter_record_csv(queryset, EXPORT_COLUMNS, _export_value)

    @extend_schema(
        summary="Render the template as a contact would get it",
        request=PreviewRequestSerializer,
        responses=PreviewSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def preview(self, request, *args, **kwargs):
        template = self.get_object()
        body = PreviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contacts = permissions.visible(
            request.user, Contact.objects.select_related("company", "owner")
        )
        contact = get_object_or_404(contacts, pk=body.validated_data["contact"])
        rendered = render_email(
            template,
            contact,
            context_extra=services.preview_links(),
            language=body.validated_data.get("language"),
        )
        return Response(PreviewSerializer(rendered).data)
