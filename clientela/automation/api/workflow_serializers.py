"""Serializers of ``/api/v1/automations/`` (workflow rules and their runs). The serializers
check shapes and sizes; ``services.workflows`` checks what a rule says (trigger options,
conditions, actions) and answers with per-place errors."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clientela.core.api.serializers import StrictModelSerializer, StrictSerializer

from ..choices import TriggerKind, WorkflowEntity
from ..models import WorkflowRule, WorkflowRun

RULE_OUTPUT = [
    "id",
    "name",
    "active",
    "entity",
    "trigger",
    "trigger_options",
    "conditions",
    "actions",
    "created_by",
    "created_at",
    "updated_at",
    "version",
    "run_count",
    "failure_count",
    "last_run_at",
    "last_status",
]


class WorkflowRuleSerializer(StrictModelSerializer):
    """A workflow rule: when ``trigger`` (with ``trigger_options``) happens to a record of type
    ``entity`` and the record meets ``conditions`` (a rule tree, as segments use), run
    ``actions`` in order. See the user guide for every trigger's options and action's keys."""

    entity = serializers.ChoiceField(choices=WorkflowEntity.choices)
    trigger = serializers.ChoiceField(choices=TriggerKind.choices)
    trigger_options = serializers.DictField(required=False, help_text=_("Options of the trigger."))
    conditions = serializers.DictField(required=False, help_text=_("A rule tree."))
    actions = serializers.ListField(child=serializers.DictField(), max_length=50)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WorkflowRule
        fields = RULE_OUTPUT
        read_only_fields = [
            "created_at",
            "updated_at",
            "version",
            "run_count",
            "failure_count",
            "last_run_at",
            "last_status",
        ]


class WorkflowRunSerializer(serializers.ModelSerializer):
    """One run: the record, what caused it (``event``, ``event_key``), its outcome, the
    ``chain`` of rules that led to it and each action's result."""

    class Meta:
        model = WorkflowRun
        fields = [
            "id",
            "rule",
            "entity",
            "record_id",
            "event",
            "event_key",
            "status",
            "chain",
            "results",
            "error",
            "duration_ms",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class DryRunRequestSerializer(StrictSerializer):
    """Leave empty to try the saved rule; give the rule's fields to try it as edited."""

    entity = serializers.ChoiceField(choices=WorkflowEntity.choices, required=False)
    trigger = serializers.ChoiceField(choices=TriggerKind.choices, required=False)
    trigger_options = serializers.DictField(required=False)
    conditions = serializers.DictField(required=False)
    after = serializers.IntegerField(required=False, min_value=0, help_text=_("Record id."))


class DryRunRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()


class DryRunSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many records the rule selects now."))
    records = DryRunRecordSerializer(many=True)
    next_after = serializers.IntegerField(allow_null=True)
