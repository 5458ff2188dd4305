"""The one history mechanism: snapshots of tracked records and the change records between them."""

import copy
import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType

from clientela.core.context import current_request_id, current_source
from clientela.core.models import ChangeRecord


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(record, *, tags=None):
    """The record's user-visible values as JSON: fields (foreign keys by id), each custom field
    as ``custom_fields.<key>``, tags by name (``tags``: the record's tags when the caller has
    just set them, else read), and whatever ``record.history_extra()`` adds (a contact's
    e-mails and phones).

    Values are copies read from the database (never a prefetched cache or a shared dict), so a
    snapshot taken before a change and one taken after always tell the truth.
    """
    exclude = set(getattr(record, "history_exclude", ()))
    data = {}
    for field in record._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name in exclude:
            continue
        value = field.value_from_object(record)
        if field.name == "custom_fields" and isinstance(value, dict):
            for key, custom_value in value.items():
                data[f"custom_fields.{key}"] = copy.deepcopy(custom_value)
            continue
        data[field.name] = _json_value(copy.deepcopy(value))
    if tags is not None:
        data["tags"] = sorted({tag.name for tag in tags})
    elif record.pk and any(f.name == "tags" for f in record._meta.many_to_many):
        data["tags"] = _tag_names(record)
    if hasattr(record, "history_extra"):
        data.update(record.history_extra())
    return data


def _tag_names(record):
    tags = record._meta.get_field("tags")
    links = tags.remote_field.through.objects.filter(**{tags.m2m_field_name(): record.pk})
    return sorted(links.values_list(f"{tags.m2m_reverse_field_name()}__name", flat=True))


def diff(before, after):
    """``{field: [before, after]}`` for every field whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


# listener(records, action, changes_by_pk, actor), called in the writing transaction after
# the change records are written (the collaboration feed); ``core.bulk``'s creation rows for
# imports do not pass here.
_listeners = []


def add_listener(listener):
    """Have ``listener`` told of every change written through this module (apps call it from
    ``AppConfig.ready``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def record_change(record, action, changes=None, *, actor):
    """Write one change record for ``record`` with the current source and request id."""
    entry = ChangeRecord.objects.create(**_change_fields(record, action, changes, actor))
    _tell_listeners([record], action, {record.pk: changes or {}}, actor)
    return entry


def record_changes(records, action, changes_by_pk=None, *, actor):
    """Write change records for many records in one bulk insert (bulk actions, imports)."""
    records = list(records)
    changes_by_pk = changes_by_pk or {}
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(**_change_fields(r, action, changes_by_pk.get(r.pk), actor))
            for r in records
        ],
        batch_size=500,
    )
    _tell_listeners(records, action, changes_by_pk, actor)


def _tell_listeners(records, action, changes_by_pk, actor):
    for listener in _listeners:
        listener(records, action, changes_by_pk, actor)


def _change_fields(record, action, changes, actor):
    return {
        "content_type": ContentType.objects.get_for_model(record),
        "object_id": record.pk,
        "object_repr": str(record)[:200],
        "action": action,
        "changes": changes or {},
        "actor": actor if actor and actor.pk else None,
        "source": current_source(),
        "request_id": current_request_id(),
    }


def history_for(record):
    """The record's changes, newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("actor")


def creation_changes(record, *, tags=None):
    values = snapshot(record, tags=tags)
    return {k: [None, v] for k, v in values.items() if v not in (None, "", [], {})}
