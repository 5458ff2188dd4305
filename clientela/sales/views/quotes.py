"""Quote PDFs: made from the deal page, downloaded by anyone who can see the deal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import permissions

from .. import services
from ..models import Deal, Quote


def quote_response(quote):
    response = HttpResponse(bytes(quote.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.filename}"'
    return response


def visible_deal(request, pk, *, change=False):
    """The deal if the user may see it (404 otherwise); 403 when ``change`` and they may not
    change it."""
    if not permissions.can_read(request.user, "sales"):
        raise permissions.PermissionDenied
    deal = get_object_or_404(permissions.visible(request.user, Deal.objects.all()), pk=pk)
    if change:
        permissions.require_change(request.user, deal)
    return deal


@login_required
@require_POST
def quote_create(request, pk):
    deal = visible_deal(request, pk, change=True)
    try:
        quote = services.create_quote(deal, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Quote %(number)s, version %(version)d, is ready.")
            % {"number": quote.number, "version": quote.version},
        )
    return redirect(reverse("sales:deal_detail", args=[deal.pk]) + "#quotes-heading")


@login_required
def quote_download(request, pk, version):
    deal = visible_deal(request, pk)
    return quote_response(get_object_or_404(Quote, deal=deal, version=version))
