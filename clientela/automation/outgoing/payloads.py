"""What a webhook receives: ``{"id", "event", "created_at", "data", "changes"}`` as JSON, where
``data`` is the record as the REST API shows it (the same serializer, so the shapes agree) and
``changes`` is ``{field: [before, after]}`` for changes (else ``{}``)."""

import json
from functools import cache

from rest_framework.utils.encoders import JSONEncoder

from clientela.core.api.serializers import reader_for

PING = "ping"


def body(event_id, event, created_at, data, changes=None):
    """The JSON text sent, compact and in UTF-8 (the exact bytes the signature covers)."""
    payload = {
        "id": str(event_id),
        "event": event,
        "created_at": created_at,
        "data": data,
        "changes": changes or {},
    }
    return json.dumps(payload, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))


def record_data(record):
    """``record`` as its API endpoint would answer it (read again, with what the endpoint
    prefetches, trashed or not); ``{"id": pk}`` when it is gone or has no endpoint."""
    model = type(record)
    view = _views().get(model)
    if view is not None:
        manager = getattr(model, "all_objects", model._default_manager)
        stored = view.optimize(manager.filter(pk=record.pk)).first()
        if stored is None:
            return {"id": record.pk}
        return reader_for(view.get_serializer_class()).to_representation(stored)
    serializer = _extra_serializers().get(model)
    if serializer is not None:
        return reader_for(serializer).to_representation(record)
    return {"id": record.pk}


@cache
def _views():
    """Model -> a detached instance of its REST API viewset (``clientela.api``'s router)."""
    from clientela.api import router

    views = {}
    for _prefix, viewset, _basename in router.registry:
        model = getattr(viewset, "model", None)
        if model is None or not hasattr(viewset, "optimize"):
            continue
        view = viewset()
        view.action, view.request, view.format_kwarg = "retrieve", None, None
        views.setdefault(model, view)
    return views


@cache
def _extra_serializers():
    """Records events carry that have no endpoint of their own."""
    from clientela.intake.api.serializers import FormSubmissionSerializer
    from clientela.intake.models import FormSubmission

    return {FormSubmission: FormSubmissionSerializer}
