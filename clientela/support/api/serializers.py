"""Cases and their messages as the API shows and accepts them.

Serializers check shapes, types, lengths and what the caller may link to (a contact, company or
deal out of their scope is "does not exist", never a leak); ``support.services`` normalises and
enforces the rest (subject, statuses and the SLA clock) and answers with per-field messages.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clientela.activities.api.serializers import VisibleRecordField
from clientela.contacts.api.serializers import RecordSerializer
from clientela.contacts.models import Company, Contact
from clientela.core import permissions
from clientela.core.api.serializers import PrefetchedListSerializer, StrictSerializer
from clientela.core.models import User
from clientela.core.prefetch import related
from clientela.sales.models import Deal

from ..choices import CaseStatus, MessageKind
from ..models import Case, CaseAttachment, CaseCategory, CaseMessage
from ..models.cases import MAX_BODY
from ..services.cases import CASE_FIELDS

MAX_DEALS = 50
SLA_READ_ONLY = [
    "sla_state",
    "sla_policy",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "next_due",
]
# What the API may post to a thread; customer and automatic messages come from mail and forms.
POSTED_KINDS = [(kind.value, kind.label) for kind in (MessageKind.REPLY, MessageKind.NOTE)]


class CategoryField(serializers.PrimaryKeyRelatedField):
    """An active category; the case's current one is accepted even when it was deactivated,
    so a client may send back what it read."""

    def get_queryset(self):
        current = getattr(getattr(self.parent, "instance", None), "category_id", None)
        condition = Q(active=True) if current is None else Q(active=True) | Q(pk=current)
        return CaseCategory.objects.filter(condition)


class VisibleDealField(serializers.PrimaryKeyRelatedField):
    """A deal the caller can see, or one the case is linked to already."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Deal.objects.none()
        visible = permissions.visible(request.user, Deal.objects.all())
        case = getattr(self.parent.parent, "instance", None)
        if case is None:
            return visible
        return Deal.objects.filter(Q(pk__in=visible.values("pk")) | Q(cases=case))


@extend_schema_field({"type": "array", "items": {"type": "integer"}, "maxItems": MAX_DEALS})
class DealsField(serializers.ManyRelatedField):
    """Ids of the related deals: read from the prefetched list, at most ``MAX_DEALS`` written
    (the length is checked before any id is looked up)."""

    def __init__(self, **kwargs):
        super().__init__(child_relation=VisibleDealField(), **kwargs)

    def get_attribute(self, instance):
        return related(instance, self.source)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > MAX_DEALS:
            raise serializers.ValidationError(
                _("At most %(n)d deals.") % {"n": MAX_DEALS}, code="max_length"
            )
        return super().to_internal_value(data)


class CaseSerializer(RecordSerializer):
    """A case: what the customer asked, who works on it (``owner``, ``team``) and its SLA
    clock (read-only: the services keep it)."""

    reference = serializers.CharField(read_only=True, help_text=_('The case number as "#123".'))
    description = serializers.CharField(
        max_length=MAX_BODY,
        allow_blank=True,
        required=False,
        help_text=_(
            "What the customer asked. On create it also starts the thread: as the customer's "
            "message, or as an internal note when from_customer is false."
        ),
    )
    contact = VisibleRecordField(Contact, allow_null=True, required=False)
    company = VisibleRecordField(
        Company,
        allow_null=True,
        required=False,
        help_text=_("Defaults to the contact's company."),
    )
    category = CategoryField(
        allow_null=True,
        required=False,
        help_text=_("New cases of a category go to its team when no team is given."),
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        allow_null=True,
        required=False,
        help_text=_(
            "The assignee (user id); defaults to the caller on create, null leaves the "
            "case unassigned."
        ),
    )
    deals = DealsField(required=False, help_text=_("Ids of related deals."))
    from_customer = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text=_(
            "On create only: whether the description is the customer's own words (default) or "
            "typed by an agent."
        ),
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            *CASE_FIELDS,
            "tags",
            "deals",
            "custom_fields",
            "from_customer",
            *SLA_READ_ONLY,
            "last_message_at",
            "status_changed_at",
            "merged_into",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = [
            *SLA_READ_ONLY,
            "last_message_at",
            "status_changed_at",
            "merged_into",
            *RecordSerializer.RECORD_READ_ONLY,
        ]

    def validate(self, data):
        if self.instance is not None and "from_customer" in data:
            raise serializers.ValidationError(
                {"from_customer": [_("Only when the case is opened.")]}
            )
        return data


class CaseAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseAttachment
        list_serializer_class = PrefetchedListSerializer
        fields = ["id", "name", "content_type", "size"]
        read_only_fields = fields


class CaseMessageSerializer(serializers.ModelSerializer):
    """One entry of a case's thread. Internal notes are included: API users are staff."""

    author_name = serializers.SerializerMethodField()
    attachments = CaseAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseMessage
        fields = [
            "id",
            "kind",
            "author",
            "author_name",
            "contact",
            "from_address",
            "to_addresses",
            "subject",
            "body",
            "created_at",
            "sent_at",
            "send_error",
            "attachments",
        ]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return str(message.author) if message.author_id else ""


class CaseMessagePostSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=POSTED_KINDS,
        help_text=_("reply: sent to the customer by e-mail; note: internal, never sent."),
    )
    body = serializers.CharField(
        trim_whitespace=False,
        help_text=_("Plain text. Longer than 100,000 characters, the rest is cut with a note."),
    )
    status = serializers.ChoiceField(
        choices=CaseStatus.choices,
        required=False,
        allow_null=True,
        help_text=_(
            "Replies only: the case's status afterwards; pending_customer when left out, null "
            "keeps the status."
        ),
    )

    def validate(self, data):
        if data["kind"] == MessageKind.NOTE and "status" in data:
            raise serializers.ValidationError(
                {"status": [_("A note does not change the status; change the case instead.")]}
            )
        return data
