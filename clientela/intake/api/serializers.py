from rest_framework import serializers

from clientela.core.api.serializers import StrictModelSerializer
from clientela.core.models import Team, User

from ..models import AssignmentRule

MAX_VALUES = 200


class AssignmentRuleSerializer(StrictModelSerializer):
    sources = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=MAX_VALUES
    )
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, max_length=MAX_VALUES
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=MAX_VALUES
    )
    postcode_prefixes = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=MAX_VALUES
    )
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = AssignmentRule
        fields = [
            "id",
            "name",
            "position",
            "active",
            "record_type",
            "sources",
            "countries",
            "regions",
            "postcode_prefixes",
            "field",
            "field_value",
            "strategy",
            "user",
            "team",
        ]
