"""The write path shared by every domain service for ``CrmRecord`` models.

Each helper keeps the invariants of a tracked record together: a history entry for every change,
a new version (ETag) when anything changed, the search index in step, and an after-commit event.
Callers are domain services, inside their own ``transaction.atomic``; the helpers also open an
atomic block of their own (without a savepoint) so that an exception raised inside
``track_create``/``track_update`` can never let half of a change be committed.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import transaction
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


def lock_current(queryset, record, expected_version=None):
    """``record`` read again and locked until the transaction ends; ``StaleRecord`` when
    ``expected_version`` (an ``If-Match``, a form's version) is not the stored version."""
    current = queryset.select_for_update().get(pk=record.pk)
    if expected_version is not None and int(expected_version) != current.version:
        raise StaleRecord(current)
    return current


# model -> [refresh(records, changes)]: recomputes columns derived from a record and its child
# rows (a contact's completeness score, a contact's purchase totals) after every write below,
# as the search index is refreshed.
_derived = defaultdict(list)
_fillers = {}


def register_derived(model, refresh, *, fill=None):
    """Have ``refresh(records, changes)`` called after every create, update, bulk change, trash
    and restore of ``model`` through this module (apps call it from ``AppConfig.ready``);
    ``changes`` is ``{pk: {field: [before, after]}}`` for an update (empty otherwise), for
    what a record pointed to before (a purchase moved to another contact).
    ``fill(records)`` sets the same columns on new, unsaved records from the children in their
    prefetch cache, which spares bulk creation an UPDATE and a read per batch."""
    _derived[model].append(refresh)
    if fill is not None:
        _fillers[model] = fill


def derived_filler(model):
    return _fillers.get(model)


def refresh_derived(records, changes=None):
    for model, group in _by_model(records):
        for refresh in _derived.get(model, ()):
            refresh(group, changes or {})


def event_name(record, verb):
    return f"{record._meta.model_name}.{verb}"


class Tracked:
    """What ``track_update`` found: the changes (empty when nothing changed).

    Inside the block a service may ``add()`` a change the snapshot cannot see (e.g. a new
    company link), so that it is versioned, recorded and published like any other.
    """

    changes: dict

    def __init__(self):
        self.changes = {}
        self._extra = {}

    def add(self, name, before, after):
        self._extra[name] = [before, after]


@contextmanager
def track_create(record, *, actor, tags=None):
    """Wrap the saving of a new record (and its children): history, index, event. ``tags``:
    the tags the block gives the record (spares reading them back for its history)."""
    with transaction.atomic(savepoint=False):
        yield record
        refresh_derived([record])
        changes = creation_changes(record, tags=tags)
        record_change(record, ChangeAction.CREATE, changes, actor=actor)
        search.index_records([record], new=True)
        events.publish(event_name(record, "created"), record=record, actor=actor)


@contextmanager
def track_update(record, *, actor, expected_version=None):
    """Wrap changes to an existing record. Raises ``StaleRecord`` when ``expected_version``
    (from an ``If-Match`` header or a form) is not the stored version.

    An exception inside the block (a ``ValidationError`` from a service) records nothing and
    leaves the surrounding transaction to roll back.
    """
    if expected_version is not None and _as_version(expected_version) != record.version:
        raise StaleRecord(record)
    with transaction.atomic(savepoint=False):
        before = snapshot(record)
        result = Tracked()
        yield result
        result.changes = {**diff(before, snapshot(record)), **result._extra}
        if not result.changes:
            return
        refresh_derived([record], {record.pk: result.changes})
        now = timezone.now()
        type(record).all_objects.filter(pk=record.pk).update(
            version=F("version") + 1, updated_at=now
        )
        record.version += 1
        record.updated_at = now
        record_change(record, ChangeAction.UPDATE, result.changes, actor=actor)
        _reindex(record)
        events.publish(
            event_name(record, "updated"), record=record, changes=result.changes, actor=actor
        )


def bulk_set(records, *, actor, **values):
    """Set the same field values (e.g. owner, team) on many records, with history per record.

    Values may be model instances or ids for foreign keys. Records already holding the values
    are left alone (no version, no history). Returns the changed records.
    """
    records = list(records)
    if not records or not values:
        return []
    model = type(records[0])
    fields = {name: model._meta.get_field(name) for name in values}
    db_values = {
        fields[name].attname: getattr(value, "pk", value) for name, value in values.items()
    }
    changed, changes_by_pk = [], {}
    for record in records:
        changes = {
            name: [getattr(record, fields[name].attname), db_values[fields[name].attname]]
            for name in values
            if getattr(record, fields[name].attname) != db_values[fields[name].attname]
        }
        if changes:
            changed.append(record)
            changes_by_pk[record.pk] = changes
    if not changed:
        return []
    now = timezone.now()
    model.all_objects.filter(pk__in=[r.pk for r in changed]).update(
        version=F("version") + 1, updated_at=now, **db_values
    )
    for record in changed:
        for name, value in values.items():
            if hasattr(value, "pk"):
                setattr(record, name, value)
            else:  # an id: setting the column drops a stale cached related object
                setattr(record, fields[name].attname, value)
        record.version += 1
        record.updated_at = now
    refresh_derived(changed, changes_by_pk)
    record_changes(changed, ChangeAction.UPDATE, changes_by_pk, actor=actor)
    search.index_records(changed)
    _publish_updates(changed, changes_by_pk, actor)
    return changed


def bulk_tag(records, *, actor, add=(), remove=()):
    """Add and remove tags on many records, with history per record.

    Set-based: one read of the current links, one insert, one delete, one version update and
    one history insert, whatever the number of records. A tag both added and removed ends up
    removed. Returns the changed records.
    """
    records = list(records)
    add, remove = list(add), list(remove)
    if not records or not (add or remove):
        return []
    model = type(records[0])
    tags_field = model._meta.get_field("tags")
    through = tags_field.remote_field.through
    record_col = f"{tags_field.m2m_field_name()}_id"
    tag_col = f"{tags_field.m2m_reverse_field_name()}_id"
    pks = [r.pk for r in records]

    current = defaultdict(set)
    names = {t.pk: t.name for t in [*add, *remove]}
    for record_id, tag_id, tag_name in through.objects.filter(
        **{f"{record_col}__in": pks}
    ).values_list(record_col, tag_col, f"{tags_field.m2m_reverse_field_name()}__name"):
        current[record_id].add(tag_id)
        names[tag_id] = tag_name

    add_ids = {t.pk for t in add}
    remove_ids = {t.pk for t in remove}
    changed, changes_by_pk, new_links = [], {}, []
    for record in records:
        before = current[record.pk]
        after = (before | add_ids) - remove_ids
        if after == before:
            continue
        changed.append(record)
        changes_by_pk[record.pk] = {
            "tags": [sorted(names[i] for i in before), sorted(names[i] for i in after)]
        }
        new_links.extend(
            through(**{record_col: record.pk, tag_col: tag_id}) for tag_id in after - before
        )
    if not changed:
        return []
    through.objects.bulk_create(new_links, batch_size=500, ignore_conflicts=True)
    if remove_ids:
        through.objects.filter(
            **{f"{record_col}__in": [r.pk for r in changed], f"{tag_col}__in": remove_ids}
        ).delete()
    now = timezone.now()
    model.all_objects.filter(pk__in=[r.pk for r in changed]).update(
        version=F("version") + 1, updated_at=now
    )
    for record in changed:
        record.version += 1
        record.updated_at = now
        getattr(record, "_prefetched_objects_cache", {}).pop("tags", None)
    record_changes(changed, ChangeAction.UPDATE, changes_by_pk, actor=actor)
    _publish_updates(changed, changes_by_pk, actor)
    return changed


def soft_delete(records, *, actor):
    """Move records to the trash (restorable until purged)."""
    return _set_deleted(records, timezone.now(), ChangeAction.DELETE, "deleted", actor)


def restore(records, *, actor):
    """Bring records back from the trash."""
    return _set_deleted(records, None, ChangeAction.RESTORE, "restored", actor)


def purge(records, *, actor):
    """Delete trashed records for good; their history stays, marked as purged.

    Only records that are in the trash *in the database* are purged (a stale instance of a
    restored record is left alone).
    """
    done = []
    for model, group in _by_model(records):
        trashed = set(
            model.all_objects.filter(
                pk__in=[r.pk for r in group], deleted_at__isnull=False
            ).values_list("pk", flat=True)
        )
        group = [r for r in group if r.pk in trashed]
        if not group:
            continue
        record_changes(group, ChangeAction.PURGE, actor=actor)
        search.unindex(model, [r.pk for r in group])
        model.all_objects.filter(pk__in=[r.pk for r in group]).delete()
        for record in group:
            events.publish(event_name(record, "purged"), record=record, actor=actor)
        done.extend(group)
    return done


def trashed_before(model, cutoff):
    """The records of ``model`` moved to the trash before ``cutoff`` (for the retention job),
    oldest first."""
    return model.all_objects.filter(deleted_at__lt=cutoff).order_by("deleted_at", "pk")


def _set_deleted(records, deleted_at, action, verb, actor):
    """Trash (``deleted_at`` set) or restore (``None``) the records not already in that state
    in the database: each one gets exactly one change, ``{"deleted_at": [before, after]}``."""
    done = []
    for model, group in _by_model(records):
        current = dict(
            model.all_objects.filter(
                pk__in=[r.pk for r in group], deleted_at__isnull=deleted_at is not None
            ).values_list("pk", "deleted_at")
        )
        group = [r for r in group if r.pk in current]
        if not group:
            continue
        model.all_objects.filter(pk__in=list(current)).update(
            deleted_at=deleted_at, version=F("version") + 1
        )
        refresh_derived(group)  # a merged-away record lost its e-mails and phones
        changes_by_pk = {}
        for record in group:
            record.deleted_at = deleted_at
            record.version += 1
            changes_by_pk[record.pk] = {"deleted_at": [_iso(current[record.pk]), _iso(deleted_at)]}
        record_changes(group, action, changes_by_pk, actor=actor)
        if deleted_at is None:
            search.index_records(group)
        else:
            search.unindex(model, [r.pk for r in group])
        for record in group:
            events.publish(event_name(record, verb), record=record, actor=actor)
        done.extend(group)
    return done


def _by_model(records):
    """Group records by model, keeping order, one entry per primary key."""
    groups = {}
    for record in records:
        groups.setdefault(type(record), {}).setdefault(record.pk, record)
    return [(model, list(group.values())) for model, group in groups.items()]


def _publish_updates(records, changes_by_pk, actor):
    for record in records:
        events.publish(
            event_name(record, "updated"),
            record=record,
            changes=changes_by_pk[record.pk],
            actor=actor,
        )


def _reindex(record):
    search.index_records([record])


def _as_version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # garbage never matches: the caller gets a clean "stale" answer


def _iso(value):
    return value.isoformat() if value is not None else None
