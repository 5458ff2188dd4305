"""Base classes of the REST API.

``ApiViewMixin`` gives every endpoint the same edges: a body size limit (413), JSON only (415),
the error schema in OpenAPI. ``RecordViewSet`` is the CRUD of a ``CrmRecord`` model: scoped
querysets (``permissions.visible``; out of scope is 404), the model's filterset, keyset
pagination, ETag / ``If-Match``, trash and restore, history and a streamed export (CSV; XLSX or
vCard where the resource offers them). Writes are delegated to the subclass (``create_record``,
``update_record``, ``delete_records``, ``restore_records``), which calls the app's services.
"""

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from clientela.core import exports, permissions
from clientela.core.api.errors import PreconditionFailed, RequestTooLarge
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.api.schema import ClientelaAutoSchema
from clientela.core.api.serializers import ChangeRecordSerializer, reader_for
from clientela.core.filtersets import FALSE_VALUES, TRUE_VALUES
from clientela.core.history import history_for
from clientela.core.records import lock_current


class LimitedJSONParser(JSONParser):
    """JSON, read at most ``API_MAX_BODY_BYTES`` (also when no Content-Length was sent)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge()
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class ApiViewMixin:
    """What every API view shares; put it first in the bases."""

    parser_classes = [LimitedJSONParser]
    schema = ClientelaAutoSchema()

    def initial(self, request, *args, **kwargs):
        # Refuse an announced oversized body before anything else reads it.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            raise RequestTooLarge()
        super().initial(request, *args, **kwargs)


def query_flag(request, name):
    """A boolean query parameter; anything but a clear yes/no is a 400."""
    raw = request.query_params.get(name, "").strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ValidationError({name: [_("Use true or false.")]})


def expected_version(request, record):
    """The version named by ``If-Match`` (``None`` without the header or with ``*``).

    Missing ``If-Match`` is allowed: the write then wins over whatever is stored. An ETag of
    another record, or one that cannot be read, can never match: 412.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return None
        pk, _sep, version = tag.removeprefix("W/").strip('"').rpartition("-")
        if pk == str(record.pk) and version.isdigit() and len(version) < 10:
            return int(version)
    raise PreconditionFailed()


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "The ETag read with the record. When it no longer matches the stored version the write "
        "is refused with 412. Without the header the write always applies (last write wins)."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The record's version; send it back in If-Match.",
)
EXPORT_RESPONSES = {
    "csv": ("text/csv", OpenApiTypes.STR, "CSV of the filtered list (the default)."),
    "xlsx": (
        exports.XLSX_CONTENT_TYPE,
        OpenApiTypes.BINARY,
        "Excel workbook of the filtered list (`format=xlsx`).",
    ),
    "vcf": ("text/vcard", OpenApiTypes.STR, "vCard 4.0 of the filtered list (`format=vcf`)."),
}


def export_schema(formats, summary=None):
    """``extend_schema`` of an ``export`` action offering ``formats`` (CSV first)."""
    parameters = [TRASHED]
    if len(formats) > 1:
        parameters.append(
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=list(formats),
                description="File format; `csv` when omitted. Any other value is a 400.",
            )
        )
    responses = {}
    for code in formats:
        media_type, kind, description = EXPORT_RESPONSES[code]
        responses[(200, media_type)] = OpenApiResponse(kind, description=description)
    return extend_schema(summary=summary, filters=True, parameters=parameters, responses=responses)


TRASHED = OpenApiParameter(
    "trashed",
    OpenApiTypes.BOOL,
    description="List (or read) records in the trash instead; needs write access.",
)


class HistoryPagination(KeysetCursorPagination):
    orderings = {"newest": ["-id"]}
    default_ordering = "newest"


class RecordViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """CRUD over one ``CrmRecord`` model. Subclasses set ``model``, ``serializer_class``,
    ``filterset_class``, ``orderings``/``default_ordering`` and implement the write hooks."""

    model = None
    permission_area = "contacts"
    uses_etags = True
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetCursorPagination
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    export_filename = "export.csv"

    # --- write hooks (call services; never .save()) -------------------------------------------

    def create_record(self, data):
        raise NotImplementedError

    def update_record(self, record, data, expected_version):
        raise NotImplementedError

    def delete_records(self, records):
        raise NotImplementedError

    def restore_records(self, records):
        raise NotImplementedError

    def export_chunks(self, queryset):
        raise NotImplementedError

    def optimize(self, queryset):
        """``select_related``/``prefetch_related`` so a page costs a fixed number of queries."""
        return queryset

    # --- querysets -----------------------------------------------------------------------------

    def get_queryset(self):
        user = self.request.user
        if self.action == "restore":
            queryset = self.model.all_objects.trashed()
        elif self.request.method in SAFE_METHODS and query_flag(self.request, "trashed"):
            # Records in the trash are read (and restored), never edited.
            if not permissions.can_write(user, self.permission_area):
                raise PermissionDenied
            queryset = self.model.all_objects.trashed()
        else:
            queryset = self.model.objects.all()
        return self.optimize(permissions.visible(user, queryset))

    def reload(self, record):
        """The record as stored, with its related rows, for the response body."""
        return self.optimize(self.model.all_objects.filter(pk=record.pk)).get()

    def represent(self, record):
        return reader_for(self.get_serializer_class()).to_representation(record)

    def respond_with(self, record, status_code=status.HTTP_200_OK):
        record = self.reload(record)
        return Response(self.represent(record), status=status_code, headers={"ETag": record.etag})

    # --- CRUD ----------------------------------------------------------------------------------

    @extend_schema(parameters=[TRASHED])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([self.represent(record) for record in page])

    @extend_schema(parameters=[TRASHED, ETAG])
    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        return Response(self.represent(record), headers={"ETag": record.etag})

    @extend_schema(parameters=[ETAG])
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.create_record(serializer.validated_data)
        return self.respond_with(record, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH, ETAG])
    def update(self, request, *args, partial=False, **kwargs):
        record = self.get_object()
        version = expected_version(request, record)
        serializer = self.get_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        record = self.update_record(record, serializer.validated_data, version)
        return self.respond_with(record)

    @extend_schema(parameters=[IF_MATCH, ETAG])
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(parameters=[IF_MATCH], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Move the record to the trash (restorable with ``restore``)."""
        record = self.get_object()
        version = expected_version(request, record)
        with transaction.atomic():
            self.delete_records([lock_current(self.model.all_objects, record, version)])
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- trash, history, export ----------------------------------------------------------------

    @extend_schema(request=None, parameters=[ETAG])
    @action(detail=True, methods=["post"], filter_backends=[])
    def restore(self, request, *args, **kwargs):
        """Bring a record back from the trash (404 when it is not in the trash)."""
        record = self.get_object()
        self.restore_records([record])
        return self.respond_with(record)

    @extend_schema(parameters=[TRASHED], responses=ChangeRecordSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=HistoryPagination,
        serializer_class=ChangeRecordSerializer,
    )
    def history(self, request, *args, **kwargs):
        """The record's changes, newest first."""
        record = self.get_object()
        page = self.paginate_queryset(history_for(record))
        return self.get_paginated_response(ChangeRecordSerializer(page, many=True).data)

    @export_schema(("csv",))
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request, *args, **kwargs):
        """The filtered list as a file, streamed: what the caller may see, in id order.
        ``format`` chooses CSV (default), XLSX or vCard where the resource offers it."""
        code = request.query_params.get("format") or "csv"
        if code not in self.export_formats:
            raise ValidationError(
                {
                    "format": [
                        _("Choose one of: %(formats)s.")
                        % {"formats": ", ".join(self.export_formats)}
                    ]
                }
            )
        queryset = self.filter_queryset(self.get_queryset())
        basename = self.export_filename.rpartition(".")[0] or self.export_filename
        return exports.export_response(code, basename, self.export_content(queryset, code))

    export_formats = ("csv",)

    def export_content(self, queryset, code):
        """Text chunks or a binary file of ``queryset`` in ``code``; CSV by default."""
        return self.export_chunks(queryset)

    def perform_content_negotiation(self, request, force=False):
        # The export answers CSV whatever the Accept header says; errors stay JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "export")


class ReadCreateDeleteViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Base of small resources that are listed, created and removed (tokens)."""
