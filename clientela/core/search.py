"""One global search across entities, on a real full-text index.

Apps register what makes a record findable (``register``); services call ``index_records`` and
``unindex`` inside their transactions. The index is ``core.SearchEntry``: SQLite matches it
through an FTS5 table with prefix indexes, PostgreSQL through a GIN ``tsvector`` index — both
created in core's migrations — behind the same functions.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from clientela.core import permissions
from clientela.core.models import SearchEntry
from clientela.core.text import normalize, search_terms

_PUNCTUATION = re.compile(r"[^\w\s]+")


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


_entities = {}


def register(name, model, document, url_name, label):
    _entities[name] = Entity(name, model, document, url_name, label)


def entities():
    return dict(_entities)


def entity_for_model(model):
    return next(e for e in _entities.values() if e.model is model)


def _index_text(text):
    # Both engines then split words the same way: "ana.garcia@x.es" -> "ana garcia x es".
    return _PUNCTUATION.sub(" ", normalize(text))


def index_records(records):
    """Create or refresh the entries of ``records`` (all of one model)."""
    records = list(records)
    if not records:
        return
    entity = entity_for_model(type(records[0]))
    ids = [r.pk for r in records]
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
    SearchEntry.objects.bulk_create(entries, batch_size=1000)


def unindex(model, ids):
    entity = entity_for_model(model)
    SearchEntry.objects.filter(entity=entity.name, object_id__in=list(ids)).delete()


def match_expression(query):
    """A boolean SQL expression: the entry matches every word of ``query`` as a prefix."""
    terms = search_terms(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return RawSQL(
            "to_tsvector('simple', core_searchentry.text) @@ to_tsquery('simple', %s)",
            [tsquery],
            output_field=BooleanField(),
        )
    fts_query = " ".join(f'"{t}"*' for t in terms)
    return RawSQL(
        "core_searchentry.id IN (SELECT rowid FROM core_searchentry_fts "
        "WHERE core_searchentry_fts MATCH %s)",
        [fts_query],
        output_field=BooleanField(),
    )


def _scoped_entries(user, entity_names, query):
    condition = match_expression(query)
    if condition is None:
        return SearchEntry.objects.none()
    readable = [
        n
        for n in entity_names
        if permissions.can_read(user, permissions.area_of(_entities[n].model))
    ]
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
    found.sort(key=lambda e: (not normalize(e.title).startswith(wanted), len(e.title)))
    return found[:limit]


def matching_ids(model, query):
    """A subquery of the ids of ``model`` records matching ``query``, for list filters (the
    list itself is already restricted to the user's scope)."""
    condition = match_expression(query)
    if condition is None:
        return SearchEntry.objects.none().values("object_id")
    entity = entity_for_model(model)
    return SearchEntry.objects.filter(condition, entity=entity.name).values("object_id")
