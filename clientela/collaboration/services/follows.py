"""Following records: a follower hears of the record's comments and changes. A record's owner
follows it without a row; people who comment or are mentioned follow it from then on."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction

from clientela.core import permissions

from ..choices import FollowReason
from ..models import FeedEntry, Follow, FollowedEntry

# The entries of a record put in the feed of someone who starts following it.
BACKFILL = 20


def _key(record):
    return ContentType.objects.get_for_model(type(record)), record.pk


@transaction.atomic
def follow(record, *, user, reason=FollowReason.MANUAL):
    """``user`` follows ``record`` (a record they may see); following twice changes nothing."""
    if not permissions.can_view_record(user, record):
        raise PermissionDenied
    follow_all(record, [user], reason=reason)


def follow_all(record, users, *, reason):
    """Rows for those of ``users`` not yet following (callers checked they may see it). Those
    who chose to follow it get the record's latest feed entries in their feeds; the mentioned,
    the commenters and those who handed it over get what happens from then on."""
    content_type, object_id = _key(record)
    Follow.objects.bulk_create(
        [
            Follow(user=user, content_type=content_type, object_id=object_id, reason=reason)
            for user in users
        ],
        ignore_conflicts=True,
    )
    if reason != FollowReason.MANUAL:
        return
    latest = FeedEntry.objects.filter(content_type=content_type, object_id=object_id)
    FollowedEntry.objects.bulk_create(
        [
            FollowedEntry(user=user, entry_id=entry_id)
            for entry_id in latest.order_by("-id").values_list("id", flat=True)[:BACKFILL]
            for user in users
        ],
        ignore_conflicts=True,
    )


def followers_of(keys):
    """``{(model, pk): {user id, ...}}`` of the people following the records with ``keys``
    (``(model, pk)`` pairs) by a row (owners are not in it), one query per kind of record."""
    pks_by_model = {}
    for model, pk in keys:
        pks_by_model.setdefault(model, []).append(pk)
    found = {}
    for model, pks in pks_by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        rows = Follow.objects.filter(content_type=content_type, object_id__in=pks)
        for object_id, user_id in rows.values_list("object_id", "user_id"):
            found.setdefault((model, object_id), set()).add(user_id)
    return found


@transaction.atomic
def unfollow(record, *, user):
    """``user`` stops following ``record``; its entries leave their feed (unless they own it)."""
    content_type, object_id = _key(record)
    Follow.objects.filter(user=user, content_type=content_type, object_id=object_id).delete()
    FollowedEntry.objects.filter(
        user=user, entry__content_type=content_type, entry__object_id=object_id
    ).delete()


def is_following(record, user):
    content_type, object_id = _key(record)
    if getattr(record, "owner_id", None) == user.pk:
        return True
    return Follow.objects.filter(user=user, content_type=content_type, object_id=object_id).exists()


def follower_ids(record):
    """Ids of everyone following ``record``, its owner included."""
    content_type, object_id = _key(record)
    ids = set(
        Follow.objects.filter(content_type=content_type, object_id=object_id).values_list(
            "user_id", flat=True
        )
    )
    owner = getattr(record, "owner_id", None)
    return ids | {owner} if owner else ids
