"""``duplicates`` and ``merge`` actions of the contact and company API viewsets."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from clientela.core import permissions
from clientela.core.api.base import ETAG

from .. import duplicates, jobs, services
from ..models import Contact

_RECORD = inline_serializer(
    "DuplicateRecord", {"id": serializers.IntegerField(), "name": serializers.CharField()}
)
DUPLICATE_PAGE = inline_serializer(
    "DuplicatePage",
    {
        "results": inline_serializer(
            "DuplicatePair",
            {
                "first": _RECORD,
                "second": _RECORD,
                "score": serializers.IntegerField(min_value=0, max_value=100),
                "reasons": serializers.ListField(child=serializers.CharField()),
            },
            many=True,
        ),
        "next": serializers.CharField(allow_null=True),
    },
)
AFTER = OpenApiParameter(
    "after", str, description="The ``next`` position of the previous page.", required=False
)

LIKELY_DUPLICATES = OpenApiParameter(
    "X-Likely-Duplicates",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    description="Ids (comma-separated) of existing contacts the new one probably duplicates; "
    "absent when there are none. The contact is created anyway.",
)


class MergeSerializer(serializers.Serializer):
    other = serializers.IntegerField(
        min_value=1, help_text="The id of the record merged into this one (it goes to the trash)."
    )
    values = serializers.DictField(
        child=serializers.ChoiceField(choices=["keep", "other"]),
        required=False,
        help_text='Field name -> "keep" or "other": whose value the kept record takes.',
    )


def _brief(record):
    return {"id": record.pk, "name": str(record)}


class DuplicatesActionsMixin:
    """Likely duplicates among the records the caller may change, and merging two of them."""

    def _merge_service(self):
        return services.merge_contacts if self.model is Contact else services.merge_companies

    @extend_schema(
        summary="Likely duplicate pairs, best first",
        parameters=[AFTER],
        responses={200: DUPLICATE_PAGE},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request, *args, **kwargs):
        """Pairs of records (among those the caller may change) that are probably the same,
        with a score (0-100) and the reasons, as the last scan stored them (new and changed
        records are checked as they are saved); dismissed and merged pairs are left out."""
        page, following = duplicates.stored_page(
            self.model, request.user, after=request.query_params.get("after")
        )
        next_url = None
        if following:
            next_url = request.build_absolute_uri(request.path) + f"?after={following}"
        results = [
            {
                "first": _brief(p.first),
                "second": _brief(p.second),
                "score": p.score,
                "reasons": p.reasons,
            }
            for p in page
        ]
        return Response({"results": results, "next": next_url})

    @extend_schema(
        summary="Start a full duplicate scan now",
        request=None,
        responses={202: inline_serializer("DuplicateScanStarted", {"id": serializers.CharField()})},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="duplicates/scan",
        filter_backends=[],
        pagination_class=None,
    )
    def duplicates_scan(self, request, *args, **kwargs):
        """Managers only (403 otherwise): the scan runs in the background, as the nightly one
        does; its pairs replace the stored ones when it finishes. Answers the task id."""
        if not permissions.can_manage(request.user, "contacts"):
            raise PermissionDenied()
        result = jobs.scan_duplicates.enqueue([str(duplicates.kind_of(self.model))])
        return Response({"id": str(result.id)}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Merge another record into this one", request=MergeSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def merge(self, request, *args, **kwargs):
        """Merge ``other`` into this record: this record takes the chosen ``values``; every
        e-mail, phone, tag, company link, deal, purchase and activity of the other moves here;
        the other goes to the trash. Both must be records the caller may change (else 404)."""
        keep = self.get_object()
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = (
            permissions.visible(request.user, self.model.objects.all(), write=True)
            .filter(pk=data.validated_data["other"])
            .first()
        )
        if other is None or other.pk == keep.pk:
            raise NotFound()
        merge = self._merge_service()
        record = merge(
            keep, other, actor=request.user, values=data.validated_data.get("values") or {}
        )
        return self.respond_with(record, status.HTTP_200_OK)


class LikelyDuplicateHeaderMixin:
    """Creating a contact answers, besides the contact, ``X-Likely-Duplicates``: the ids of
    existing contacts (that the caller may see) it probably duplicates. Nothing is refused."""

    @extend_schema(parameters=[ETAG, LIKELY_DUPLICATES])
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        body = response.data
        found = duplicates.similar_contacts(
            first_name=body.get("first_name") or "",
            last_name=body.get("last_name") or "",
            second_last_name=body.get("second_last_name") or "",
            emails=[row["email"] for row in body.get("emails") or ()],
            phones=[row["number"] for row in body.get("phones") or ()],
            queryset=permissions.visible(request.user, Contact.objects.exclude(pk=body["id"])),
        )
        if found:
            response["X-Likely-Duplicates"] = ",".join(str(c.pk) for c, _s, _r in found)
        return response
