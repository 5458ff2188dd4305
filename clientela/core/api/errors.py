"""API errors as JSON with a stable ``code``, a message and per-field messages::

    {"code": "invalid", "message": "...", "fields": {"email": ["Enter a valid e-mail."]}}

``fields`` is always present (empty when the error is not about fields), so clients can rely on
one shape for every 4xx.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from clientela.core.records import StaleRecord

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "throttled",
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The record was changed by someone else; read it again.")
    default_code = "precondition_failed"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def _fields(detail):
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return None


def _messages(value):
    if isinstance(value, list):
        flat = []
        for item in value:
            flat.extend(_messages(item) if isinstance(item, list | dict) else [str(item)])
        return flat
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


def error_body(code, message, fields=None):
    return {"code": code, "message": str(message), "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, StaleRecord):
        exc = PreconditionFailed()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status_code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        response.data = error_body(
            CODES[400],
            _("The request has invalid fields."),
            fields if fields is not None else {"non_field_errors": _messages(exc.detail)},
        )
    elif isinstance(exc, exceptions.ParseError):
        # Malformed JSON: say so with its own code, the parser's detail as the message.
        response.data = error_body("malformed", getattr(exc, "detail", ""))
    else:
        response.data = error_body(
            CODES.get(status_code, "error"), getattr(exc, "detail", "") or ""
        )
    return response


def not_found(request, *args, **kwargs):
    """JSON 404 for any path under ``/api/v1/`` that names no endpoint."""
    return JsonResponse(
        error_body(CODES[404], _("No endpoint at this address.")), status=status.HTTP_404_NOT_FOUND
    )
