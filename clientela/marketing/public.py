"""The public side of a campaign's e-mail: open pixel, click redirect, unsubscribe (a page and
RFC 8058 one-click), preference centre, web version. No sign-in; every link is signed
(``tracking``), and a link that is not ours gets a plain refusal.

Mail scanners open links: a GET of the unsubscribe or preference page changes nothing; only
the button (or the mail provider's one-click POST) does.
"""

import base64

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from clientela.contacts.choices import ConsentStatus
from clientela.contacts.privacy.evidence import consent_evidence, sender_key
from clientela.core import ratelimit

from . import tracking
from .choices import EngagementKind
from .models import CampaignRecipient, Enrollment
from .services import engagement

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
POSTS_PER_WINDOW = 30  # unsubscriptions and preference changes per sender...
WINDOW = 600  # ...every ten minutes
LANGUAGES = (("es", "Español"), ("ca", "Català"), ("en", "English"))


def _recipient(purpose, token, extra=""):
    recipient_id = tracking.read_token(purpose, token, extra)
    if recipient_id is None:
        return None
    return (
        CampaignRecipient.objects.select_related("contact", "campaign")
        .filter(pk=recipient_id)
        .first()
    )


@never_cache
@require_GET
def open_pixel(request, token):
    """Always the same transparent GIF: an unknown token records nothing and says nothing."""
    recipient = _recipient(tracking.OPEN, token)
    if recipient is not None:
        engagement.record_event(recipient, EngagementKind.OPEN)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_GET
def click(request, token):
    url = request.GET.get("u", "")
    recipient = _recipient(tracking.CLICK, token, url) if len(url) <= tracking.MAX_URL else None
    if recipient is None:
        raise Http404
    engagement.record_event(recipient, EngagementKind.CLICK, url=url)
    if recipient.opened_at is None:  # images blocked: the click says it was opened
        engagement.record_event(recipient, EngagementKind.OPEN)
    return HttpResponseRedirect(url)


@csrf_exempt  # mail providers post the one-click unsubscription without a form of ours
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    recipient = _recipient(tracking.UNSUBSCRIBE, token)
    if recipient is None:
        return _page(request, None, "marketing/public/unsubscribe.html", {"invalid": True}, 404)
    if request.method == "GET":
        return _page(request, recipient, "marketing/public/unsubscribe.html", _links(recipient))
    if ratelimit.exceeded("unsubscribe:" + sender_key(request), POSTS_PER_WINDOW, WINDOW):
        return _page(
            request, recipient, "marketing/public/unsubscribe.html", {"limited": True}, 429
        )
    engagement.unsubscribe(recipient, evidence=consent_evidence(request))
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse("Unsubscribed.\n", content_type="text/plain")  # RFC 8058
    context = {"done": True, **_links(recipient)}
    return _page(request, recipient, "marketing/public/unsubscribe.html", context)


@csrf_exempt  # a signed link is the proof; the page has no session to protect
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    template = "marketing/public/preferences.html"
    recipient = _recipient(tracking.PREFERENCES, token)
    if recipient is None or recipient.contact is None:
        return _page(request, None, template, {"invalid": True}, 404)
    contact = recipient.contact
    context = {
        "languages": LANGUAGES,
        "marketing_email": contact.consent_status == ConsentStatus.GRANTED,
        "language": contact.language,
    }
    if request.method == "POST":
        if ratelimit.exceeded("preferences:" + sender_key(request), POSTS_PER_WINDOW, WINDOW):
            return _page(request, recipient, template, {"limited": True}, 429)
        language = request.POST.get("language", "")
        if language not in dict(LANGUAGES):
            context["error"] = True
            return _page(request, recipient, template, context, 400)
        try:
            engagement.save_preferences(
                recipient,
                marketing_email=request.POST.get("marketing_email") == "on",
                language=language,
                evidence=consent_evidence(request),
            )
        except ValidationError:
            context["error"] = True
            return _page(request, recipient, template, context, 400)
        contact.refresh_from_db()
        context.update(
            saved=True,
            marketing_email=contact.consent_status == ConsentStatus.GRANTED,
            language=contact.language,
        )
    return _page(request, recipient, template, context)


def _links(recipient):
    return {"preferences_url": tracking.link(tracking.PREFERENCES, recipient.pk)}


def _page(request, recipient, template, context, status=200):
    contact = recipient.contact if recipient else None
    language = (contact.language if contact else "") or translation.get_language()
    with translation.override(language):
        response = render(request, template, context, status=status)
        response["Content-Language"] = translation.get_language()
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def web_version(request, token):
    """The message as the recipient got it (without the open pixel), for mail clients that
    show it badly. Its HTML was sanitised when the template was saved and every merged value
    escaped; the page still runs nothing (its own content security policy)."""
    from .sending.compose import composer_for

    recipient = _recipient(tracking.WEB_VERSION, token)
    if recipient is None or recipient.contact is None or recipient.campaign.template_id is None:
        return _page(request, None, "marketing/public/unsubscribe.html", {"invalid": True}, 404)
    rendered, _ = composer_for(recipient.campaign).render(recipient)
    engagement.record_event(recipient, EngagementKind.OPEN)
    response = HttpResponse(rendered.html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'"
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt  # mail providers post the one-click unsubscription without a form of ours
@never_cache
@require_http_methods(["GET", "POST"])
def sequence_unsubscribe(request, token):
    """The unsubscribe link of a sequence's e-mail (the token names the enrollment): the same
    page and one-click as a campaign's. Withdrawing consent ends every sequence of the contact
    (``marketing.subscribers``)."""
    template = "marketing/public/unsubscribe.html"
    enrollment_id = tracking.read_token(tracking.SEQUENCE_UNSUBSCRIBE, token)
    enrollment = (
        Enrollment.objects.select_related("contact").filter(pk=enrollment_id).first()
        if enrollment_id is not None
        else None
    )
    if enrollment is None:
        return _page(request, None, template, {"invalid": True}, 404)
    if request.method == "GET":
        return _page(request, enrollment, template, {})
    if ratelimit.exceeded("unsubscribe:" + sender_key(request), POSTS_PER_WINDOW, WINDOW):
        return _page(request, enrollment, template, {"limited": True}, 429)
    engagement.withdraw_by_link(
        enrollment.contact,
        note=f"Sequence {enrollment.sequence_id}",
        evidence=consent_evidence(request),
    )
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse("Unsubscribed.\n", content_type="text/plain")  # RFC 8058
    return _page(request, enrollment, template, {"done": True})
