"""Knowledge-base articles: write, publish, translate, revert, and readers' votes.

Every save that changes the title or the text is a new numbered version; the article's own
``version`` (its ETag) counts them. Search entries are kept by ``core.search`` like any
record's, so agents find drafts and internal articles and the help centre filters to what is
published and public.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.core import search
from clientela.core.records import lock_current
from clientela.core.text import search_terms

from ..models import Article, ArticleCategory, ArticleStatus, ArticleVersion, ArticleVote
from ..models.knowledge import MAX_ARTICLE, MAX_TITLE

ARTICLE_FIELDS = ("title", "slug", "body", "category", "language", "status", "internal")
CATEGORY_FIELDS = ("name", "slug", "description", "position")


@transaction.atomic
def create_article(*, actor, translation_of=None, **fields):
    """A new article; ``translation_of`` makes it that article's version in another language."""
    fields = _check(fields)
    article = Article(**fields)
    if translation_of is not None:
        article.translation_group = translation_of.translation_group
        article.category = article.category or translation_of.category
        article.internal = fields.get("internal", translation_of.internal)
    now = timezone.now()
    article.created_at = article.updated_at = now
    article.updated_by = _user(actor)
    _clean(article)
    if article.status == ArticleStatus.PUBLISHED:
        article.published_at = now
    _save(article)
    _keep_version(article, actor, now)
    search.index_records([article])
    return article


@transaction.atomic
def update_article(article, *, actor, expected_version=None, **fields):
    article = lock_current(Article.objects, article, expected_version)
    fields = _check(fields)
    before = (article.title, article.body)
    for name, value in fields.items():
        setattr(article, name, value)
    now = timezone.now()
    _clean(article)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    if article.status == ArticleStatus.DRAFT:
        article.published_at = None
    changed_text = (article.title, article.body) != before
    if changed_text:
        article.version += 1
    article.updated_at, article.updated_by = now, _user(actor)
    _save(article)
    if changed_text:
        _keep_version(article, actor, now)
    search.index_records([article])
    return article


def publish_article(article, *, actor):
    return update_article(article, actor=actor, status=ArticleStatus.PUBLISHED)


def revert_article(article, number, *, actor, expected_version=None):
    """Bring back the title and text of version ``number`` (as a new version);
    ``expected_version`` as in ``update_article``."""
    old = article.versions.filter(number=number).first()
    if old is None:
        raise ValidationError({"version": [_("There is no such version.")]})
    return update_article(
        article, actor=actor, expected_version=expected_version, title=old.title, body=old.body
    )


@transaction.atomic
def delete_article(article, *, actor):
    search.unindex(Article, [article.pk])
    article.delete()


@transaction.atomic
def create_article_category(*, actor, **fields):
    """A category of the knowledge base; its ``slug`` (address) is made from the name when
    left empty. Names and addresses are unique."""
    category = ArticleCategory(**_check(fields, CATEGORY_FIELDS))
    _save_category(category)
    return category


@transaction.atomic
def update_article_category(category, *, actor, **fields):
    category = ArticleCategory.objects.select_for_update().get(pk=category.pk)
    for name, value in _check(fields, CATEGORY_FIELDS).items():
        setattr(category, name, value)
    _save_category(category)
    return category


@transaction.atomic
def delete_article_category(category, *, actor):
    """Remove a category; its articles stay, without a category."""
    category.delete()


def translations_of(article):
    return Article.objects.filter(translation_group=article.translation_group).exclude(
        pk=article.pk
    )


def voter_key(session_key):
    """A reader's key for votes: a keyed hash, so the session id itself is never stored."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"kb-vote:{session_key}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def vote_on_article(article, *, voter, helpful):
    """Record (or change) one reader's vote; the article's counts follow."""
    previous = ArticleVote.objects.select_for_update().filter(article=article, voter=voter).first()
    if previous is not None and previous.helpful == helpful:
        return previous
    counts = {"helpful_votes": F("helpful_votes"), "unhelpful_votes": F("unhelpful_votes")}
    added = "helpful_votes" if helpful else "unhelpful_votes"
    counts[added] = F(added) + 1
    if previous is not None:
        removed = "unhelpful_votes" if helpful else "helpful_votes"
        counts[removed] = F(removed) - 1
        previous.helpful, previous.voted_at = helpful, timezone.now()
        previous.save(update_fields=["helpful", "voted_at"])
        vote = previous
    else:
        vote = ArticleVote.objects.create(
            article=article, voter=voter, helpful=helpful, voted_at=timezone.now()
        )
    Article.objects.filter(pk=article.pk).update(**counts)
    return vote


# --- helpers -------------------------------------------------------------------------------------


def _check(fields, allowed=ARTICLE_FIELDS):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return fields


def _clean(article):
    article.title = " ".join((article.title or "").split())[:MAX_TITLE]
    if not article.title:
        raise ValidationError({"title": [_("Give the article a title.")]})
    if len(article.body or "") > MAX_ARTICLE:
        raise ValidationError(
            {"body": [_("An article can have at most %(n)d characters.") % {"n": MAX_ARTICLE}]}
        )
    article.slug = slugify(article.slug or article.title)[:MAX_TITLE] or "article"
    article.full_clean(
        exclude=["translation_group", "created_at", "updated_at"],
        validate_unique=False,
        validate_constraints=False,
    )


def _save(article):
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        if (
            Article.objects.filter(
                translation_group=article.translation_group, language=article.language
            )
            .exclude(pk=article.pk)
            .exists()
        ):
            raise ValidationError(
                {"language": [_("This article already has a version in this language.")]}
            ) from None
        raise ValidationError(
            {"slug": [_("Another article in this language has this address.")]}
        ) from None


def _save_category(category):
    category.name = " ".join((category.name or "").split())
    limit = ArticleCategory._meta.get_field("slug").max_length
    derived = not category.slug
    category.slug = slugify(category.slug or category.name)[:limit] or "category"
    try:
        category.full_clean()  # a name or address already taken is a message on that field
    except ValidationError as error:
        if derived and "slug" in error.message_dict:  # the address came from the name
            taken = _("There is already a category with this name or address.")
            raise ValidationError({"name": [taken]}) from None
        raise
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:  # taken by a concurrent save after the check
        message = _("There is already a category with this name or address.")
        raise ValidationError({"name": [message]}) from None


def _keep_version(article, actor, now):
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        saved_at=now,
        saved_by=_user(actor),
    )


def _user(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


SUGGESTED = 5


def suggest_articles(text, *, language=None, limit=SUGGESTED):
    """Published articles that share the most words of ``text`` (a case's subject): what an
    agent may point the customer to. One index query per word of four letters or more, each
    reading its first 50 matches in index order (sorting every match of a common word first
    took most of the time on PostgreSQL)."""
    scores = {}
    for word in dict.fromkeys(w for w in search_terms(text) if len(w) >= 4):
        for pk in (
            Article.objects.filter(
                pk__in=search.matching_ids(Article, word), status=ArticleStatus.PUBLISHED
            )
            .order_by()
            .values_list("pk", flat=True)[:50]
        ):
            scores[pk] = scores.get(pk, 0) + 1
    best = sorted(scores, key=lambda pk: (-scores[pk], pk))
    articles = Article.objects.filter(pk__in=best[: limit * 3])
    ranked = sorted(articles, key=lambda a: (-scores[a.pk], a.language != language, a.pk))
    return ranked[:limit]
