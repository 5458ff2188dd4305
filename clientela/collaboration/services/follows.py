"""Following records: a follower hears of the record's comments and changes. A record's owner
follows it without a row; people who comment or are mentioned follow it from then on."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction

from clientela.core import permissions

from ..choices import FollowReason
from ..models import Follow


def _key(record):
    return ContentType.objects.get_for_model(type(record)), record.pk


@transaction.atomic
def follow(record, *, user, reason=FollowReason.MANUAL):
    """``user`` follows ``record`` (a record they may see); following twice changes nothing."""
    if not permissions.can_view_record(user, record):
        raise PermissionDenied
    follow_all(record, [user], reason=reason)


def follow_all(record, users, *, reason):
    """Rows for those of ``users`` not yet following (callers checked they may see it)."""
    content_type, object_id = _key(record)
    Follow.objects.bulk_create(
        [
            Follow(user=user, content_type=content_type, object_id=object_id, reason=reason)
            for user in users
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def unfollow(record, *, user):
    content_type, object_id = _key(record)
    Follow.objects.filter(user=user, content_type=content_type, object_id=object_id).delete()


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
