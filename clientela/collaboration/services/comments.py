"""Comments on records: written by people who may see the record, in Markdown (sanitised),
with ``@person`` and ``@team`` mentions.

A mention notifies the people named (a team: each member) who may see the record — never the
others, so a mention cannot reveal a record — and makes them follow it; the record's other
followers (its owner included) are told of the comment. Edits keep the earlier text.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import permissions
from clientela.core.models import User
from clientela.support import markdown

from ..choices import FeedVerb, FollowReason, NotificationKind, Visibility
from ..models import MAX_BODY, Comment, CommentRevision, Mention
from . import feed, follows, mentions, notifications

EXCERPT = 280


def comments_on(record):
    """The comments on ``record``, oldest first (deleted ones keep their place)."""
    content_type = ContentType.objects.get_for_model(type(record))
    return Comment.objects.filter(content_type=content_type, object_id=record.pk).order_by("id")


@transaction.atomic
def add_comment(record, *, actor, body, visibility=Visibility.INTERNAL):
    """Comment on ``record`` as ``actor``; returns the comment."""
    if not permissions.can_view_record(actor, record):
        raise PermissionDenied
    body = _clean(body, visibility)
    comment = Comment.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        author=actor,
        body=body,
        body_html=markdown.render(body),
        visibility=visibility,
    )
    mentioned = _mention(comment, record, actor, body, already=set())
    follows.follow_all(record, [actor], reason=FollowReason.COMMENTED)
    others = follows.follower_ids(record) - mentioned
    readers = [u.pk for u in permissions.who_can_view(_users(others), record)]
    notifications.notify(
        readers, kind=NotificationKind.COMMENT, actor=actor, record=record, text=_excerpt(comment)
    )
    feed.add(record, FeedVerb.COMMENT, actor=actor, detail=_excerpt(comment))
    return comment


@transaction.atomic
def edit_comment(comment, *, actor, body):
    """Change a comment's text (its author only); people newly mentioned are told."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != actor.pk or comment.deleted_at is not None:
        raise PermissionDenied
    body = _clean(body, comment.visibility)
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
    comment.body, comment.body_html = body, markdown.render(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    _mention(comment, comment.record, actor, body, already=_named_before(comment))
    return comment


@transaction.atomic
def delete_comment(comment, *, actor):
    """Take a comment's text away (its author, or someone who may change the record)."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != actor.pk and not permissions.can_change_record(actor, comment.record):
        raise PermissionDenied
    if comment.deleted_at is None:
        CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
        comment.body = comment.body_html = ""
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "deleted_at"])
    return comment


def _clean(body, visibility):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a comment.")]})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": [_("A comment has at most %(max)s characters.") % {"max": MAX_BODY}]}
        )
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": [_("Unknown visibility.")]})
    return body


def _mention(comment, record, actor, body, *, already):
    """Record the mentions in ``body``, make the people named who may see ``record`` follow it
    and notify them (not those in ``already``); returns the ids of everyone named."""
    users, teams = mentions.resolve(mentions.names_in(body))
    Mention.objects.filter(comment=comment).delete()
    Mention.objects.bulk_create(
        [Mention(comment=comment, user=u) for u in users]
        + [Mention(comment=comment, team=t) for t in teams]
    )
    named = {u.pk: u for u in [*users, *mentions.members(teams)]}
    told = [u for pk, u in named.items() if pk not in already and pk != actor.pk]
    readers = permissions.who_can_view(told, record)
    follows.follow_all(record, readers, reason=FollowReason.MENTIONED)
    notifications.notify(
        [u.pk for u in readers],
        kind=NotificationKind.MENTION,
        actor=actor,
        record=record,
        text=_excerpt(comment),
    )
    return set(named)


def _named_before(comment):
    """Ids of the people a comment's mentions named (its teams' members included)."""
    rows = list(Mention.objects.filter(comment=comment).select_related("team"))
    people = {m.user_id for m in rows if m.user_id}
    return people | {u.pk for u in mentions.members([m.team for m in rows if m.team_id])}


def _users(ids):
    return User.objects.filter(pk__in=ids, is_active=True).select_related("role")


def _excerpt(comment):
    text = markdown.plain_text(comment.body).strip()
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"
