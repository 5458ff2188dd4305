"""The knowledge base: articles in Markdown, in categories, published or draft, public or for
the team only, each language a linked translation, every saved change a version."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_TITLE = 200
MAX_ARTICLE = 200_000  # characters of Markdown


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ArticleCategory(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("address"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self):
        return self.name


class Article(models.Model):
    """One language of an article. Translations share ``translation_group``; the help centre
    shows the reader's language and offers the others."""

    permission_area = "support"

    translation_group = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    slug = models.SlugField(_("address"), max_length=MAX_TITLE, allow_unicode=False)
    body = models.TextField(_("text (Markdown)"), max_length=MAX_ARTICLE)
    category = models.ForeignKey(
        ArticleCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    internal = models.BooleanField(
        _("internal only"),
        default=False,
        help_text=_("Seen by the team only, never in the help centre or the portal."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)
    updated_at = models.DateTimeField(_("updated"), editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    helpful_votes = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    unhelpful_votes = models.PositiveIntegerField(_("not helpful"), default=0, editable=False)

    # What the search index reads of a record: articles are never trashed and belong to the
    # whole team (the help centre narrows results to what is published and public).
    deleted_at = None
    owner_id = team_id = None
    objects = models.Manager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="article_one_per_language"
            ),
            models.UniqueConstraint(fields=["language", "slug"], name="article_slug_per_language"),
        ]
        indexes = [
            models.Index(
                fields=["language", "category", "title"],
                condition=Q(status="published", internal=False),
                name="article_public_idx",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.status == ArticleStatus.PUBLISHED and not self.internal


class ArticleVersion(models.Model):
    """An article as it was saved: what "versions" lists and what a revert brings back."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    body = models.TextField(_("text (Markdown)"))
    saved_at = models.DateTimeField(_("saved"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_once")
        ]

    def __str__(self):
        return f"{self.article} v{self.number}"


class ArticleVote(models.Model):
    """A reader's "was this helpful?", once per reader (a keyed hash of their session) and
    article; a second vote replaces the first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64)
    helpful = models.BooleanField()
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="article_vote_once")
        ]

    def __str__(self):
        return f"{self.article}: {'+' if self.helpful else '-'}"
