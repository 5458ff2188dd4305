"""``/api/v1/articles/`` and ``/api/v1/article-categories/``: the knowledge base.

Articles are not records of anyone: the whole team shares them (no owner, team or trash), so
the role's access to customer service is all that counts -- readers list and read them (drafts
and internal articles included), writers change them; record scope does not apply. An article's
``version`` counts the saves of its title and text and is its ETag (``If-Match`` on writes:
412 when someone saved it meanwhile). Writes go through ``support.services.knowledge``.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api.base import (
    ETAG,
    IF_MATCH,
    ApiViewMixin,
    expected_version,
)
from clientela.core.api.pagination import KeysetCursorPagination
from clientela.core.api.permissions import RolePermission
from clientela.core.api.serializers import StrictModelSerializer, StrictSerializer
from clientela.core.records import lock_current

from .. import markdown
from ..filtersets import ArticleFilterSet
from ..models import Article, ArticleCategory, ArticleVersion
from ..models.knowledge import MAX_ARTICLE, MAX_TITLE
from ..services import knowledge as services

ID_REGEX = r"[0-9]{1,18}"
MAX_POSITION = 10_000
MAX_VERSION = 2**31 - 1


def etag(article):
    return f'"{article.pk}-{article.version}"'


class KnowledgePermission(RolePermission):
    """Read or write access to customer service; no record scope (articles are shared)."""

    def has_object_permission(self, request, view, obj):
        return True


# --- serializers ---------------------------------------------------------------------------------


class ArticleCategorySerializer(StrictModelSerializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("The end of its address in the help centre; made from the name when empty."),
    )

    class Meta:
        model = ArticleCategory
        fields = ["id", "name", "slug", "description", "position"]
        extra_kwargs = {"position": {"max_value": MAX_POSITION}}

    def get_validators(self):
        # Unique names and addresses are checked by the service, with a message on the field.
        return []


# An article in a list; one article adds its text, HTML and translations after "internal".
SUMMARY_FIELDS = (
    "id",
    "title",
    "slug",
    "language",
    "category",
    "status",
    "internal",
    "version",
    "created_at",
    "updated_at",
    "published_at",
    "updated_by",
    "helpful_votes",
    "unhelpful_votes",
)


class ArticleSummarySerializer(serializers.ModelSerializer):
    """An article in a list: everything but its text (read one article for that)."""

    class Meta:
        model = Article
        fields = list(SUMMARY_FIELDS)
        read_only_fields = fields


class ArticleSerializer(StrictModelSerializer):
    """One article: its Markdown ``body`` as written, the ``html`` shown to readers (rendered
    and sanitised) and the ids of its ``translations``."""

    title = serializers.CharField(max_length=MAX_TITLE)
    slug = serializers.SlugField(
        max_length=MAX_TITLE,
        required=False,
        allow_blank=True,
        help_text=_(
            "The end of its address in the help centre, unique per language; made from the "
            "title when empty."
        ),
    )
    body = serializers.CharField(
        max_length=MAX_ARTICLE,
        trim_whitespace=False,
        help_text=_("Markdown, at most 200,000 characters. Raw HTML is shown as text."),
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=ArticleCategory.objects.all(), allow_null=True, required=False
    )
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(),
        write_only=True,
        required=False,
        help_text=_(
            "On create only: the id of the article this one translates (one article per "
            "language). Its category and internal flag are the defaults."
        ),
    )
    html = serializers.SerializerMethodField(
        help_text=_("The body as readers see it: HTML, sanitised.")
    )
    translations = serializers.SerializerMethodField(
        help_text=_("Ids of the same article in other languages.")
    )

    class Meta:
        model = Article
        fields = [
            *SUMMARY_FIELDS[:7],
            "body",
            "html",
            "translation_of",
            "translations",
            *SUMMARY_FIELDS[7:],
        ]
        read_only_fields = [
            "version",
            "created_at",
            "updated_at",
            "published_at",
            "updated_by",
            "helpful_votes",
            "unhelpful_votes",
        ]

    def get_validators(self):
        # One article per language and unique addresses: the service answers on the field.
        return []

    def get_html(self, article) -> str:
        return markdown.render(article.body)

    def get_translations(self, article) -> list[int]:
        return sorted(services.translations_of(article).values_list("pk", flat=True))

    def validate(self, data):
        if self.instance is not None and "translation_of" in data:
            raise serializers.ValidationError(
                {"translation_of": [_("Only when the article is created.")]}
            )
        return data


class ArticleVersionSerializer(serializers.ModelSerializer):
    saved_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ArticleVersion
        fields = ["number", "title", "body", "saved_at", "saved_by", "saved_by_name"]
        read_only_fields = fields

    def get_saved_by_name(self, version) -> str:
        return str(version.saved_by) if version.saved_by_id else ""


class ArticleRevertSerializer(StrictSerializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        help_text=_("The number of the version whose title and text come back."),
    )


# --- views ---------------------------------------------------------------------------------------


class KnowledgeViewSet(ApiViewMixin, viewsets.GenericViewSet):
    permission_area = "support"
    permission_classes = [KnowledgePermission]
    pagination_class = KeysetCursorPagination
    filter_backends = []
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class ArticleVersionPagination(KeysetCursorPagination):
    orderings = {"newest": ["-number", "-id"]}
    default_ordering = "newest"


@extend_schema_view(
    list=extend_schema(
        summary="List articles by title (drafts and internal ones included)",
        responses=ArticleSummarySerializer(many=True),
    ),
    retrieve=extend_schema(summary="Read an article", parameters=[ETAG]),
    create=extend_schema(summary="Write an article or a translation", parameters=[ETAG]),
    partial_update=extend_schema(summary="Change an article", parameters=[IF_MATCH, ETAG]),
    destroy=extend_schema(
        summary="Delete an article and its versions (not its translations)",
        parameters=[IF_MATCH],
    ),
)
class ArticleViewSet(
    KnowledgeViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Knowledge-base articles in Markdown, one per language (``translation_of`` links a new
    one to the article it translates). Every change of the title or text is a new version
    (``versions``; ``revert`` brings an old one back). Lists leave out the text."""

    serializer_class = ArticleSerializer
    queryset = Article.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilterSet
    orderings = {"title": ["title", "id"], "-updated": ["-updated_at", "-id"]}
    default_ordering = "title"
    uses_etags = True

    def _answer(self, article, code=status.HTTP_200_OK):
        article = Article.objects.get(pk=article.pk)
        data = ArticleSerializer(article).data
        return Response(data, status=code, headers={"ETag": etag(article)})

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ArticleSummarySerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        article = self.get_object()
        return Response(ArticleSerializer(article).data, headers={"ETag": etag(article)})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = services.create_article(actor=request.user, **serializer.validated_data)
        return self._answer(article, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        article = self.get_object()
        version = expected_version(request, article)
        serializer = self.get_serializer(article, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        article = services.update_article(
            article, actor=request.user, expected_version=version, **serializer.validated_data
        )
        return self._answer(article)

    def destroy(self, request, *args, **kwargs):
        article = self.get_object()
        version = expected_version(request, article)
        with transaction.atomic():
            services.delete_article(
                lock_current(Article.objects, article, version), actor=request.user
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Bring back the title and text of an earlier version (as a new version)",
        request=ArticleRevertSerializer,
        responses=ArticleSerializer,
        parameters=[IF_MATCH, ETAG],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def revert(self, request, *args, **kwargs):
        article = self.get_object()
        version = expected_version(request, article)
        body = ArticleRevertSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        article = services.revert_article(
            article, body.validated_data["version"], actor=request.user, expected_version=version
        )
        return self._answer(article)

    @extend_schema(
        summary="An article's versions, newest first",
        responses=ArticleVersionSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=ArticleVersionPagination,
        serializer_class=ArticleVersionSerializer,
    )
    def versions(self, request, *args, **kwargs):
        article = self.get_object()
        queryset = ArticleVersion.objects.filter(article=article).select_related("saved_by")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ArticleVersionSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List the knowledge base's categories"),
    create=extend_schema(summary="Add a category"),
    partial_update=extend_schema(summary="Change a category"),
)
class ArticleCategoryViewSet(
    KnowledgeViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """The categories articles are grouped in (in the help centre too), by position."""

    serializer_class = ArticleCategorySerializer
    queryset = ArticleCategory.objects.all()
    orderings = {"position": ["position", "name", "id"]}
    default_ordering = "position"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.create_article_category(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(category).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        category = self.get_object()
        serializer = self.get_serializer(category, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        category = services.update_article_category(
            category, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(category).data)
