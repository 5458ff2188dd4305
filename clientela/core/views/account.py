"""The signed-in user's own account: password, two-factor authentication and API tokens."""

import base64

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.core import tokens
from clientela.core.forms import ApiTokenForm, OtpCodeForm, PasswordConfirmForm
from clientela.core.models import ApiToken
from clientela.core.views.auth import confirmed_totp_device


@login_required
def account(request):
    return render(
        request,
        "core/account.html",
        {"two_factor_on": confirmed_totp_device(request.user) is not None},
    )


class PasswordChange(LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, gettext_lazy("Your password was changed."))
        return response


def _qr_svg(data):
    """An inline SVG QR code (no image file, no external service)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration so the SVG can sit inside HTML; the content is our own markup.
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308


def _setup_device(user):
    """The user's unconfirmed TOTP device, created on first visit; a fresh secret each time
    two-factor is turned on again."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request):
    """Turn two-factor on: scan the QR code (or type the secret), then confirm with a code."""
    if confirmed_totp_device(request.user) is not None:
        return render(
            request,
            "core/two_factor.html",
            {"two_factor_on": True, "disable_form": PasswordConfirmForm(request.user)},
        )
    device = _setup_device(request.user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("core:account")
        form.add_error("code", _("That code is not valid. Check the time on your phone."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "core/two_factor.html",
        {
            "two_factor_on": False,
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@sensitive_post_parameters("password")
@login_required
@require_POST
def two_factor_disable(request):
    form = PasswordConfirmForm(request.user, request.POST)
    if not form.is_valid():
        return render(
            request,
            "core/two_factor.html",
            {"two_factor_on": True, "disable_form": form},
            status=400,
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("core:account")


@never_cache
@login_required
def api_tokens(request):
    """List, create and revoke the user's own tokens. A new token is shown in the response to
    the POST that created it and never again (only its hash is stored)."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_token = tokens.create_token(
                request.user, form.cleaned_data["name"], expires_at=form.expires_at()
            )
            form = ApiTokenForm()
        else:
            status = 400
    return render(
        request,
        "core/api_tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        },
        status=status,
    )


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke_token(token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("core:api_tokens")
