"""``/api/v1/imports/``: upload a file, check the suggested mapping, start, follow, undo.

``POST`` (multipart: ``file``, ``kind``) reads the file and answers with its columns, first
rows and suggested ``mapping``; ``POST .../{id}/start/`` (JSON: ``mapping``, ``on_duplicate``,
``match_on``, ``dry_run``) queues it. A client that trusts the suggestions sends ``start=true``
with the upload. ``GET .../{id}/`` shows the progress and the first row errors;
``.../{id}/errors/`` is the CSV of the rows not imported; ``POST .../{id}/undo/`` takes it back.
"""

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from clientela.core import permissions
from clientela.core.api.base import ApiViewMixin, LimitedJSONParser
from clientela.core.api.pagination import KeysetCursorPagination

from ..choices import DuplicatePolicy
from ..imports import engine, fields
from ..models import ImportJob
from ..services import imports as services
from ..views_imports import visible_imports
from .serializers import _absolute


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(source="progress_percent", read_only=True)
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "file_size",
            "file_format",
            "encoding",
            "delimiter",
            "header",
            "sample",
            "mapping",
            "on_duplicate",
            "match_on",
            "dry_run",
            "progress",
            "rows",
            "created",
            "updated",
            "skipped",
            "failed",
            "errors",
            "errors_url",
            "message",
            "undo_summary",
            "created_at",
            "started_at",
            "finished_at",
            "undone_at",
        ]
        read_only_fields = fields

    def get_errors_url(self, job) -> str | None:
        if not job.report:
            return None
        return _absolute(self, f"/api/v1/imports/{job.pk}/errors/")


class StartSerializer(serializers.Serializer):
    mapping = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=60), max_length=500
    )
    on_duplicate = serializers.ChoiceField(choices=DuplicatePolicy.choices, default="skip")
    match_on = serializers.ListField(
        child=serializers.ChoiceField(choices=engine.MATCH_KEYS), required=False
    )
    dry_run = serializers.BooleanField(default=False)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=fields.KINDS)
    start = serializers.BooleanField(default=False)
    mapping = serializers.CharField(
        required=False, max_length=60_000, help_text=_("A JSON list: the field of each column.")
    )
    on_duplicate = serializers.ChoiceField(choices=DuplicatePolicy.choices, default="skip")
    match_on = serializers.CharField(required=False, help_text=_("e.g. email,phone"))
    dry_run = serializers.BooleanField(default=False)


class ImportViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports the caller started (and, for managers, every import of their areas)."""

    serializer_class = ImportJobSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = r"[0-9]{1,18}"
    orderings = {"-created_at": ["-created_at", "-id"]}
    default_ordering = "-created_at"
    parser_classes = [LimitedJSONParser, MultiPartParser]

    def initial(self, request, *args, **kwargs):
        # Files are bigger than the API's JSON limit: uploads have the import's own limit.
        if self.action == "create":
            return viewsets.GenericViewSet.initial(self, request, *args, **kwargs)
        return super().initial(request, *args, **kwargs)

    def get_queryset(self):
        return visible_imports(self.request.user)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: ImportJobSerializer}
    )
    def create(self, request):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            job = services.start_import(
                data["file"], data["file"].name, kind=data["kind"], actor=request.user
            )
            if data["start"]:
                mapping = _json_list(data["mapping"]) if "mapping" in data else job.mapping
                match_on = data.get("match_on")
                job = services.configure_import(
                    job,
                    actor=request.user,
                    mapping=mapping,
                    on_duplicate=data["on_duplicate"],
                    match_on=match_on.split(",") if match_on else None,
                    dry_run=data["dry_run"],
                )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StartSerializer, responses={200: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        job = self.get_object()
        if job.created_by_id != request.user.pk:
            raise PermissionDenied
        options = StartSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            job = services.configure_import(job, actor=request.user, **options.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(self.get_serializer(job).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "ImportUndone",
                {
                    "removed": serializers.IntegerField(),
                    "restored": serializers.IntegerField(),
                    "kept": serializers.IntegerField(),
                },
            )
        },
    )
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        job = self.get_object()
        area = permissions.area_of(services.model_for(job.kind))
        if not permissions.can_write(request.user, area):
            raise PermissionDenied
        try:
            return Response(services.undo_import(job, actor=request.user))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(description=_("The rows not imported."))}
    )
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        job = self.get_object()
        if not job.report:
            raise Http404
        return FileResponse(
            job.report.open("rb"),
            as_attachment=True,
            filename=f"import-{job.pk}-errors.csv",
            content_type="text/csv",
        )


def _json_list(raw):
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise DjangoValidationError({"mapping": [_("Send a JSON list.")]}) from error
    if not isinstance(value, list):
        raise DjangoValidationError({"mapping": [_("Send a JSON list.")]})
    return value
