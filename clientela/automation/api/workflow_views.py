"""``/api/v1/automations/``: workflow rules (CRUD), their dry run and their run log; thin
views over ``automation.services``. Automation writers only (administrators and managers);
``version`` is the ETag (``If-Match`` on writes)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clientela.core.api.base import ETAG, IF_MATCH, ApiViewMixin, expected_version
from clientela.core.api.pagination import KeysetCursorPagination

from .. import services
from ..choices import RunStatus
from ..models import WorkflowRule, WorkflowRun
from .views import ID_REGEX, AutomationWriters
from .workflow_serializers import (
    DryRunRequestSerializer,
    DryRunSerializer,
    WorkflowRuleSerializer,
    WorkflowRunSerializer,
)

STATUS = OpenApiParameter("status", str, enum=RunStatus.values, description="Only these.")


class RunPagination(KeysetCursorPagination):
    orderings = {"newest": ["-id"]}
    default_ordering = "newest"


def _answer(rule, code=status.HTTP_200_OK):
    rule = WorkflowRule.objects.get(pk=rule.pk)
    return Response(WorkflowRuleSerializer(rule).data, status=code, headers={"ETag": rule.etag})


@extend_schema_view(
    list=extend_schema(summary="List workflow rules by name"),
    retrieve=extend_schema(summary="Read a workflow rule", parameters=[ETAG]),
    create=extend_schema(summary="Create a workflow rule", parameters=[ETAG]),
    update=extend_schema(summary="Replace a workflow rule", parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(summary="Change a workflow rule", parameters=[IF_MATCH, ETAG]),
    destroy=extend_schema(summary="Delete a workflow rule and its runs", parameters=[IF_MATCH]),
)
class WorkflowRuleViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Workflow rules: a trigger, conditions and actions (see the automation user guide)."""

    serializer_class = WorkflowRuleSerializer
    queryset = WorkflowRule.objects.all()
    permission_classes = [AutomationWriters]
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = ID_REGEX
    orderings = {"name": ["name", "id"]}
    default_ordering = "name"
    uses_etags = True

    def retrieve(self, request, *args, **kwargs):
        rule = self.get_object()
        return Response(self.get_serializer(rule).data, headers={"ETag": rule.etag})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = services.create_rule(actor=request.user, **serializer.validated_data)
        return _answer(rule, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        rule = self.get_object()
        version = expected_version(request, rule)
        serializer = self.get_serializer(rule, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        rule = services.update_rule(
            rule, actor=request.user, expected_version=version, **serializer.validated_data
        )
        return _answer(rule)

    def destroy(self, request, *args, **kwargs):
        rule = self.get_object()
        services.delete_rule(
            rule, actor=request.user, expected_version=expected_version(request, rule)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Which records the rule (saved, or as given) would act on now",
        request=DryRunRequestSerializer,
        responses=DryRunSerializer,
    )
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request, *args, **kwargs):
        rule = self.get_object()
        given = DryRunRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        after = fields.pop("after", None)
        if fields:
            fields = {
                "name": rule.name,
                "entity": rule.entity,
                "trigger": rule.trigger,
                "trigger_options": rule.trigger_options,
                "conditions": rule.conditions,
                "actions": rule.actions,
                **fields,
            }
            result = services.dry_run_rule(None, actor=request.user, after=after, **fields)
        else:
            result = services.dry_run_rule(rule, actor=request.user, after=after)
        data = {
            "count": result.count,
            "records": [{"id": r.pk, "label": str(r)} for r in result.records],
            "next_after": result.next_after,
        }
        return Response(DryRunSerializer(data).data)

    @extend_schema(
        summary="The rule's runs, newest first (filter by status)",
        parameters=[STATUS],
        responses=WorkflowRunSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=RunPagination,
        serializer_class=WorkflowRunSerializer,
    )
    def runs(self, request, *args, **kwargs):
        rule = self.get_object()
        runs = WorkflowRun.objects.filter(rule=rule)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in RunStatus.values:
                raise ValidationError({"status": ["Unknown status."]})
            runs = runs.filter(status=wanted)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(WorkflowRunSerializer(page, many=True).data)
