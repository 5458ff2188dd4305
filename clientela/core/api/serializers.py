"""Serializers shared by every app's API, and those of core's own resources."""

from collections.abc import Mapping
from functools import cache

from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clientela.core.customfields import record_types
from clientela.core.models import ApiToken, ChangeRecord, CustomField, Role, Tag, Team, User
from clientela.core.prefetch import related


class StrictSerializer(serializers.Serializer):
    """Refuses input keys it does not know (a typo must not be silently dropped).

    Read-only fields sent back unchanged (``id``, ``version``...) are accepted and ignored, so a
    client may PUT what it read.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


@cache
def reader_for(serializer_class):
    """One shared instance of ``serializer_class``, its fields built once, that turns records
    into their JSON form.

    DRF builds every field of a serializer again for each instance (0.8 ms for a contact, per
    page and per record). ``to_representation`` keeps no state, so one instance serves every
    thread. Its context is empty: what a record serializer outputs must not depend on the
    request (use the view for that).
    """
    reader = serializer_class(context={})
    reader.fields  # noqa: B018 (built now, before any thread shares the instance)
    return reader


class PrefetchedListSerializer(serializers.ListSerializer):
    """A nested ``many=True`` serializer reading the rows ``core.prefetch.prefetched`` loaded
    (name it in the child's ``Meta.list_serializer_class``)."""

    def get_attribute(self, instance):
        return related(instance, self.source)


class TagNamesField(serializers.ListField):
    """Tags as a list of names: read from the (prefetched) relation, written as names."""

    child = serializers.CharField(max_length=50, allow_blank=False)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return related(instance, self.source)

    def to_representation(self, tags):
        return sorted(tag.name for tag in tags)


class ChangeRecordSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRecord
        fields = ["id", "action", "changes", "actor", "actor_name", "source", "created_at"]
        read_only_fields = fields

    def get_actor_name(self, change) -> str:
        return str(change.actor) if change.actor_id else ""


# --- users and teams -----------------------------------------------------------------------------


class UserSerializer(StrictModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    role = serializers.SlugRelatedField(
        slug_field="code", queryset=Role.objects.all(), allow_null=True, required=False
    )
    teams = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Team.objects.all(), required=False
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        style={"input_type": "password"},
        help_text=_("Leave out to create a user who cannot sign in with a password yet."),
    )
    is_admin = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "role",
            "teams",
            "language",
            "is_active",
            "is_admin",
            "last_login",
            "date_joined",
            "password",
        ]
        read_only_fields = ["is_active", "last_login", "date_joined"]

    def validate_password(self, value):
        candidate = self.instance or User(
            username=self.initial_data.get("username", ""),
            email=self.initial_data.get("email", ""),
        )
        try:
            validate_password(value, candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class TeamSerializer(StrictModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "handle", "description", "members", "created_at"]
        read_only_fields = ["created_at"]


# --- custom fields, tags, tokens -----------------------------------------------------------------


def content_type_for(record_type):
    return ContentType.objects.get_for_model(record_types()[record_type])


class RecordTypeField(serializers.ChoiceField):
    """``contact`` / ``company`` outside; the ContentType inside."""

    def __init__(self, **kwargs):
        super().__init__(choices=sorted(record_types()), source="content_type", **kwargs)

    def to_representation(self, content_type):
        return content_type.model

    def to_internal_value(self, data):
        return content_type_for(super().to_internal_value(data))


class CustomFieldSerializer(StrictModelSerializer):
    record_type = RecordTypeField()
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200
    )
    default = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = CustomField
        fields = [
            "id",
            "record_type",
            "key",
            "label",
            "field_type",
            "required",
            "default",
            "choices",
            "min_value",
            "max_value",
            "max_length",
            "pattern",
            "help_text",
            "position",
        ]
        extra_kwargs = {"max_length": {"max_value": 10000}, "position": {"max_value": 100000}}

    def get_validators(self):
        # Uniqueness of (record type, key) is checked by the service with a clear message.
        return []


class TagSerializer(StrictModelSerializer):
    color = serializers.CharField(
        max_length=7,
        required=False,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #64748b."))],
    )

    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class ApiTokenSerializer(StrictModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("The full token. It is shown only in this answer.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class SearchResultSerializer(serializers.Serializer):
    entity = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    subtitle = serializers.CharField()


class SearchResultsSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
