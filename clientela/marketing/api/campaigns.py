"""``/api/v1/campaigns/``: thin views over ``marketing.services``."""

from dataclasses import asdict

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.activities.api.serializers import VisibleRecordField
from clientela.contacts.api.serializers import RecordSerializer
from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core import services as core_services
from clientela.core.api.base import RecordViewSet
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.exports import iter_record_csv
from clientela.core.prefetch import prefetched

from ..filtersets import CampaignFilterSet
from ..models import Campaign, CampaignRecipient, EmailTemplate, Segment
from ..services import campaigns as services
from ..services import results
from ..services.campaigns import FORM_FIELDS

STATE_READ_ONLY = ["status", "scheduled_at", "started_at", "finished_at"]
MAX_LEADS = 1000


class CampaignSerializer(RecordSerializer):
    """A campaign: e-mail (sent to a segment with a template) or social, event, advertising
    (run and completed, with costs and the leads they brought). The state changes through
    the actions (``start``, ``schedule``, ``pause``...), not by writing ``status``."""

    segment = VisibleRecordField(
        Segment, allow_null=True, required=False, help_text=_("Who gets it (a segment id).")
    )
    template = VisibleRecordField(
        EmailTemplate, allow_null=True, required=False, help_text=_("The e-mail sent (id).")
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            *FORM_FIELDS,
            "tags",
            "custom_fields",
            *STATE_READ_ONLY,
            *RecordSerializer.RECORD_READ_ONLY,
        ]
        read_only_fields = [*STATE_READ_ONLY, *RecordSerializer.RECORD_READ_ONLY]


class ScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When to send; null takes it back to a draft.")
    )


class LeadsSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_LEADS,
        allow_empty=False,
        help_text=_("Ids of contacts the campaign brought (at most 1,000 at a time)."),
    )

    def validate_contacts(self, ids):
        from clientela.core import permissions

        visible = permissions.visible(self.context["request"].user, Contact.objects.all())
        found = list(visible.filter(pk__in=set(ids)))
        missing = sorted(set(ids) - {c.pk for c in found})
        if missing:
            raise serializers.ValidationError(
                _("No contact with these ids that you can see: %(ids)s.")
                % {"ids": ", ".join(map(str, missing[:20]))}
            )
        return found


class FiguresSerializer(serializers.Serializer):
    recipients = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    delivered = serializers.IntegerField()
    bounced = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    open_rate = serializers.FloatField(allow_null=True, help_text=_("Percent of delivered."))
    click_rate = serializers.FloatField(allow_null=True, help_text=_("Percent of delivered."))
    leads = serializers.IntegerField()
    deals = serializers.IntegerField()
    won = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost_per_lead = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    roi = serializers.FloatField(allow_null=True, help_text=_("(revenue - cost) / cost, in %."))


class RegionFiguresSerializer(FiguresSerializer):
    region = serializers.CharField()


class ResultsSerializer(serializers.Serializer):
    total = FiguresSerializer()
    by_region = RegionFiguresSerializer(many=True)


class RecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignRecipient
        fields = [
            "id",
            "contact",
            "email",
            "language",
            "status",
            "sent_at",
            "error",
            "opened_at",
            "clicked_at",
            "bounced_at",
            "complained_at",
            "unsubscribed_at",
        ]
        read_only_fields = fields


STATE_ACTIONS = {
    "start": services.start_campaign,
    "pause": services.pause_campaign,
    "resume": services.resume_campaign,
    "cancel": services.cancel_campaign,
    "complete": services.complete_campaign,
}


EXPORT_COLUMNS = ["id", "name", "kind", "status", "started_at", "finished_at", "budget", "cost"]


class RecipientPagination(KeysetCursorPagination):
    orderings = {"id": ["id"]}
    default_ordering = "id"


def _figures(figures):
    data = asdict(figures)
    for name in ("delivered", "open_rate", "click_rate", "cost_per_lead", "roi"):
        data[name] = getattr(figures, name)
    return data


@extend_schema_view(
    list=extend_schema(summary="List campaigns (newest first)"),
    create=extend_schema(summary="Create a campaign (a draft)"),
    destroy=extend_schema(summary="Move a campaign to the trash (not while it is being sent)"),
    restore=extend_schema(summary="Restore a campaign from the trash"),
    history=extend_schema(summary="A campaign's changes, newest first"),
    export=extend_schema(summary="Export the filtered campaigns as CSV"),
)
class CampaignViewSet(RecordViewSet):
    """Marketing campaigns. Once started, only what does not reach the audience can change
    (name, description, pace, budget, cost, owner, team, tags, custom fields)."""

    model = Campaign
    permission_area = "marketing"
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    orderings = {"-created": ["-id"], "created": ["id"]}
    default_ordering = "-created"
    export_filename = "campaigns.csv"

    def optimize(self, queryset):
        return queryset.prefetch_related(prefetched("tags"))

    def create_record(self, data):
        data = dict(data)
        data.setdefault("owner", self.request.user)
        return services.create_campaign(actor=self.request.user, **data)

    def update_record(self, record, data, expected_version):
        # A client sends back what it read: unchanged values of a started campaign's fixed
        # fields are not attempts to change them.
        data = {
            name: value
            for name, value in data.items()
            if name in ("tags", "custom_fields")
            or getattr(record, f"{name}_id", getattr(record, name, None))
            != getattr(value, "pk", value)
        }
        return services.update_campaign(
            record, actor=self.request.user, expected_version=expected_version, **data
        )

    def delete_records(self, records):
        return services.delete_campaigns(records, actor=self.request.user)

    def restore_records(self, records):
        return core_services.restore_records(records, actor=self.request.user)

    def export_chunks(self, queryset):
        return iter_record_csv(queryset.prefetch_related(None), EXPORT_COLUMNS, getattr)

    def _change_state(self, request, change):
        campaign = self.get_object()
        permissions.require_change(request.user, campaign)
        change(campaign, actor=request.user)
        return self.respond_with(campaign)

    @extend_schema(request=None, summary="Start now (e-mail: fix the audience and send)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["start"])

    @extend_schema(request=None, summary="Pause sending")
    @action(detail=True, methods=["post"], filter_backends=[])
    def pause(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["pause"])

    @extend_schema(request=None, summary="Resume sending")
    @action(detail=True, methods=["post"], filter_backends=[])
    def resume(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["resume"])

    @extend_schema(request=None, summary="Cancel: what was not sent will not be")
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["cancel"])

    @extend_schema(request=None, summary="Mark a social, event or advertising campaign done")
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request, *args, **kwargs):
        return self._change_state(request, STATE_ACTIONS["complete"])

    @extend_schema(request=ScheduleSerializer, summary="Schedule the sending (or unschedule)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def schedule(self, request, *args, **kwargs):
        body = ScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        when = body.validated_data["scheduled_at"]
        return self._change_state(
            request, lambda c, *, actor: services.schedule_campaign(c, when, actor=actor)
        )

    @extend_schema(request=None, responses=ResultsSerializer, summary="The campaign's results")
    @action(detail=True, methods=["get"], filter_backends=[])
    def results(self, request, *args, **kwargs):
        found = results.campaign_results(self.get_object())
        data = {
            "total": _figures(found.total),
            "by_region": [
                {"region": region, **_figures(figures)}
                for region, figures in found.by_region.items()
            ],
        }
        return Response(ResultsSerializer(data).data)

    @extend_schema(request=None, responses=RecipientSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=RecipientPagination,
        serializer_class=RecipientSerializer,
    )
    def recipients(self, request, *args, **kwargs):
        """Who the campaign is sent to and what became of each message."""
        campaign = self.get_object()
        page = self.paginate_queryset(CampaignRecipient.objects.filter(campaign=campaign))
        return self.get_paginated_response(RecipientSerializer(page, many=True).data)

    @extend_schema(request=LeadsSerializer, responses={200: None}, summary="Add leads")
    @action(detail=True, methods=["post"], filter_backends=[])
    def leads(self, request, *args, **kwargs):
        """Count contacts among the leads the campaign brought (an event's attendees, an
        advert's form); returns how many were new."""
        campaign = self.get_object()
        permissions.require_change(request.user, campaign)
        body = LeadsSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        added = services.add_leads(campaign, body.validated_data["contacts"])
        return Response({"added": added})
