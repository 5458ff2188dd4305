"""The customer portal (``/portal/``): customers sign in with a link e-mailed to them, see
their own cases — never anyone else's, never internal notes —, answer them and open new ones."""

import functools

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from .models.cases import MAX_SUBJECT
from .services import portal as services

MAX_MESSAGE = 20_000


class LinkForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("Your e-mail address"), max_length=320)


class NewCaseForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=MAX_SUBJECT)
    description = forms.CharField(
        label=gettext_lazy("How can we help?"), max_length=MAX_MESSAGE, widget=forms.Textarea
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your answer"), max_length=MAX_MESSAGE, widget=forms.Textarea
    )


def _signed_in(view):
    """The view gets the signed-in contact; anyone else goes to the sign-in page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        contact = services.signed_in_contact(request)
        if contact is None:
            return HttpResponseRedirect(reverse("portal:start"))
        return view(request, contact, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
def start(request):
    if services.signed_in_contact(request) is not None:
        return HttpResponseRedirect(reverse("portal:cases"))
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_link(
            form.cleaned_data["email"], base_url=f"{request.scheme}://{request.get_host()}"
        )
        # The same answer whether or not the address is known.
        return render(request, "support/portal/link_sent.html")
    return render(request, "support/portal/start.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login(request, secret):
    """GET shows a button (mail scanners open links); POST uses the link, once."""
    if request.method == "GET":
        return render(request, "support/portal/login.html")
    contact = services.use_link(secret)
    if contact is None:
        return render(request, "support/portal/login.html", {"refused": True}, status=410)
    services.sign_in(request, contact)
    return HttpResponseRedirect(reverse("portal:cases"))


@require_POST
def logout(request):
    request.session.flush()
    return HttpResponseRedirect(reverse("portal:start"))


@require_http_methods(["GET", "HEAD"])
@_signed_in
def case_list(request, contact):
    cases = services.cases_of(contact).order_by("-id")[:200]
    return render(request, "support/portal/cases.html", {"contact": contact, "cases": cases})


@require_http_methods(["GET", "POST"])
@_signed_in
def case_new(request, contact):
    form = NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = services.open_case(contact, **form.cleaned_data)
        messages.success(
            request, _("Thank you: we have your request %(case)s.") % {"case": case.reference}
        )
        return HttpResponseRedirect(reverse("portal:case", args=[case.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "support/portal/case_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@_signed_in
def case_detail(request, contact, pk):
    case = services.cases_of(contact).filter(pk=pk).first()
    if case is None:
        raise Http404
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.answer_case(contact, case, form.cleaned_data["body"])
        messages.success(request, _("Thank you: your answer is with our team."))
        return HttpResponseRedirect(reverse("portal:case", args=[case.pk]))
    context = {"case": case, "thread": services.public_thread(case), "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "support/portal/case.html", context, status=status)
