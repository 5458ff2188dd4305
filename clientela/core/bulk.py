"""The write path of ``records.track_create`` for thousands of new records at once (imports).

``create_records`` keeps the same invariants as the one-record path — a history entry per
record with its creation values, its search entry, its child rows — but writes each table with
one statement per batch: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite. Ids are
allocated up front (from the sequence on PostgreSQL; above both ``max(id)`` and SQLite's
``AUTOINCREMENT`` high-water mark on SQLite, inside the caller's write transaction) so children
and history can point at their records without reading them back.

Callers validate every value first (the services' rules, applied in bulk) and run inside
``transaction.atomic``: a failed batch rolls back whole. Records are model instances; their
``pk`` is set here. ``<model>.created`` is published per record only when a subscriber wants it
(asked once per batch): an import nobody listens to pays nothing for events.
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

from clientela.core import events, search
from clientela.core import records as records_module
from clientela.core.choices import ChangeAction
from clientela.core.context import current_request_id, current_source
from clientela.core.history import _json_value
from clientela.core.models import ChangeRecord, SearchEntry

_prototypes = {}


def build(model, **values):
    """A new, unsaved ``model`` instance with ``values`` (field names or column attnames; a
    foreign key given by name takes an instance, saved or not) over the field defaults.

    ``Model(**values)`` spends most of its time matching keyword arguments to fields; for values
    already validated this copies a prototype's defaults instead, twenty times faster. Mutable
    defaults (a JSON field's ``{}``) must be passed explicitly.
    """
    if model not in _prototypes:
        defaults = dict(model().__dict__)
        defaults.pop("_state")
        relations = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}
        _prototypes[model] = (defaults, relations)
    defaults, relations = _prototypes[model]
    instance = model.__new__(model)
    data = instance.__dict__
    data.update(defaults)
    state = instance._state = ModelState()
    for name, value in values.items():
        attname = relations.get(name)
        if attname is None:
            data[name] = value
        else:
            data[attname] = value.pk if value is not None else None
            state.fields_cache[name] = value
    return instance


def allocate_ids(model, count):
    """``count`` new primary keys for ``model``'s table, ascending."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f'SELECT coalesce(max("id"), 0) FROM "{table}"')  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def insert_rows(model, columns, rows):
    """Insert plain rows (tuples in ``columns`` order, values already in database form)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


class _Columns:
    """How ``model``'s instances become rows: the concrete columns, read from the instance's
    ``__dict__``, and a converter for the few field types whose Python value is not what the
    database driver takes (the same conversions Django's ``get_db_prep_save`` makes)."""

    def __init__(self, model):
        fields = list(model._meta.concrete_fields)
        self.names = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.converters = [
            (n, converter) for n, f in enumerate(fields) if (converter := _converter(f))
        ]

    def row(self, record):
        data = record.__dict__
        values = [data[a] for a in self.attnames]
        for n, convert in self.converters:
            if values[n] is not None:
                values[n] = convert(values[n])
        return values


def _converter(field):
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return json.dumps  # COPY and SQLite both take JSON as its text
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


_columns = {}


def columns_of(model):
    key = (model, connection.vendor)
    if key not in _columns:
        _columns[key] = _Columns(model)
    return _columns[key]


def insert_instances(model, instances):
    """Insert model instances whose pk (if any) and every column are set."""
    columns = columns_of(model)
    insert_rows(model, columns.names, [columns.row(i) for i in instances])


def insert_new(model, instances):
    """Insert new instances, giving them primary keys first."""
    for instance, pk in zip(instances, allocate_ids(model, len(instances)), strict=True):
        instance.pk = pk
    insert_instances(model, instances)


def create_records(model, records, *, actor, children=None, extra_history=None, tags_of=None):
    """Create ``records`` (new ``CrmRecord`` instances, validated) with their history and search
    entries. ``children`` maps a child model to its instances, each built with its record
    (``ContactEmail(contact=contact, ...)``; the foreign key is filled once ids are known).
    ``extra_history(record)`` adds the values ``snapshot`` would read from the database (a
    contact's e-mails and phones); ``tags_of(record)`` gives its tag objects.
    """
    if not records:
        return records
    now = timezone.now()
    for record, pk in zip(records, allocate_ids(model, len(records)), strict=True):
        record.pk = record.id = pk
        record.created_at = record.updated_at = now
        record.version = 1
    fill_derived = records_module.derived_filler(model)  # e.g. a contact's completeness
    if fill_derived:
        fill_derived(records)
    insert_instances(model, records)
    for child_model, instances in (children or {}).items():
        link = _parent_link(child_model, model)
        for child in instances:
            setattr(child, link.attname, getattr(child, link.name).pk)
        insert_new(child_model, instances)
    if not fill_derived:
        records_module.refresh_derived(records)
    tags = {record.pk: tags_of(record) for record in records} if tags_of else {}
    _set_tags(model, records, tags)
    _write_history(model, records, actor, extra_history, tags, now)
    _write_search_entries(model, records)
    _publish_created(records, actor)
    return records


def _publish_created(records, actor):
    name = records_module.event_name(records[0], "created")
    if events.is_wanted(name):
        for record in records:
            events.publish(name, record=record, actor=actor)


def _parent_link(child_model, model):
    field = next(
        f for f in child_model._meta.concrete_fields if f.is_relation and f.related_model is model
    )
    return field


def _set_tags(model, records, tags):
    through = model._meta.get_field("tags").remote_field.through
    source, target = (f.column for f in through._meta.concrete_fields if f.is_relation)
    rows = [(r.pk, t.pk) for r in records for t in tags.get(r.pk, ())]
    insert_rows(through, [source, target], rows)


_tracked = {}


def _tracked_fields(model):
    """``(name, attname, needs conversion)`` of the fields history records, as ``snapshot``
    chooses them."""
    if model not in _tracked:
        exclude = set(getattr(model, "history_exclude", ()))
        plain = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)
        _tracked[model] = [
            (f.name, f.attname, not isinstance(f, plain) and not f.is_relation)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.editable and f.name not in exclude
        ]
    return _tracked[model]


def creation_values(record, extra=None, tags=()):
    """What ``history.creation_changes`` records, from the instance alone (no reads)."""
    data = record.__dict__
    changes = {}
    for name, attname, convert in _tracked_fields(type(record)):
        value = data[attname]
        if value is None or value == "":
            continue
        if name == "custom_fields":
            for key, custom_value in value.items():
                changes[f"custom_fields.{key}"] = [None, custom_value]
            continue
        changes[name] = [None, _json_value(value) if convert else value]
    if tags:
        changes["tags"] = [None, sorted(t.name for t in tags)]
    for key, value in (extra or {}).items():
        if value not in (None, "", [], {}):
            changes[key] = [None, value]
    return changes


def _write_history(model, records, actor, extra_history, tags, now):
    """One creation entry per record, as plain rows (a model instance per entry would cost
    more than the entry)."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    source, request_id = current_source(), current_request_id()
    actor_id = actor.pk if actor is not None and actor.pk else None
    when = connection.ops.adapt_datetimefield_value(now)
    ids = allocate_ids(ChangeRecord, len(records))
    rows = []
    for pk, record in zip(ids, records, strict=True):
        extra = extra_history(record) if extra_history else None
        changes = creation_values(record, extra, tags.get(record.pk, ()))
        rows.append(
            (
                pk,
                content_type_id,
                record.pk,
                str(record)[:200],
                ChangeAction.CREATE.value,
                json.dumps(changes),
                actor_id,
                source,
                request_id,
                when,
            )
        )
    columns = ["id", "content_type_id", "object_id", "object_repr", "action", "changes"]
    insert_rows(ChangeRecord, [*columns, "actor_id", "source", "request_id", "created_at"], rows)


def _write_search_entries(model, records):
    """The records' search entries, built by the entity's own document function (which reads
    the relations the caller has put in each record's prefetch cache)."""
    if not search.is_indexed(model):
        return
    entity = search.entity_for_model(model)
    ids = allocate_ids(SearchEntry, len(records))
    rows = []
    for pk, record in zip(ids, records, strict=True):
        doc = entity.document(record)
        text = search._index_text(doc.text)
        row = (pk, entity.name, record.pk, doc.title[:300], doc.subtitle[:300], text)
        rows.append((*row, record.owner_id, record.team_id))
    columns = ["id", "entity", "object_id", "title", "subtitle", "text", "owner_id", "team_id"]
    insert_rows(SearchEntry, columns, rows)
