"""Privacy pages: the consent panel's actions, the data-access export, erasure, the public
withdrawal link and the retention settings. Thin: forms validate, ``privacy`` services write."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from clientela.core import permissions, ratelimit

from .choices import ConsentPurpose, PrivacyRequestKind
from .models import Contact, PrivacyRequest
from .privacy import consent, erasure, export, links, retention
from .privacy.evidence import consent_evidence, sender_key
from .privacy.forms import ConsentRecordForm, ErasureForm, RetentionRuleForm


def _detail_url(contact):
    return reverse("contacts:contact_detail", args=[contact.pk]) + "#privacy-heading"


def _form_errors(form):
    return "; ".join(str(m) for messages_ in form.errors.values() for m in messages_)


class ContactConsentView(LoginRequiredMixin, View):
    """POST: record a grant or withdrawal typed by a user (the panel's form)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = _changeable_contact(request.user, pk)
        form = ConsentRecordForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return HttpResponseRedirect(_detail_url(contact))
        data = form.cleaned_data
        try:
            if data["action"] == "grant":
                consent.record_consent(
                    contact,
                    actor=request.user,
                    purpose=data["purpose"],
                    lawful_basis=data["lawful_basis"],
                    source=data["source"],
                    text=data["text"],
                    note=data["note"],
                )
            else:
                consent.withdraw_consent(
                    contact,
                    actor=request.user,
                    purpose=data["purpose"],
                    source=data["source"],
                    note=data["note"],
                )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("Recorded in the consent log."))
        return HttpResponseRedirect(_detail_url(contact))


class ContactWithdrawView(LoginRequiredMixin, View):
    """POST: withdraw one purpose in one click (the person asked by phone, by e-mail...)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = _changeable_contact(request.user, pk)
        purpose = request.POST.get("purpose", consent.CURRENT_PURPOSE)
        try:
            consent.withdraw_consent(contact, actor=request.user, purpose=purpose, source="ui")
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("Consent withdrawn."))
        return HttpResponseRedirect(_detail_url(contact))


def _changeable_contact(user, pk):
    if not permissions.can_read(user, "contacts"):
        raise PermissionDenied
    contact = get_object_or_404(permissions.visible(user, Contact.all_objects.all()), pk=pk)
    permissions.require_change(user, contact)
    return contact


def _privacy_contact(user, pk):
    """Any contact, trash included, for a user who may handle privacy requests (403 else)."""
    permissions.require_privacy_requests(user)
    return get_object_or_404(Contact.all_objects, pk=pk)


class ContactDataExportView(LoginRequiredMixin, View):
    """POST: download everything held about the contact as JSON (audited)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = _privacy_contact(request.user, pk)
        try:
            data, _audit = export.export_contact_data(
                contact, actor=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
            return HttpResponseRedirect(_detail_url(contact))
        return export_response(contact, data)


def export_response(contact, data):
    body = json.dumps(data, cls=export.ExportEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.export_filename(contact)}"'
    return response


class ContactEraseView(LoginRequiredMixin, View):
    """GET: the confirmation page (choose anonymise or purge, say why); POST: do it."""

    template_name = "contacts/privacy_erase.html"

    def get(self, request, pk):
        contact = _privacy_contact(request.user, pk)
        return self.render(request, contact, ErasureForm())

    def post(self, request, pk):
        contact = _privacy_contact(request.user, pk)
        form = ErasureForm(request.POST)
        if not form.is_valid():
            return self.render(request, contact, form, status=400)
        mode, reason = form.cleaned_data["mode"], form.cleaned_data["reason"]
        try:
            if mode == "anonymise":
                erasure.anonymise_contact(contact, actor=request.user, reason=reason)
            else:
                erasure.purge_contact(contact, actor=request.user, reason=reason)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(request, contact, form, status=400)
        if mode == "anonymise":
            messages.success(request, _("The contact was anonymised."))
            return HttpResponseRedirect(reverse("contacts:contact_detail", args=[contact.pk]))
        messages.success(
            request,
            _("The contact was deleted with all their personal data (#%(id)d).")
            % {"id": contact.pk},
        )
        return HttpResponseRedirect(reverse("contacts:contact_list"))

    def render(self, request, contact, form, status=200):
        context = {"record": contact, "form": form, "cancel_url": _detail_url(contact)}
        return render(request, self.template_name, context, status=status)


# --- the public withdrawal link -----------------------------------------------------------------

RATE_LIMIT = 20  # uses of withdrawal links per sender...
RATE_WINDOW = 600  # ...every ten minutes


def _too_many(request):
    return ratelimit.exceeded("withdraw:" + sender_key(request), RATE_LIMIT, RATE_WINDOW)


class PublicWithdrawView(View):
    """No sign-in. GET shows what the link withdraws and a button (mail scanners follow links:
    a GET never changes anything); POST withdraws. In the person's language."""

    template_name = "contacts/public_withdraw.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, token):
        if _too_many(request):
            return self.page(request, None, {"limited": True}, status=429)
        try:
            contact, purpose = links.read_withdrawal_token(token)
        except ValidationError as error:
            return self.page(request, None, {"problem": error.messages[0]}, status=400)
        return super().dispatch(request, token, contact, purpose)

    def get(self, request, token, contact, purpose):
        return self.page(request, contact, {"purpose": ConsentPurpose(purpose).label})

    def post(self, request, token, contact, purpose):
        try:
            links.withdraw_by_link(token, evidence=consent_evidence(request))
        except ValidationError as error:
            return self.page(request, contact, {"problem": error.messages[0]}, status=400)
        return self.page(request, contact, {"done": True, "purpose": ConsentPurpose(purpose).label})

    def page(self, request, contact, context, status=200):
        language = getattr(contact, "language", "") or translation.get_language()
        with translation.override(language):
            response = render(request, self.template_name, context, status=status)
            response["Content-Language"] = translation.get_language()
        return response


# --- settings -----------------------------------------------------------------------------------


class PrivacySettingsView(LoginRequiredMixin, View):
    """Administrators: the retention rules (with a dry-run count of what each would touch now,
    when it last ran and how much it did) and the latest privacy requests."""

    template_name = "contacts/privacy_settings.html"
    recent_requests = 50

    def get(self, request):
        permissions.require_settings(request.user)
        return self.render(request)

    def post(self, request):
        permissions.require_settings(request.user)
        rule = next((r for r in retention.rules() if str(r.pk) == request.POST.get("rule")), None)
        if rule is None:
            raise Http404
        form = RetentionRuleForm(request.POST)
        if not form.is_valid():
            return self.render(request, errors={rule.pk: form}, status=400)
        data = form.cleaned_data
        if request.POST.get("preview"):
            count = retention.dry_run(rule.kind, data["period"])
            return self.render(request, previews={rule.pk: (data["period"], count)})
        retention.update_rule(
            rule, actor=request.user, enabled=data["enabled"], period=data["period"]
        )
        messages.success(request, _("Retention rule saved."))
        return HttpResponseRedirect(reverse("contacts:privacy_settings"))

    def render(self, request, errors=None, previews=None, status=200):
        rows = []
        for rule in retention.rules():
            rows.append(
                {
                    "rule": rule,
                    "unit_days": rule.kind in retention.IN_DAYS,
                    "would_touch": retention.dry_run(rule.kind, rule.period),
                    "form_errors": (errors or {}).get(rule.pk),
                    "preview": (previews or {}).get(rule.pk),
                }
            )
        context = {
            "rows": rows,
            "requests": PrivacyRequest.objects.select_related("requested_by")[
                : self.recent_requests
            ],
            "request_kinds": PrivacyRequestKind,
        }
        return render(request, self.template_name, context, status=status)
