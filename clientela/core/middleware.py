import logging
import re
import time
from functools import wraps

from django.utils import translation

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context, new_request_id

logger = logging.getLogger("clientela.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Give every request an id (taken from ``X-Request-ID`` when sane), mark changes made by it
    as coming from the UI or the API, and log one structured line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID.match(incoming) else new_request_id()
        source = ChangeSource.API if request.path.startswith("/api/") else ChangeSource.UI
        started = time.perf_counter()
        # Scoped to this request: a thread that serves it later runs jobs or tests unmarked.
        with change_context(source=source, request_id=request.id):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "request_id": request.id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class UserLanguageMiddleware:
    """Signed-in users see the interface in the language stored on their profile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Pages load scripts, styles and images from this site only (no inline script or style
    that injected markup could use) and nothing frames them. A view may send its own policy
    (see ``content_security_policy``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def content_security_policy(policy):
    """Decorate a view whose page needs another policy (a third-party page with inline code)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.headers["Content-Security-Policy"] = policy
            return response

        return wrapped

    return decorate
