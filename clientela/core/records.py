"""The write path shared by every domain service for ``CrmRecord`` models.

Each helper keeps the invariants of a tracked record together: a history entry for every change,
a new version (ETag) when anything changed, the search index in step, and an after-commit event.
Callers are domain services, inside their own ``transaction.atomic``.
"""

from contextlib import contextmanager

from django.db.models import F
from django.utils import timezone

from clientela.core import events, search
from clientela.core.choices import ChangeAction
from clientela.core.history import creation_changes, diff, record_change, record_changes, snapshot


class StaleRecord(Exception):
    """The record changed since the caller read it (an ``If-Match``/version mismatch)."""

    def __init__(self, record):
        super().__init__(f"{record} was changed by someone else")
        self.record = record


def event_name(record, verb):
    return f"{record._meta.model_name}.{verb}"


class Tracked:
    """What ``track_update`` found: the changes (empty when nothing changed)."""

    changes: dict

    def __init__(self):
        self.changes = {}


@contextmanager
def track_create(record, *, actor):
    """Wrap the saving of a new record (and its children): history, index, event."""
    yield record
    record_change(record, ChangeAction.CREATE, creation_changes(record), actor=actor)
    _reindex(record)
    events.publish(event_name(record, "created"), record=record, actor=actor)


@contextmanager
def track_update(record, *, actor, expected_version=None):
    """Wrap changes to an existing record. Raises ``StaleRecord`` when ``expected_version``
    (from an ``If-Match`` header or a form) is not the stored version."""
    if expected_version is not None and int(expected_version) != record.version:
        raise StaleRecord(record)
    before = snapshot(record)
    result = Tracked()
    yield result
    result.changes = diff(before, snapshot(record))
    if not result.changes:
        return
    now = timezone.now()
    type(record).all_objects.filter(pk=record.pk).update(version=F("version") + 1, updated_at=now)
    record.version += 1
    record.updated_at = now
    record_change(record, ChangeAction.UPDATE, result.changes, actor=actor)
    _reindex(record)
    events.publish(
        event_name(record, "updated"), record=record, changes=result.changes, actor=actor
    )


def bulk_set(records, *, actor, **values):
    """Set the same field values (e.g. owner, team) on many records, with history per record."""
    changed, changes_by_pk = [], {}
    for record in records:
        changes = {
            k: [getattr(record, _attname(record, k)), _json_id(v)]
            for k, v in values.items()
            if getattr(record, _attname(record, k)) != _json_id(v)
        }
        if changes:
            changed.append(record)
            changes_by_pk[record.pk] = changes
    if not changed:
        return []
    model = type(changed[0])
    model.all_objects.filter(pk__in=[r.pk for r in changed]).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    for record in changed:
        for key, value in values.items():
            setattr(record, key, value)
    record_changes(changed, ChangeAction.UPDATE, changes_by_pk, actor=actor)
    search.index_records(changed)
    for record in changed:
        events.publish(
            event_name(record, "updated"),
            record=record,
            changes=changes_by_pk[record.pk],
            actor=actor,
        )
    return changed


def bulk_tag(records, *, actor, add=(), remove=()):
    """Add and remove tags on many records, with history per record."""
    changed, changes_by_pk = [], {}
    add, remove = list(add), list(remove)
    for record in records:
        before = sorted(t.name for t in record.tags.all())
        if add:
            record.tags.add(*add)
        if remove:
            record.tags.remove(*remove)
        after = sorted(t.name for t in record.tags.all())
        if before != after:
            changed.append(record)
            changes_by_pk[record.pk] = {"tags": [before, after]}
    if changed:
        type(changed[0]).all_objects.filter(pk__in=[r.pk for r in changed]).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        record_changes(changed, ChangeAction.UPDATE, changes_by_pk, actor=actor)
    return changed


def soft_delete(records, *, actor):
    """Move records to the trash (restorable until purged)."""
    return _set_deleted(records, timezone.now(), ChangeAction.DELETE, "deleted", actor)


def restore(records, *, actor):
    """Bring records back from the trash."""
    return _set_deleted(records, None, ChangeAction.RESTORE, "restored", actor)


def purge(records, *, actor):
    """Delete trashed records for good; their history stays, marked as purged."""
    records = [r for r in records if r.deleted_at is not None]
    if not records:
        return []
    record_changes(records, ChangeAction.PURGE, actor=actor)
    model = type(records[0])
    search.unindex(model, [r.pk for r in records])
    model.all_objects.filter(pk__in=[r.pk for r in records]).delete()
    for record in records:
        events.publish(event_name(record, "purged"), record=record, actor=actor)
    return records


def _set_deleted(records, deleted_at, action, verb, actor):
    records = [r for r in records if (r.deleted_at is None) == (deleted_at is not None)]
    if not records:
        return []
    model = type(records[0])
    model.all_objects.filter(pk__in=[r.pk for r in records]).update(
        deleted_at=deleted_at, version=F("version") + 1
    )
    for record in records:
        record.deleted_at = deleted_at
        record.version += 1
    record_changes(records, action, actor=actor)
    if deleted_at is None:
        search.index_records(records)
    else:
        search.unindex(model, [r.pk for r in records])
    for record in records:
        events.publish(event_name(record, verb), record=record, actor=actor)
    return records


def _reindex(record):
    search.index_records([record])


def _attname(record, name):
    return record._meta.get_field(name).attname


def _json_id(value):
    return getattr(value, "pk", value)
