"""What collaboration does with each change the history writes (``core.history`` calls
``record_history`` in the writing transaction): the feed entry; the new owner told of an
assignment; the record's followers told of a change; and, for a record deleted for good, what
collaboration held about it forgotten."""

import contextvars
from collections import defaultdict
from contextlib import contextmanager

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.core import permissions
from clientela.core.choices import ChangeAction
from clientela.core.models import User

from ..choices import FeedVerb, NotificationKind
from ..models import field_labels
from . import feed, follows, forgetting, notifications

VERBS = {
    ChangeAction.CREATE: FeedVerb.CREATED,
    ChangeAction.UPDATE: FeedVerb.UPDATED,
    ChangeAction.DELETE: FeedVerb.TRASHED,
    ChangeAction.RESTORE: FeedVerb.RESTORED,
}
# More records than this given to one person in one write (a bulk reassignment, an import
# rule) make one notification saying how many, not one each.
MAX_TOLD_ONE_BY_ONE = 20
_quiet = contextvars.ContextVar("collaboration_quiet_assignments", default=False)


@contextmanager
def assignments_told_elsewhere():
    """Within the block, owner changes notify nobody (a handoff tells the people itself)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def record_history(records, action, changes_by_pk, actor):
    if action == ChangeAction.PURGE:
        for model, group in _by_model(records):
            forgetting.forget(model, [r.pk for r in group])
        return
    verb = VERBS[action]
    entries = [e for r in records if (e := _entry(r, verb, changes_by_pk, actor))]
    # One read of the follows for the entries' records (an activity's: its deal or contact)
    # and the records changed.
    keys = {(e.model, e.object_id) for e in entries}
    keys |= {(type(r), r.pk) for r in _with_feed(records)}
    followers = follows.followers_of(keys)
    feed.write(entries, followers)
    if action == ChangeAction.UPDATE:
        if not _quiet.get():
            _tell_new_owners(records, changes_by_pk, actor)
        _tell_followers(records, changes_by_pk, actor, followers)


def _entry(record, verb, changes_by_pk, actor):
    label = feed.label(type(record))
    if label in feed.FEED_RECORDS:
        fields = ",".join(sorted((changes_by_pk.get(record.pk) or {}).keys()))
        return feed.entry_for(
            record, verb, actor=actor, detail=fields if verb == FeedVerb.UPDATED else ""
        )
    if label == feed.ACTIVITY and verb in (FeedVerb.CREATED, FeedVerb.UPDATED):
        subject = record.deal or record.contact or record.company
        if subject is not None:
            detail = f"{record.get_kind_display()}: {record}"
            return feed.entry_for(subject, FeedVerb.ACTIVITY, actor=actor, detail=detail)
    return None


def _tell_new_owners(records, changes_by_pk, actor):
    given = defaultdict(list)
    for record in _with_feed(records):
        before, after = (changes_by_pk.get(record.pk) or {}).get("owner", [None, None])
        if after and after != before:
            given[after].append(record)
    one_by_one = [
        (owner_id, record, "")
        for owner_id, theirs in given.items()
        if len(theirs) <= MAX_TOLD_ONE_BY_ONE
        for record in theirs
    ]
    notifications.notify_many(one_by_one, kind=NotificationKind.ASSIGNMENT, actor=actor)
    for owner_id, theirs in given.items():
        if len(theirs) > MAX_TOLD_ONE_BY_ONE:
            kind = theirs[0]._meta.verbose_name_plural
            title = ngettext(
                "%(count)d %(kind)s given to you", "%(count)d %(kind)s given to you", len(theirs)
            ) % {"count": len(theirs), "kind": kind}
            notifications.notify(
                [owner_id], kind=NotificationKind.ASSIGNMENT, actor=actor, title=title
            )


def _tell_followers(records, changes_by_pk, actor, followers):
    """Followers (other than the owner, who has the feed) told of each change they may see."""
    told = []
    for record in _with_feed(records):
        ids = followers.get((type(record), record.pk), set()) - {record.owner_id}
        if not ids:
            continue
        fields = field_labels(type(record), sorted((changes_by_pk.get(record.pk) or {}).keys()))
        text = _("Changed: %(fields)s") % {"fields": ", ".join(fields)}
        readers = permissions.who_can_view(User.objects.filter(pk__in=ids, is_active=True), record)
        told += [(user.pk, record, text) for user in readers]
    notifications.notify_many(told, kind=NotificationKind.RECORD_CHANGED, actor=actor)


def _with_feed(records):
    return [r for r in records if feed.label(type(r)) in feed.FEED_RECORDS]


def _by_model(records):
    groups = defaultdict(list)
    for record in records:
        groups[type(record)].append(record)
    return groups.items()
