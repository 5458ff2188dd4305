"""The public side of intake: the web form page (which an embedded snippet also posts to), the
double opt-in confirmation link and webhooks. No sign-in, and exempt from CSRF because other
sites post to them; forms are guarded by a honeypot, a rate limit per sender and size limits,
webhooks by a signature and a size limit."""

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clientela.contacts.privacy.evidence import consent_evidence
from clientela.core import ratelimit

from . import services
from .choices import DeliveryStatus
from .models import WebForm, Webhook
from .services.webforms import address_hash

HONEYPOT = "website_url"  # hidden from people; bots fill every field they find
RATE_LIMIT = 10  # submissions per sender and form...
RATE_WINDOW = 600  # ...every ten minutes
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_VALUE = 5000


def _sender(request):
    return address_hash(request.META.get("REMOTE_ADDR", ""))


def _too_many(form, sender):
    return ratelimit.exceeded(f"form:{form.pk}:{sender}", RATE_LIMIT, RATE_WINDOW)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def form_page(request, slug):
    form = get_object_or_404(WebForm, slug=slug, active=True)
    language = (get_language() or "es")[:2]
    context = {
        "form": form,
        "consent": form.consent_in(language),
        "honeypot": HONEYPOT,
        "values": {},
        "errors": {},
    }
    if request.method == "GET":
        return render(request, "intake/public_form.html", {**context, "values": request.GET})
    values = {k: v[:MAX_VALUE] for k, v in request.POST.items() if k != HONEYPOT}
    sent = {**context, "values": values}
    if request.POST.get(HONEYPOT):
        return render(request, "intake/public_thanks.html", sent)  # a bot: say thanks, keep none
    sender = _sender(request)
    if _too_many(form, sender):
        return render(request, "intake/public_form.html", {**sent, "limited": True}, status=429)
    where = {k: request.POST.get(k, "")[:200] for k in UTM_KEYS if request.POST.get(k)}
    where.update(
        referrer=request.POST.get("referrer", request.META.get("HTTP_REFERER", ""))[:500],
        sender=sender,
        language=language,
    )
    try:
        services.submit_form(
            form, values, context=where, language=language, evidence=consent_evidence(request)
        )
    except ValidationError as error:
        return render(
            request, "intake/public_form.html", {**sent, "errors": error.message_dict}, status=400
        )
    if form.redirect_url:
        return HttpResponseRedirect(form.redirect_url)
    return render(request, "intake/public_thanks.html", sent)


@require_http_methods(["GET"])
def confirm_consent(request, token):
    try:
        contact = services.confirm_consent(token, evidence=consent_evidence(request))
    except ValidationError as error:
        return render(
            request, "intake/public_confirmed.html", {"problem": error.messages[0]}, status=400
        )
    return render(request, "intake/public_confirmed.html", {"contact": contact})


MAX_WEBHOOK_BODY = 1024 * 1024


@csrf_exempt
@require_http_methods(["POST"])
def webhook(request, token):
    """A call from another system: a signed JSON object, answered in JSON."""
    hook = get_object_or_404(Webhook, token=token, active=True)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_WEBHOOK_BODY:
        return JsonResponse({"errors": {"payload": [_("At most 1 MB.")]}}, status=413)
    body = request.body
    signature = request.headers.get("X-Clientela-Signature") or request.headers.get(
        "X-Hub-Signature-256"
    )
    if not services.signature_is_valid(hook, body, signature):
        return JsonResponse(
            {"errors": {"signature": [_("Missing or wrong signature.")]}}, status=401
        )
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errors": {"payload": [_("Send a JSON object.")]}}, status=400)
    delivery = services.receive(hook, payload)
    if delivery.status == DeliveryStatus.REFUSED:
        return JsonResponse({"errors": delivery.errors}, status=400)
    return JsonResponse({"status": delivery.status, "contact": delivery.contact_id})
