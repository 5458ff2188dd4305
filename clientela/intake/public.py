"""The public side of web forms: the hosted page (which an embedded snippet also posts to) and
the double opt-in confirmation link. No sign-in; guarded by a honeypot, a rate limit per
sender and size limits, and exempt from CSRF because other sites post to it."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .models import WebForm
from .services.webforms import address_hash

HONEYPOT = "website_url"  # hidden from people; bots fill every field they find
RATE_LIMIT = 10  # submissions per sender and form...
RATE_WINDOW = 600  # ...every ten minutes
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_VALUE = 5000


def _sender(request):
    return address_hash(request.META.get("REMOTE_ADDR", ""))


def _too_many(form, sender):
    key = f"clientela:form:{form.pk}:{sender}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        return cache.incr(key) > RATE_LIMIT
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        return False


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
        services.submit_form(form, values, context=where, language=language)
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
        contact = services.confirm_consent(token)
    except ValidationError as error:
        return render(
            request, "intake/public_confirmed.html", {"problem": error.messages[0]}, status=400
        )
    return render(request, "intake/public_confirmed.html", {"contact": contact})
