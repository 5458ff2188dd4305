"""Activities as the API shows and accepts them. Serializers check shapes, types and sizes;
``activities.services`` checks the rest (fields of the kind, dates, durations, meeting and task
rules) and answers with per-field messages."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clientela.contacts.api.serializers import RecordSerializer
from clientela.contacts.models import Company, Contact
from clientela.core import permissions
from clientela.core.models import User
from clientela.core.prefetch import related
from clientela.sales.models import Deal

from .. import richtext
from ..choices import ActivityKind, CallOutcome, Direction, Priority, Recurrence
from ..models import Activity
from ..services import ACTIVITY_FIELDS, MAX_ADDRESSES, MAX_ATTENDEES, MAX_DURATION_SECONDS


@extend_schema_field(OpenApiTypes.INT)
class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """A contact, company or deal the caller can see; the activity's current one is always
    accepted (a client may send back what it read)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        visible = permissions.visible(request.user, self.model.objects.all())
        current = getattr(getattr(self.parent, "instance", None), f"{self.field_name}_id", None)
        if current is None:
            return visible
        return self.model.all_objects.filter(Q(pk__in=visible.values("pk")) | Q(pk=current))


class LimitedManyField(serializers.ManyRelatedField):
    """Ids of a to-many link: read from ``core.prefetch`` lists, at most ``limit`` written (the
    length is checked before any id is looked up)."""

    def __init__(self, *args, limit, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def get_attribute(self, instance):
        return related(instance, self.source)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.limit:
            raise serializers.ValidationError(
                _("At most %(n)d attendees.") % {"n": self.limit}, code="max_length"
            )
        return super().to_internal_value(data)


class VisibleContactRelation(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Contact.objects.none()
        return permissions.visible(request.user, Contact.objects.all())


def _blank_choice(choices, help_text=None):
    return serializers.ChoiceField(
        choices=choices, allow_blank=True, required=False, help_text=help_text
    )


class ActivitySerializer(RecordSerializer):
    kind = serializers.ChoiceField(
        choices=ActivityKind.choices,
        help_text=_("call, meeting, email, note or task; it cannot change later."),
    )
    subject = serializers.CharField(max_length=300, allow_blank=True, required=False)
    body = serializers.CharField(
        max_length=richtext.MAX_LENGTH,
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text=_("Plain text or HTML; HTML is sanitised to a small set of safe tags."),
    )
    body_text = serializers.CharField(read_only=True, help_text=_("The description as text."))
    timeline_at = serializers.DateTimeField(
        required=False,
        help_text=_(
            "When it happened (calls, e-mails, notes; default now). Meetings use starts_at, "
            "tasks due_at (or their creation)."
        ),
    )
    contact = VisibleRecordField(Contact, allow_null=True, required=False)
    company = VisibleRecordField(
        Company,
        allow_null=True,
        required=False,
        help_text=_("Defaults to the contact's company (or the deal's)."),
    )
    deal = VisibleRecordField(Deal, allow_null=True, required=False)
    direction = _blank_choice(Direction.choices, _("Calls and e-mails; default out."))
    duration_seconds = serializers.IntegerField(
        min_value=0, max_value=MAX_DURATION_SECONDS, allow_null=True, required=False
    )
    outcome = _blank_choice(CallOutcome.choices)
    starts_at = serializers.DateTimeField(allow_null=True, required=False)
    ends_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text=_("Default: an hour after the start.")
    )
    place = serializers.CharField(max_length=300, allow_blank=True, required=False)
    attendees = LimitedManyField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=User.objects.all()),
        limit=MAX_ATTENDEES,
        required=False,
        help_text=_("User ids (meetings)."),
    )
    attendee_contacts = LimitedManyField(
        child_relation=VisibleContactRelation(),
        limit=MAX_ATTENDEES,
        required=False,
        help_text=_("Contact ids (meetings)."),
    )
    from_address = serializers.CharField(max_length=254, allow_blank=True, required=False)
    to_addresses = serializers.ListField(
        child=serializers.CharField(max_length=254), max_length=MAX_ADDRESSES, required=False
    )
    message_id = serializers.CharField(max_length=500, allow_blank=True, required=False)
    due_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text=_("Not before the task's creation.")
    )
    priority = _blank_choice(Priority.choices, _("Tasks; default normal."))
    remind_at = serializers.DateTimeField(allow_null=True, required=False)
    recurrence = _blank_choice(
        Recurrence.choices, _("Tasks; completing a repeating task creates the next one.")
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            *ACTIVITY_FIELDS,
            "body_text",
            "attendees",
            "attendee_contacts",
            "done_at",
            "reminded_at",
            "recurrence_of",
            "tags",
            "custom_fields",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = [
            "done_at",
            "reminded_at",
            "recurrence_of",
            *RecordSerializer.RECORD_READ_ONLY,
        ]
