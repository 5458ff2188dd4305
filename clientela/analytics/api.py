"""Reports over the API: the built-in reports a caller may read, and each report's figures and
tables as JSON (the same figures as the page, the caller's scope applied)."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clientela.core.api.base import ApiViewMixin

from .reports import built_in, readable
from .reports.filters import FilterForm
from .reports.period import BUCKETS, PRESETS

FILTER_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(PRESETS)),
    OpenApiParameter("start", OpenApiTypes.DATE, description="With period=custom"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="With period=custom (included)"),
    OpenApiParameter("bucket", OpenApiTypes.STR, enum=list(BUCKETS)),
    OpenApiParameter("owner", OpenApiTypes.INT),
    OpenApiParameter("team", OpenApiTypes.INT),
    OpenApiParameter("pipeline", OpenApiTypes.INT),
    OpenApiParameter("region", OpenApiTypes.STR),
    OpenApiParameter("channel", OpenApiTypes.STR),
]

REPORT_SCHEMA = inline_serializer(
    "Report",
    {
        "report": serializers.CharField(),
        "title": serializers.CharField(),
        "period": serializers.DictField(),
        "previous_period": serializers.DictField(),
        "kpis": serializers.ListField(child=serializers.DictField()),
        "tables": serializers.ListField(child=serializers.DictField()),
    },
)


class ReportListView(ApiViewMixin, APIView):
    """The built-in reports the caller may read."""

    @extend_schema(
        operation_id="reports_list",
        responses=inline_serializer(
            "ReportList",
            {"results": serializers.ListField(child=serializers.DictField())},
        ),
    )
    def get(self, request):
        results = [
            {"key": r.key, "title": str(r.title), "description": str(r.description)}
            for r in readable(request.user)
        ]
        return Response({"results": results})


class ReportView(ApiViewMixin, APIView):
    """One built-in report over a period, compared with the previous period: headline figures
    (``kpis``) and tables of labelled columns. Filters left out of a report are ignored."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=REPORT_SCHEMA)
    def get(self, request, key):
        definition = built_in(request.user, key)  # 404 unknown, 403 outside one's areas
        form = FilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return Response(definition.build(request.user, form.filters()).as_json())
