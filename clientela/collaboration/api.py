"""``/api/v1/`` for collaboration: comments on records, one's notifications, follows, the feed,
surveys and their answers. Thin views over the services, with the pages' permissions: a record
the caller may not see is 404 (also when a comment, a follow or a mention points at it)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.api.base import ApiViewMixin
from clientela.core.models import Team

from . import jobs
from .choices import FeedVerb, Sentiment, Visibility
from .models import Comment, FeedEntry, Follow, Notification, Survey, SurveyAnswer
from .services import comments, feed, feedback, follows, notifications
from .views import COMMENTABLE

RECORD = OpenApiParameter(
    "record",
    str,
    required=True,
    description="The record, as <kind>:<id>: contact:12, company:3, deal:7, case:40, "
    "purchase:9, campaign:2.",
)
KINDS = {label.split(".")[1]: label for label in COMMENTABLE}


def record_from(value, user):
    """The record ``<kind>:<id>`` names if ``user`` may see it; 404 otherwise, 400 when the
    value cannot name one."""
    kind, _sep, pk = str(value or "").partition(":")
    if kind not in KINDS or not pk.isdigit() or len(pk) > 18:
        kinds = ", ".join(sorted(KINDS))
        raise ValidationError(
            {"record": [_("Name a record as kind:id, one of: %(kinds)s.") % {"kinds": kinds}]}
        )
    app_label, model = KINDS[kind].split(".")
    model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    record = model_class.objects.filter(pk=int(pk)).first()
    if record is None or not permissions.can_view_record(user, record):
        raise Http404
    return record


def record_name(content_type_id, object_id):
    model = ContentType.objects.get_for_id(content_type_id).model
    return f"{model}:{object_id}"


# --- comments -------------------------------------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    body = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id", "record", "author", "body", "body_html", "visibility",
            "created_at", "edited_at", "deleted_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_record(self, comment) -> str:
        return record_name(comment.content_type_id, comment.object_id)

    def get_body(self, comment) -> str:
        return "" if comment.deleted_at else comment.body

    def to_representation(self, comment):
        data = super().to_representation(comment)
        if comment.deleted_at:
            data["body_html"] = ""
        return data


class CommentWriteSerializer(serializers.Serializer):
    record = serializers.CharField(max_length=40, required=False)
    body = serializers.CharField(max_length=20_000, allow_blank=True, trim_whitespace=False)
    visibility = serializers.ChoiceField(Visibility.choices, default=Visibility.INTERNAL)


@extend_schema_view(
    list=extend_schema(summary="A record's comments, oldest first", parameters=[RECORD]),
    create=extend_schema(
        request=CommentWriteSerializer, summary="Comment on a record (mentions notify)"
    ),
    partial_update=extend_schema(
        request=CommentWriteSerializer, summary="Change one's own comment (kept as a revision)"
    ),
    destroy=extend_schema(summary="Delete one's own comment (it keeps its place)"),
)
class CommentViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Comments on a record the caller may see; ``@name`` and ``@team`` mention people, who
    are told only if they may see the record."""

    serializer_class = CommentSerializer
    filter_backends = []
    orderings = {"created": ["id"]}
    default_ordering = "created"
    http_method_names = ["get", "post", "patch", "delete"]

    def get_queryset(self):
        if self.action == "list":
            record = record_from(self.request.query_params.get("record"), self.request.user)
            return comments.comments_on(record).select_related("author")
        return Comment.objects.all()

    def get_object(self):
        comment = super().get_object()
        if not permissions.can_view_record(self.request.user, comment.record):
            raise Http404
        return comment

    def create(self, request, *args, **kwargs):
        given = _valid(CommentWriteSerializer, request.data)
        record = record_from(given.get("record"), request.user)
        comment = _service(
            comments.add_comment,
            record,
            actor=request.user,
            body=given["body"],
            visibility=given["visibility"],
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        given = _valid(CommentWriteSerializer, request.data)
        comment = _service(comments.edit_comment, comment, actor=request.user, body=given["body"])
        return Response(CommentSerializer(comment).data)

    def destroy(self, request, *args, **kwargs):
        _service(comments.delete_comment, self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _service(function, *args, **kwargs):
    """A service's refusals as API answers: 403, or 400 with per-field messages."""
    try:
        return function(*args, **kwargs)
    except DjangoValidationError as error:
        raise ValidationError(getattr(error, "message_dict", {"detail": error.messages})) from None
    except PermissionDenied:
        raise
    except feedback.SurveyRefused as refused:
        raise ValidationError({"detail": [str(refused)]}) from None


# --- notifications --------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "actor", "record", "title", "text", "url", "created_at", "read_at"]
        read_only_fields = fields

    def get_record(self, notification) -> str | None:
        if notification.content_type_id is None:
            return None
        return record_name(notification.content_type_id, notification.object_id)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=500,
        help_text="The notifications to mark read; all of them when left out.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="One's notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, description="Only the unread ones.")],
    ),
    retrieve=extend_schema(summary="One of one's notifications"),
)
class NotificationViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications (nobody reads another's)."""

    serializer_class = NotificationSerializer
    filter_backends = []
    orderings = {"-created": ["-id"]}
    default_ordering = "-created"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's look at the view
            return Notification.objects.none()
        rows = Notification.objects.filter(recipient=self.request.user)
        if self.request.query_params.get("unread", "").lower() in ("1", "true", "yes"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(
        request=MarkReadSerializer,
        responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}},
        summary="Mark notifications read",
    )
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request):
        given = _valid(MarkReadSerializer, request.data)
        marked = notifications.mark_read(request.user, given.get("ids"))
        return Response({"marked": marked})

    @extend_schema(
        responses={200: {"type": "object", "properties": {"unread": {"type": "integer"}}}},
        summary="How many are unread (the bell)",
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": notifications.unread_count(request.user)})


# --- follows --------------------------------------------------------------------------------------


class FollowSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()

    class Meta:
        model = Follow
        fields = ["id", "record", "reason", "created_at"]
        read_only_fields = fields

    def get_record(self, follow) -> str:
        return record_name(follow.content_type_id, follow.object_id)


class FollowWriteSerializer(serializers.Serializer):
    record = serializers.CharField(max_length=40)


@extend_schema_view(
    list=extend_schema(summary="The records one follows (besides those one owns)"),
    create=extend_schema(request=FollowWriteSerializer, summary="Follow a record"),
    destroy=extend_schema(summary="Stop following"),
)
class FollowViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FollowSerializer
    filter_backends = []
    orderings = {"-created": ["-id"]}
    default_ordering = "-created"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Follow.objects.none()
        return Follow.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        record = record_from(_valid(FollowWriteSerializer, request.data)["record"], request.user)
        follows.follow(record, user=request.user)
        made = Follow.objects.get(
            user=request.user,
            content_type=ContentType.objects.get_for_model(type(record)),
            object_id=record.pk,
        )
        return Response(FollowSerializer(made).data, status=status.HTTP_201_CREATED)


# --- the feed -------------------------------------------------------------------------------------


class FeedEntrySerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()
    changed = serializers.SerializerMethodField()

    class Meta:
        model = FeedEntry
        fields = ["id", "record", "verb", "title", "detail", "changed", "actor", "created_at"]
        read_only_fields = fields

    def get_record(self, entry) -> str:
        return record_name(entry.content_type_id, entry.object_id)

    def get_changed(self, entry) -> list[str]:
        return entry.changed_fields


class FeedPageSerializer(serializers.Serializer):
    results = FeedEntrySerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True)


class FeedView(ApiViewMixin, viewsets.ViewSet):
    """What happened to the caller's records (or, with ``team``, to a team's)."""

    @extend_schema(
        summary="The feed, newest first (``before`` pages on)",
        parameters=[
            OpenApiParameter("team", int, description="A team's feed (one's own teams)."),
            OpenApiParameter("kind", str, many=True, description="contacts.contact, sales.deal…"),
            OpenApiParameter("verb", str, many=True, enum=FeedVerb.values),
            OpenApiParameter("before", int),
        ],
        responses=FeedPageSerializer,
    )
    def list(self, request):
        params = request.query_params
        filters = feed.Filters(
            kinds=tuple(k for k in params.getlist("kind") if k in feed.FEED_RECORDS),
            verbs=tuple(v for v in params.getlist("verb") if v in FeedVerb.values),
            before=_number(params.get("before", ""), "before"),
        )
        team_id = _number(params.get("team", ""), "team")
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise Http404
            page = feed.team_feed(request.user, team, filters)
        else:
            page = feed.my_feed(request.user, filters)
        return Response(
            {
                "results": FeedEntrySerializer(page.entries, many=True).data,
                "next_before": page.next_before,
            }
        )


def _number(value, name):
    if value == "":
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({name: [_("Use a whole number.")]})
    return int(value)


# --- surveys --------------------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = [
            "id", "name", "kind", "question", "questions", "trigger", "is_active",
            "detractor_team", "alert_owner", "promoter_team", "promoter_stage", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]

    def validate_questions(self, value):
        if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
            raise ValidationError(_("A list of questions, each a text."))
        try:
            return feedback.clean_questions("\n".join(value))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict["questions"]) from None


class InviteSerializer(serializers.Serializer):
    contact = serializers.IntegerField(min_value=1, max_value=2**62)
    send = serializers.BooleanField(default=True, help_text="E-mail the invitation now.")


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    link = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="Surveys"),
    create=extend_schema(summary="Make a survey"),
    retrieve=extend_schema(summary="A survey"),
    partial_update=extend_schema(summary="Change a survey"),
)
class SurveyViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Surveys (NPS, CSAT, questions), made and sent by those who write marketing."""

    permission_area = "marketing"
    serializer_class = SurveySerializer
    filter_backends = []
    orderings = {"id": ["id"]}
    default_ordering = "id"
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self):
        return Survey.objects.all()

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)

    @extend_schema(
        request=InviteSerializer,
        responses={201: InvitationSerializer},
        summary="Invite a contact (returns the one-answer link)",
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        survey = self.get_object()
        given = _valid(InviteSerializer, request.data)
        contact = (
            permissions.visible(request.user, Contact.objects).filter(pk=given["contact"]).first()
        )
        if contact is None or not survey.is_active:
            raise Http404
        invitation = feedback.invite(survey, contact)
        if given["send"]:
            jobs.email_survey_invitations.enqueue([invitation.pk])
        link = request.build_absolute_uri(feedback.path(invitation))
        return Response({"id": invitation.pk, "link": link}, status=status.HTTP_201_CREATED)


class SurveyAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyAnswer
        fields = [
            "id", "survey", "contact", "score", "sentiment", "comment", "answers",
            "created_at", "case", "team",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Answers of the customers one may see, newest first",
        parameters=[
            OpenApiParameter("survey", int),
            OpenApiParameter("team", int),
            OpenApiParameter("sentiment", str, enum=["detractor", "passive", "promoter"]),
        ],
    ),
    retrieve=extend_schema(summary="An answer"),
)
class SurveyAnswerViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_area = "contacts"
    serializer_class = SurveyAnswerSerializer
    filter_backends = []
    orderings = {"-created": ["-id"]}
    default_ordering = "-created"

    def get_queryset(self):
        condition = permissions.scope_q(self.request.user, "contact__owner_id", "contact__team_id")
        rows = SurveyAnswer.objects.all()
        rows = rows if condition is None else rows.filter(condition)
        params = self.request.query_params
        for name in ("survey", "team"):
            value = _number(params.get(name, ""), name)
            if value is not None:
                rows = rows.filter(**{f"{name}_id": value})
        sentiment = params.get("sentiment", "")
        if sentiment:
            if sentiment not in Sentiment.values:
                raise ValidationError({"sentiment": [_("Choose detractor, passive or promoter.")]})
            rows = rows.filter(sentiment=sentiment)
        return rows
