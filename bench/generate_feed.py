"""Feed bench data: 10,000,000 feed entries (what happened to records, as the history, the
activities and the comments write them), written once per bench database.

Entries go in as plain rows (``core.bulk.insert_rows``: ``COPY`` on PostgreSQL) with the feed's
indexes dropped and made again afterwards, as a restore would. They belong to the 200 members
of the fan-out team and 50 other people, four in five given to the team too; they are about
contacts, deals, cases and companies, with the mix of verbs a working CRM has. The member the
suite signs in as follows 200 records (their entries in its feed, as following them would
have put them) and has 2,000 notifications, 100 of them unread.
"""

import os
import random
import time
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from clientela.collaboration.models import FeedEntry, Follow, FollowedEntry, Notification
from clientela.core import bulk
from clientela.core.models import Flag, Role, User

FLAG = "bench_feed_generated"
# BENCH_FEED_ENTRIES: fewer entries, to try the suite out (the target is for 10,000,000).
ENTRIES = int(os.environ.get("BENCH_FEED_ENTRIES", "10000000"))
OTHERS = 50
FOLLOWED = 200
NOTIFICATIONS = 2000
UNREAD = 100
BATCH = 50_000
RECORDS = (  # (app label, model, area, share of the entries in tenths, highest id)
    ("contacts", "contact", "contacts", 5, 1_000_000),
    ("sales", "deal", "sales", 2, 200_000),
    ("support", "case", "support", 2, 500_000),
    ("contacts", "company", "contacts", 1, 100_000),
)
VERBS = ["updated"] * 6 + ["created", "activity", "activity", "comment"]
FIELDS = ("job_title", "lifecycle_stage", "stage,amount", "status", "owner", "phone", "tags")


def ensure(team, members):
    """Write the entries unless this database has them; returns what is there."""
    if not Flag.objects.filter(name=FLAG).exists():
        _generate(team, members)
        Flag.objects.create(name=FLAG)
    if not FollowedEntry.objects.filter(user=members[0]).exists():
        _deliver(members[0])
    return {"feed_entries": _count()}


@transaction.atomic
def _deliver(user):
    """The entries on the records ``user`` follows put in their feed, as ``feed.write`` and
    ``follows.follow_all`` would have as they were written."""
    delivered, entries, follows = (
        connection.ops.quote_name(m._meta.db_table) for m in (FollowedEntry, FeedEntry, Follow)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {delivered} (user_id, entry_id) "  # noqa: S608
            f"SELECT f.user_id, e.id FROM {entries} e JOIN {follows} f "
            "ON f.content_type_id = e.content_type_id AND f.object_id = e.object_id "
            "WHERE f.user_id = %s AND (e.owner_id IS NULL OR e.owner_id <> f.user_id)",
            [user.pk],
        )
        cursor.execute(f"ANALYZE {delivered}")


def _count():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {FeedEntry._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0] or 0


def _people(members):
    role = Role.objects.get(code="sales")
    others = []
    for n in range(OTHERS):
        user, _created = User.objects.get_or_create(
            username=f"bench-feed-{n}", defaults={"role": role}
        )
        others.append(user.pk)
    return [m.pk for m in members] + others


def _generate(team, members):
    started = time.perf_counter()
    rng = random.Random(7)
    people = _people(members)
    member_ids = {m.pk for m in members}
    types = []
    for app_label, model, area, share, highest in RECORDS:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        types += [(content_type.pk, area, model, highest)] * share
    start = timezone.now() - timedelta(days=730)
    step = timedelta(days=730) / ENTRIES
    columns = [
        "content_type_id", "object_id", "verb", "title", "detail", "url", "area",
        "actor_id", "owner_id", "team_id", "created_at",
    ]  # fmt: skip
    adapt = connection.ops.adapt_datetimefield_value
    with _without_indexes():
        for first in range(0, ENTRIES, BATCH):
            rows = []
            for n in range(first, min(first + BATCH, ENTRIES)):
                content_type_id, area, model, highest = rng.choice(types)
                object_id = rng.randint(1, highest)
                owner = rng.choice(people)
                verb = rng.choice(VERBS)
                rows.append(
                    (
                        content_type_id,
                        object_id,
                        verb,
                        f"{model.title()} {object_id}",
                        rng.choice(FIELDS) if verb == "updated" else "",
                        f"/{model}s/{object_id}/",
                        area,
                        rng.choice(people),
                        owner,
                        team.pk if owner in member_ids and rng.random() < 0.8 else None,
                        adapt(start + step * n),
                    )
                )
            with transaction.atomic():
                bulk.insert_rows(FeedEntry, columns, rows)
            if first % 1_000_000 == 0:
                print(f"  feed: {first:,} entries ({time.perf_counter() - started:.0f} s)")
    _follows_and_notifications(members[0], types, rng)
    print(f"  feed: {ENTRIES:,} entries in {time.perf_counter() - started:.0f} s")


class _without_indexes:
    """The feed's secondary indexes dropped during the load and built after it."""

    def __enter__(self):
        self.indexes = list(FeedEntry._meta.indexes)
        with connection.schema_editor() as editor:
            for index in self.indexes:
                editor.remove_index(FeedEntry, index)

    def __exit__(self, *exc):
        with connection.schema_editor(atomic=False) as editor:
            for index in self.indexes:
                editor.add_index(FeedEntry, index)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@transaction.atomic
def _follows_and_notifications(user, types, rng):
    for n in range(FOLLOWED):
        content_type_id, _area, _model, highest = types[n % len(types)]
        Follow.objects.get_or_create(
            user=user,
            content_type_id=content_type_id,
            object_id=rng.randint(1, highest),
            defaults={"reason": "manual"},
        )
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="comment",
            title=f"Contact {n}",
            text="They want to upgrade",
            url=f"/contacts/{n + 1}/",
            read_at=None if n >= NOTIFICATIONS - UNREAD else now,
        )
        for n in range(NOTIFICATIONS)
    )
