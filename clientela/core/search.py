"""One global search across entities, on a real full-text index.

Apps register what makes a record findable (``register``); services call ``index_records`` and
``unindex`` inside their transactions. The index is ``core.SearchEntry``: SQLite matches it
through an FTS5 table with prefix indexes, PostgreSQL through a table of words read by prefix
ranges (``SearchWord``) — both kept in step by triggers created in core's migrations — behind
the same functions.

User queries never reach either engine's query syntax: ``text.search_terms`` keeps only letters
and digits; each term becomes a quoted prefix (FTS5) or a bound ``LIKE 'term%'`` parameter.
"""

import functools
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    F,
    OuterRef,
    QuerySet,
    prefetch_related_objects,
)

from clientela.core import permissions
from clientela.core.models import SearchEntry, SearchWord
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


def is_indexed(model):
    """Whether ``model``'s records belong in the index. A model that is found some other way
    (activities, through their timelines) says ``search_indexed = False``; any other model
    must be registered."""
    return getattr(model, "search_indexed", True)


def _index_text(text):
    # Both engines then split words the same way: "ana.garcia@x.es" -> "ana garcia x es".
    # Word by word, as normalising never joins or splits across white space: names, cities
    # and job titles repeat, so an import of a million records mostly finds them cached.
    return " ".join(filter(None, map(_index_word, str(text or "").split())))


@functools.lru_cache(maxsize=65536)
def _index_word(word):
    return _SEPARATORS.sub(" ", normalize(word)).strip()


def index_records(records, *, model=None, new=False):
    """Create or refresh the index entries of ``records`` (all of one model).

    ``records`` is a list of instances, a queryset, or ids (then pass ``model``). Querysets and
    ids are read in batches with the entity's relations prefetched, so reindexing thousands of
    records uses bounded memory and a fixed number of queries per batch. Trashed records lose
    their entries. ``new``: instances just created, which have no entries to replace.
    """
    if isinstance(records, QuerySet):
        model = records.model
        if not is_indexed(model):
            return
        entity = entity_for_model(model)
        queryset = records.prefetch_related(*entity.related)
        _index_batches(entity, queryset.iterator(chunk_size=BATCH_SIZE))
        return
    records = list(records)
    if not records or not is_indexed(model or type(records[0])):
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
    _index_batches(entity, records, new=new)


def _index_batches(entity, records, *, new=False):
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            prefetch_related_objects(batch, *entity.related)
            _index_batch(entity, [r.pk for r in batch], batch, new=new)
            batch = []
    if batch:
        prefetch_related_objects(batch, *entity.related)
        _index_batch(entity, [r.pk for r in batch], batch, new=new)


def _index_batch(entity, ids, records, *, new=False):
    if not new:
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
    if not is_indexed(model):
        return
    entity = entity_for_model(model)
    ids = list(ids)
    for start in range(0, len(ids), BATCH_SIZE):
        SearchEntry.objects.filter(
            entity=entity.name, object_id__in=ids[start : start + BATCH_SIZE]
        ).delete()


class _FtsMatch(Expression):
    """SQLite: ``<id column> IN (entries whose FTS5 row matches)``, compiled against whatever
    alias the query gives the search table (it is often a subquery, aliased ``U0``)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, fts_query):
        super().__init__()
        self.column, self.fts_query = column, fts_query

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
        fts = "SELECT rowid FROM core_searchentry_fts WHERE core_searchentry_fts MATCH %s"
        return f"{sql} IN ({fts})", [*params, self.fts_query]


def _fts_entries(terms):
    """SQLite: the entries matching every term as a word prefix."""
    return SearchEntry.objects.filter(_FtsMatch(F("id"), " ".join(f'"{t}"*' for t in terms)))


PREFIX_PROBE = 2000  # words counted per term to pick the narrowest one


def _words(terms):
    """PostgreSQL: ``SearchWord`` rows of the narrowest term whose entry has every other term.

    Read in primary-key order they come out in index order, so a limit stops the scan early.
    The narrowest term (fewest words, counted up to ``PREFIX_PROBE``) leads: "gar ana" walks the
    few "ana..." words, not every "garcia".
    """
    if len(terms) > 1:
        terms = sorted(terms, key=lambda t: (_count_words(t), -len(t)))
    lead, *others = terms
    words = SearchWord.objects.filter(word__startswith=lead)
    for term in others:
        same_entry = SearchWord.objects.filter(entry_id=OuterRef("entry_id"), word__startswith=term)
        words = words.filter(Exists(same_entry))
    return words


def _count_words(term):
    return SearchWord.objects.filter(word__startswith=term)[:PREFIX_PROBE].count()


def _readable(user, entity_names):
    return [
        n
        for n in entity_names
        if n in _entities and permissions.can_read(user, permissions.area_of(_entities[n].model))
    ]


_ENTRY_FIELDS = ("id", "entity", "object_id", "title", "subtitle")
_ENTRY_COLUMNS = tuple(f"entry__{name}" for name in _ENTRY_FIELDS)


def _candidates(user, entity_names, terms, count):
    """Up to ``count`` entries matching ``terms`` that ``user`` may see, in index order."""
    if connection.vendor == "postgresql":
        words = _words(terms).filter(entry__entity__in=entity_names)
        scope = permissions.scope_q(user, "entry__owner_id", "entry__team_id")
        if scope is not None:
            words = words.filter(scope)
        # An entry with two matching words ("García Garrido") comes twice: keep the first.
        rows = words.order_by("word", "entry_id").values_list(*_ENTRY_COLUMNS)[:count]
        found = {row[0]: SearchEntry(**dict(zip(_ENTRY_FIELDS, row, strict=True))) for row in rows}
        return list(found.values())
    entries = _fts_entries(terms).filter(entity__in=entity_names)
    scope = permissions.scope_q(user)
    if scope is not None:
        entries = entries.filter(scope)
    return list(entries.only("entity", "object_id", "title", "subtitle")[:count])


def search(user, query, *, entity_names=None, limit=10):
    """Entries matching ``query`` that ``user`` may see, best first (title starts with it)."""
    terms = search_terms(query)
    readable = _readable(user, entity_names or list(_entities))
    if not terms or not readable:
        return []
    found = _candidates(user, readable, terms, limit * 5)
    wanted = normalize(query)
    found.sort(key=lambda e: (not normalize(e.title).startswith(wanted), len(e.title), e.pk))
    return found[:limit]


def matching_ids(model, query):
    """A subquery of the ids of ``model`` records matching ``query``, for list filters (the
    list itself is already restricted to the user's scope)."""
    terms = search_terms(query)
    if not terms:
        return SearchEntry.objects.none().values("object_id")
    entity = entity_for_model(model)
    if connection.vendor == "postgresql":
        return _words(terms).filter(entry__entity=entity.name).values("entry__object_id")
    return _fts_entries(terms).filter(entity=entity.name).values("object_id")
