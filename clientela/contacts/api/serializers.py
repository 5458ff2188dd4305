"""Contacts and companies as the API shows and accepts them.

Serializers check shapes, types and lengths (400 with per-field messages); the services normalise
and enforce the rest (e-mail and phone formats, tax ids, custom fields). ``validated_data`` is
passed to the services as keyword arguments, so field names match the services' parameters.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clientela.core import permissions
from clientela.core.api.serializers import (
    PrefetchedListSerializer,
    StrictModelSerializer,
    StrictSerializer,
    TagNamesField,
)
from clientela.core.models import Team, User

from ..choices import EmailKind, PhoneKind
from ..models import Company, Contact, Employment
from ..services import COMPANY_FIELDS, CONTACT_FIELDS
from ..social import PROFILE_FIELDS

MAX_ITEMS = 50


class EmailSerializer(StrictSerializer):
    email = serializers.CharField(max_length=254, trim_whitespace=True)
    kind = serializers.ChoiceField(choices=EmailKind.choices, default=EmailKind.WORK)
    is_primary = serializers.BooleanField(default=False)

    class Meta:
        list_serializer_class = PrefetchedListSerializer


class PhoneSerializer(StrictSerializer):
    number = serializers.CharField(
        max_length=40, help_text=_("Any common format in; E.164 (+34600123456) out.")
    )
    kind = serializers.ChoiceField(choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    is_primary = serializers.BooleanField(default=False)

    class Meta:
        list_serializer_class = PrefetchedListSerializer


class CompanyLinkSerializer(serializers.ModelSerializer):
    """Read from ``ContactViewSet.optimize``, which annotates ``company_name``."""

    company_name = serializers.CharField(read_only=True)

    class Meta:
        list_serializer_class = PrefetchedListSerializer
        model = Employment
        fields = ["company", "company_name", "role", "is_current", "started_on", "ended_on"]
        read_only_fields = fields


class VisibleCompanyField(serializers.PrimaryKeyRelatedField):
    """A company the caller can see (linking to an invisible one is "does not exist").

    The contact's current company is always accepted, even if it is in the trash or out of the
    caller's scope, so a client can send back what it read.
    """

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Company.objects.none()
        visible = permissions.visible(request.user, Company.objects.all())
        current = getattr(self.parent.instance, "company_id", None)
        if current is None:
            return visible
        return Company.all_objects.filter(Q(pk__in=visible.values("pk")) | Q(pk=current))


class RecordSerializer(StrictModelSerializer):
    """Fields every CRM record shares: owner, team, tags, custom fields, bookkeeping."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("User id; defaults to the caller on create."),
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    tags = TagNamesField(required=False, help_text=_("Tag names; unknown names are created."))
    custom_fields = serializers.DictField(
        required=False, help_text=_("Values of the custom fields, by key.")
    )

    RECORD_READ_ONLY = ["created_at", "updated_at", "version", "deleted_at"]

    def validate_owner(self, owner):
        current = getattr(self.instance, "owner_id", None)
        if owner is not None and not owner.is_active and owner.pk != current:
            raise serializers.ValidationError(_("This user is deactivated."))
        return owner

    def validate_tags(self, names):
        cleaned = [name.strip() for name in names]
        return list(dict.fromkeys(n for n in cleaned if n))


QUALITY_READ_ONLY = ["completeness"]
PROFILE_KWARGS = {
    name: {
        "help_text": _(
            "An address on the network or the handle (@name); stored as the canonical address."
        )
    }
    for name in PROFILE_FIELDS
    if name != "website"
}
WEBSITE_KWARGS = {"help_text": _("An http or https address (https:// is added when missing).")}


class CompanySerializer(RecordSerializer):
    phones = PhoneSerializer(many=True, required=False, max_length=MAX_ITEMS)
    completeness = serializers.IntegerField(
        read_only=True, help_text=_("How complete the record is, 0-100 (derived).")
    )

    class Meta:
        model = Company
        fields = [
            "id",
            *COMPANY_FIELDS,
            "phones",
            "tags",
            "custom_fields",
            *QUALITY_READ_ONLY,
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = RecordSerializer.RECORD_READ_ONLY
        extra_kwargs = {"tax_id": {"max_length": 30}, **PROFILE_KWARGS}


class ContactSerializer(RecordSerializer):
    full_name = serializers.CharField(read_only=True)
    company = VisibleCompanyField(allow_null=True, required=False)
    company_name = serializers.CharField(
        read_only=True, help_text=_("Name of the current company.")
    )
    emails = EmailSerializer(many=True, required=False, max_length=MAX_ITEMS)
    phones = PhoneSerializer(many=True, required=False, max_length=MAX_ITEMS)
    company_links = CompanyLinkSerializer(many=True, read_only=True, source="employments")
    completeness = serializers.IntegerField(
        read_only=True, help_text=_("How complete the record is, 0-100 (derived).")
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "full_name",
            *CONTACT_FIELDS,
            "company_name",
            "emails",
            "phones",
            "tags",
            "custom_fields",
            "company_links",
            *QUALITY_READ_ONLY,
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = RecordSerializer.RECORD_READ_ONLY
        extra_kwargs = {**PROFILE_KWARGS, "website": WEBSITE_KWARGS}
