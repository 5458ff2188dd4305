"""Signing in (password, then a TOTP code for users who turned two-factor on), signing out and
choosing the interface language.

Failed passwords and failed codes both count towards django-axes' lockout.
"""

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.core import settings_services
from clientela.core.forms import LanguageForm, OtpCodeForm
from clientela.core.models import User

PENDING_KEY = "clientela_pending_2fa"
PENDING_MAX_AGE = 300  # seconds between the correct password and the code


def confirmed_totp_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class SignInView(auth_views.LoginView):
    """Django's sign-in; users with a confirmed TOTP device continue to a second step."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if confirmed_totp_device(user) is None:
            return super().form_valid(form)
        # Not signed in yet: remember who passed the first step, for a few minutes only.
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "since": time.time(),
        }
        return redirect("core:login_verify")


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("since", 0) > PENDING_MAX_AGE:
        return None, None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def verify_code(request):
    """Second sign-in step: the six-digit code from the user's authenticator app."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("core:login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    device = confirmed_totp_device(user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device is not None and device.verify_token(form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            auth.login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            return redirect(_safe_next(request, pending.get("next")) or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("That code is not valid. Try the current one."))
        # Counts towards the lockout like a wrong password; axes' middleware answers with the
        # lockout page when the limit is reached.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(request, "core/login_verify.html", {"form": form})


@require_POST
def sign_out(request):
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _safe_next(request, target):
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
def set_language(request):
    """Store the language on the profile (signed-in users) and in the language cookie (always,
    so the sign-in page keeps it after signing out)."""
    form = LanguageForm(request.POST)
    fallback = reverse("core:home") if request.user.is_authenticated else reverse("core:login")
    target = _safe_next(request, request.POST.get("next")) or fallback
    response = redirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        settings_services.set_language(request.user, language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )
    return response
