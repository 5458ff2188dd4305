"""The addresses campaigns never write to: bounced for good, reported as spam, or added by
hand — listed, searched, added and removed by marketing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.core import permissions
from clientela.core.forms import add_service_errors
from clientela.core.views.records import page_links, page_or_first

from .choices import SuppressionReason
from .models import Suppression
from .services import engagement

AREA = "marketing"


class SuppressionForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=320)
    detail = forms.CharField(label=gettext_lazy("Why"), max_length=500, required=False)


class SuppressionListView(LoginRequiredMixin, View):
    page_size = 50

    def get(self, request, form=None, status=200):
        if not permissions.can_read(request.user, AREA):
            raise PermissionDenied
        query = request.GET.get("q", "").strip().lower()[:320]
        rows = Suppression.objects.select_related("campaign")
        if query:
            rows = rows.filter(email__contains=query)
        page = page_or_first(rows, ["-created_at", "-id"], request.GET.get("cursor"), 50)
        context = {
            "page": page,
            "suppressions": page.items,
            "page_links": page_links(request, page),
            "query": query,
            "can_write": permissions.can_write(request.user, AREA),
            "form": form or SuppressionForm(),
        }
        return render(request, "marketing/suppression_list.html", context, status=status)

    def post(self, request):
        permissions.require_write(request.user, AREA)
        form = SuppressionForm(request.POST)
        if form.is_valid():
            try:
                engagement.suppress(
                    form.cleaned_data["email"],
                    SuppressionReason.MANUAL,
                    detail=form.cleaned_data["detail"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Campaigns will not write to this address."))
                return HttpResponseRedirect(reverse("marketing:suppression_list"))
        return self.get(request, form=form, status=400)


class SuppressionDeleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        permissions.require_write(request.user, AREA)
        engagement.unsuppress(get_object_or_404(Suppression, pk=pk))
        messages.success(request, _("Campaigns may write to this address again."))
        return HttpResponseRedirect(reverse("marketing:suppression_list"))
