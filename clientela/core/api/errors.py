"""API errors as JSON with a stable ``code`` and per-field messages::

{"code": "invalid", "message": "...", "fields": {"email": ["Enter a valid e-mail."]}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
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
    default_detail = "The record was changed by someone else; read it again."
    default_code = "precondition_failed"


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
    body = {"code": CODES.get(status_code, "error")}
    if isinstance(exc, exceptions.ValidationError):
        body["message"] = _("The request has invalid fields.")
        fields = _fields(exc.detail)
        body["fields"] = (
            fields if fields is not None else {"non_field_errors": _messages(exc.detail)}
        )
    else:
        detail = getattr(exc, "detail", "")
        body["message"] = str(detail)
        if getattr(detail, "code", None) and status_code not in (400,):
            body["code"] = CODES.get(status_code, str(detail.code))
    response.data = body
    return response
