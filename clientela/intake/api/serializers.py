from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from clientela.core.api.serializers import StrictModelSerializer
from clientela.core.models import Team, User

from ..models import AssignmentRule, FormSubmission, Mailbox, WebForm, Webhook

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


class FormFieldSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    required = serializers.BooleanField(required=False, default=False)


class WebFormSerializer(StrictModelSerializer):
    """A web form; ``fields`` in the order asked, ``consent_text`` keyed by language code, and
    ``slug`` the last part of its public address (made from the name when not given)."""

    fields = FormFieldSerializer(many=True, max_length=MAX_VALUES)
    consent_text = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False
    )
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = WebForm
        fields = [
            "id",
            "name",
            "slug",
            "active",
            "fields",
            "consent_text",
            "double_opt_in",
            "success_message",
            "redirect_url",
            "page_url",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"slug": {"required": False}}

    def get_page_url(self, form) -> str:
        return _absolute(self, reverse("intake:form_page", args=[form.slug]))

    def validate_consent_text(self, texts):
        unknown = set(texts) - {code for code, _name in settings.LANGUAGES}
        if unknown:
            raise serializers.ValidationError(
                _("Unknown languages: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
            )
        return {code: text for code, text in texts.items() if text}


class FormSubmissionSerializer(serializers.ModelSerializer):
    """A web form's submission as it arrived (``data``: field -> what was typed) and the
    contact it made or found; what ``form.submitted`` webhooks carry."""

    form_name = serializers.CharField(source="form.name", read_only=True)

    class Meta:
        model = FormSubmission
        fields = ["id", "form", "form_name", "contact", "data", "created_at"]
        read_only_fields = fields


class WebhookSerializer(StrictModelSerializer):
    """A webhook; ``address`` is where the sender posts, ``secret`` what it signs with, and
    ``kind`` (``call`` or ``lead``) is fixed once created."""

    address = serializers.SerializerMethodField()
    mapping = serializers.DictField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = Webhook
        fields = [
            "id",
            "name",
            "kind",
            "source",
            "active",
            "mapping",
            "address",
            "secret",
            "created_at",
        ]
        read_only_fields = ["secret", "created_at"]
        extra_kwargs = {"source": {"required": False, "allow_blank": True}}

    def get_address(self, webhook) -> str:
        return _absolute(self, reverse("intake:webhook", args=[webhook.token]))

    def validate_kind(self, kind):
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError(_("What a webhook receives cannot change."))
        return kind


def _absolute(serializer, path):
    """``path`` as a full address when the serializer answers a request."""
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


class MailboxSerializer(StrictModelSerializer):
    """An IMAP mailbox read into the timelines. ``password`` is write-only (stored encrypted,
    never returned); the sync status fields are read-only."""

    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=1000,
        trim_whitespace=False,
        style={"input_type": "password"},
    )
    folders = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    port = serializers.IntegerField(min_value=1, max_value=65535, required=False)

    class Meta:
        model = Mailbox
        fields = [
            "id",
            "name",
            "email_address",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folders",
            "verify_certificate",
            "ca_file",
            "create_contacts",
            "active",
            "owner",
            "team",
            "last_success_at",
            "last_error",
            "last_error_at",
            "captured_count",
            "failed_count",
            "created_at",
        ]
        read_only_fields = [
            "last_success_at",
            "last_error",
            "last_error_at",
            "captured_count",
            "failed_count",
            "created_at",
        ]
