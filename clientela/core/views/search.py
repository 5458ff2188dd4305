"""The global search: a full results page (works without JavaScript) and the JSON suggestions
that the header's typeahead and the record pickers (``core.pickers``) ask for."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from clientela.core import search

MAX_QUERY_LENGTH = 100
MAX_SUGGESTIONS = 10
RESULTS_PER_ENTITY = 25


def query_from(request):
    """The search text, trimmed and capped so a huge ``q`` never reaches the index."""
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]


def _result(entity, entry):
    return {
        "entity": entry.entity,
        "id": entry.object_id,
        "label": str(entity.label),
        "title": entry.title,
        "subtitle": entry.subtitle,
        "url": reverse(entity.url_name, kwargs={"pk": entry.object_id}),
    }


@login_required
@require_GET
def suggest(request):
    """Up to ten records matching ``q``; ``entity=company`` keeps one kind of record (a picker's),
    and an entity nobody registered simply matches nothing."""
    query = query_from(request)
    entity = request.GET.get("entity", "").strip()
    known = search.entities()
    results = []
    if query and (not entity or entity in known):
        found = search.search(
            request.user, query, entity_names=[entity] if entity else None, limit=MAX_SUGGESTIONS
        )
        results = [_result(known[entry.entity], entry) for entry in found]
    return JsonResponse({"results": results})


@login_required
@require_GET
def search_page(request):
    query = query_from(request)
    groups = []
    if query:
        for name, entity in search.entities().items():
            found = search.search(
                request.user, query, entity_names=[name], limit=RESULTS_PER_ENTITY
            )
            if found:
                groups.append(
                    {"label": entity.label, "results": [_result(entity, e) for e in found]}
                )
    return render(
        request,
        "core/search.html",
        {"search_query": query, "groups": groups, "limit": RESULTS_PER_ENTITY},
    )
