"""One global search across entities, on a real full-text index.

Apps register what makes a record findable (``register``); services call ``index_records`` and
``unindex`` inside their transactions. The index is ``core.SearchEntry``: SQLite matches it
through an FTS5 table with prefix indexes, PostgreSQL through a GIN ``tsvector`` index — both
created in core's migrations — behind the same functions.

User queries never reach either engine's query syntax: ``text.search_terms`` keeps only letters
and digits, and each term becomes a quoted prefix (FTS5) or a ``term:*`` lexeme (tsquery).
"""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Expression, F, QuerySet, prefetch_related_objects

from clientela.core import permissions
from clientela.core.models import SearchEntry
from clientela.core.text import normalize, search_terms

_SEPARATORS = re.compile(r"[\W_]+")
BATCH_SIZE = 500  # records per delete/insert round trip (well under SQLite's variable limit)


@dataclass(frozen=True)
class SearchDocument:
    title: str
    subtitle: str
    text: str


@dataclass(frozen=True)
class Entity:
    name: str
    model: type
    document: object  # callable(record) -> SearchDocument
    url_name: str
    label: str
    # What ``document`` reads besides the record's own columns; loaded once per batch.
    related: tuple = field(default=())


_entities = {}


def register(name, model, document, url_name, label, *, related=()):
    """Make ``model`` searchable. ``related`` lists the relations ``document`` reads
    (``("company", "emails")``) so that indexing a batch costs a fixed number of queries."""
    _entities[name] = Entity(name, model, document, url_name, label, tuple(related))


def entities():
    return dict(_entities)


def entity_for_model(model):
    return next(e for e in _entities.values() if e.model is model)


def _index_text(text):
    # Both engines then split words the same way: "ana.garcia@x.es" -> "ana garcia x es".
    return _SEPARATORS.sub(" ", normalize(text)).strip()


def index_records(records, *, model=None):
    """Create or refresh the index entries of ``records`` (all of one model).

    ``records`` is a list of instances, a queryset, or ids (then pass ``model``). Querysets and
    ids are read in batches with the entity's relations prefetched, so reindexing thousands of
    records uses bounded memory and a fixed number of queries per batch. Trashed records lose
    their entries.
    """
    if isinstance(records, QuerySet):
        model = records.model
        entity = entity_for_model(model)
        queryset = records.prefetch_related(*entity.related)
        _index_batches(entity, queryset.iterator(chunk_size=BATCH_SIZE))
        return
    records = list(records)
    if not records:
        return
    if model is not None and not isinstance(records[0], model):
        entity = entity_for_model(model)
        ids = records
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            found = list(model.all_objects.filter(pk__in=chunk).prefetch_related(*entity.related))
            _index_batch(entity, chunk, found)
        return
    entity = entity_for_model(type(records[0]))
    _index_batches(entity, records)


def _index_batches(entity, records):
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            prefetch_related_objects(batch, *entity.related)
            _index_batch(entity, [r.pk for r in batch], batch)
            batch = []
    if batch:
        prefetch_related_objects(batch, *entity.related)
        _index_batch(entity, [r.pk for r in batch], batch)


def _index_batch(entity, ids, records):
    SearchEntry.objects.filter(entity=entity.name, object_id__in=ids).delete()
    entries = []
    for record in records:
        if record.deleted_at is not None:
            continue
        doc = entity.document(record)
        entries.append(
            SearchEntry(
                entity=entity.name,
                object_id=record.pk,
                title=doc.title[:300],
                subtitle=doc.subtitle[:300],
                text=_index_text(doc.text),
                owner_id=record.owner_id,
                team_id=record.team_id,
            )
        )
    SearchEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def unindex(model, ids):
    entity = entity_for_model(model)
    ids = list(ids)
    for start in range(0, len(ids), BATCH_SIZE):
        SearchEntry.objects.filter(
            entity=entity.name, object_id__in=ids[start : start + BATCH_SIZE]
        ).delete()


class _Matches(Expression):
    """``<column> matches <full-text query>``, compiled against whatever alias the query gives
    the search table (it is often a subquery, aliased ``U0``)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, template, param):
        super().__init__()
        self.column, self.template, self.param = column, template, param

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def resolve_expression(self, *args, **kwargs):
        clone = self.copy()
        clone.column = self.column.resolve_expression(*args, **kwargs)
        return clone

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return self.template % sql, [*params, self.param]


def match_expression(query):
    """A boolean expression: the entry matches every word of ``query`` as a prefix; ``None``
    when the query has no word at all (then nothing matches)."""
    terms = search_terms(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return _Matches(
            F("text"), "to_tsvector('simple', %s) @@ to_tsquery('simple', %%s)", tsquery
        )
    fts_query = " ".join(f'"{t}"*' for t in terms)
    return _Matches(
        F("id"),
        "%s IN (SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %%s)",
        fts_query,
    )


def _scoped_entries(user, entity_names, query):
    readable = [
        n
        for n in entity_names
        if n in _entities and permissions.can_read(user, permissions.area_of(_entities[n].model))
    ]
    condition = match_expression(query)
    if condition is None or not readable:
        return SearchEntry.objects.none()
    entries = SearchEntry.objects.filter(condition, entity__in=readable)
    scope = permissions.scope_q(user)
    return entries if scope is None else entries.filter(scope)


def search(user, query, *, entity_names=None, limit=10):
    """Entries matching ``query`` that ``user`` may see, best first (title starts with it)."""
    names = entity_names or list(_entities)
    found = list(
        _scoped_entries(user, names, query).only("entity", "object_id", "title", "subtitle")[
            : limit * 5
        ]
    )
    wanted = normalize(query)
    found.sort(key=lambda e: (not normalize(e.title).startswith(wanted), len(e.title), e.pk))
    return found[:limit]


def matching_ids(model, query):
    """A subquery of the ids of ``model`` records matching ``query``, for list filters (the
    list itself is already restricted to the user's scope)."""
    condition = match_expression(query)
    if condition is None:
        return SearchEntry.objects.none().values("object_id")
    entity = entity_for_model(model)
    return SearchEntry.objects.filter(condition, entity=entity.name).values("object_id")
