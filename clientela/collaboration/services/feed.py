"""Feeds: what happened to a person's records (those they own and those they follow) and to
their team's, newest first.

Entries are written with the history (``changes.record_history``, in the same transaction) and
by the comments, handoffs and feedback that concern a record. An activity's entry belongs to
the record it was logged on (its deal, else its contact, else its company), so the customer's
owner sees the call a colleague made. Entries keep the record's owner and team when they were
written, and each is put into its record's followers' feeds as it is written (``write``): a
page is one range read of the owner's index and one of the followed entries' (or the team's),
whatever the size of the history.
"""

import heapq
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from clientela.core import permissions
from clientela.core.choices import RecordScope
from clientela.core.models import User

from ..choices import FeedVerb
from ..models import FeedEntry, FollowedEntry, field_labels
from . import follows, notifications

PAGE_SIZE = 30
MAX_DETAIL = 300
# The records with a feed ("<app label>.<model name>"); an activity's entry goes to its record.
FEED_RECORDS = {
    "contacts.contact",
    "contacts.company",
    "sales.deal",
    "sales.purchase",
    "support.case",
}
ACTIVITY = "activities.activity"
# What a feed page reads of an entry and its actor (a whole user row costs more than the entry).
SHOWN = (
    *("content_type_id", "object_id", "verb", "title", "detail", "url", "created_at"),
    *("actor__username", "actor__first_name", "actor__last_name"),
)


def label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def entry_for(record, verb, *, actor, detail=""):
    """An unsaved entry saying ``actor`` did ``verb`` to ``record``."""
    return FeedEntry(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        verb=verb,
        title=str(record)[:200],
        detail=detail[:MAX_DETAIL],
        url=notifications.record_url(record),
        area=permissions.area_of(type(record)),
        actor=actor if actor is not None and actor.pk else None,
        owner_id=record.owner_id,
        team_id=record.team_id,
    )


def add(record, verb, *, actor, detail=""):
    """Write one entry (a comment, a handoff, an answer to a survey) if ``record`` has a
    feed; returns it, or ``None``."""
    if label(type(record)) not in FEED_RECORDS:
        return None
    return write([entry_for(record, verb, actor=actor, detail=detail)])[0]


def write(entries, followers=None):
    """Save ``entries`` and put each in the feeds of its record's followers (fan-out on
    write: one read of the follows — none when the caller has ``followers``, as
    ``follows.followers_of`` gives them — and one insert, whatever the number)."""
    made = FeedEntry.objects.bulk_create(entries, batch_size=500)
    if followers is None:
        followers = follows.followers_of([(e.model, e.object_id) for e in made])
    FollowedEntry.objects.bulk_create(
        [
            FollowedEntry(user_id=user_id, entry_id=entry.pk)
            for entry in made
            for user_id in followers.get((entry.model, entry.object_id), ())
            if user_id != entry.owner_id
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return made


@dataclass(frozen=True)
class Filters:
    """What a feed page shows: record kinds (``"contacts.contact"``...) and verbs; empty is
    everything. ``before``: the id the page starts below (the cursor)."""

    kinds: tuple = ()
    verbs: tuple = ()
    before: int | None = None


@dataclass
class Page:
    entries: list
    next_before: int | None


def my_feed(user, filters=Filters()):
    """What happened to the records ``user`` owns (when it happened) or follows."""
    owned = _filtered(user, filters).filter(owner_id=user.pk)
    followed = _filtered(user, filters).filter(deliveries__user=user).exclude(owner_id=user.pk)
    pages = [_first(owned), _first(_in_scope(user, followed))]
    return _page(heapq.merge(*pages, key=lambda e: -e.pk))


def team_feed(user, team, filters=Filters()):
    """What happened to the records of ``team`` (given to it, or owned by one of its
    members), as far as ``user`` may see them; ``user`` must be a member or see everything."""
    members = list(team.members.values_list("id", flat=True))
    if team.pk not in user.team_ids() and permissions.scope_of(user) != RecordScope.ALL:
        return Page([], None)
    rows = _filtered(user, filters).filter(Q(team_id=team.pk) | Q(owner_id__in=members))
    return _page(iter(_first(_in_scope(user, rows))))


def present(entries):
    """Give each entry the words a page shows — ``verb_label``, ``kind_label`` and
    ``fields_label`` (the fields an update changed) — translated once per page rather than
    once per entry."""
    words = {}

    def said(key, make):
        if key not in words:
            words[key] = str(make())
        return words[key]

    for entry in entries:
        model = entry.model
        entry.verb_label = said(entry.verb, entry.get_verb_display)
        entry.kind_label = said(model, lambda m=model: m._meta.verbose_name)
        names = entry.detail.split(",") if entry.verb == FeedVerb.UPDATED and entry.detail else []
        entry.fields_label = ", ".join(
            said((model, n), lambda n=n, m=model: field_labels(m, [n])[0]) for n in names
        )
    return entries


def since(user, moment, limit):
    """What happened to ``user``'s records (owned or followed) since ``moment``, newest first,
    at most ``limit`` entries (the daily digest)."""
    entries, before = [], None
    while len(entries) < limit:
        page = my_feed(user, Filters(before=before))
        fresh = [e for e in page.entries if e.created_at >= moment]
        entries += fresh
        if len(fresh) < len(page.entries) or page.next_before is None:
            break
        before = page.next_before
    return entries[:limit]


def _filtered(user, filters):
    areas = [a for a in _areas() if permissions.can_read(user, a)]
    rows = FeedEntry.objects.filter(area__in=areas).select_related("actor").only(*SHOWN)
    if filters.kinds:
        rows = rows.filter(content_type__in=[_content_type(k) for k in filters.kinds])
    if filters.verbs:
        rows = rows.filter(verb__in=filters.verbs)
    if filters.before is not None:
        rows = rows.filter(pk__lt=filters.before)
    return rows


def kind_choices():
    """``[(label, plural name), ...]`` of the records with a feed, for the filter."""
    models = [apps.get_model(label) for label in sorted(FEED_RECORDS)]
    return [(label(m), m._meta.verbose_name_plural) for m in models]


def _areas():
    return {permissions.area_of(apps.get_model(label)) for label in FEED_RECORDS}


def _content_type(label):
    app_label, model = label.split(".")
    return ContentType.objects.get_by_natural_key(app_label, model)


def _in_scope(user, rows):
    """``rows`` the user's scope lets them see. A team scope names the teammates through a
    subquery: a list of a big team's ids costs more to plan than the query takes to run."""
    if permissions.scope_of(user) == RecordScope.TEAM:
        mates = User.teams.through.objects.filter(team_id__in=user.team_ids()).values("user_id")
        return rows.filter(
            Q(owner_id=user.pk) | Q(owner_id__in=mates) | Q(team_id__in=user.team_ids())
        )
    condition = permissions.scope_q(user)
    return rows if condition is None else rows.filter(condition)


def _first(rows):
    return list(rows.order_by("-id")[: PAGE_SIZE + 1])


def _page(entries):
    entries = list(entries)[: PAGE_SIZE + 1]
    more = len(entries) > PAGE_SIZE
    return Page(entries[:PAGE_SIZE], entries[PAGE_SIZE - 1].pk if more else None)
