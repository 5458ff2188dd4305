"""Webhook pages for managers of contacts: the list, one webhook with its address, secret and
latest calls, and a new secret when the old one may have leaked."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core.forms import add_service_errors

from . import services
from .forms import WebhookForm, mapping_text
from .models import Webhook
from .views import manager_view

RECENT_DELIVERIES = 50


@manager_view
def webhook_list(request):
    return render(request, "intake/webhook_list.html", {"webhooks": Webhook.objects.all()})


@manager_view
def webhook_edit(request, pk=None):
    webhook = get_object_or_404(Webhook, pk=pk) if pk else None
    initial = {}
    if webhook:
        initial = {
            "name": webhook.name,
            "kind": webhook.kind,
            "source": webhook.source,
            "active": webhook.active,
            "mapping": mapping_text(webhook.mapping),
        }
    data = request.POST if request.method == "POST" else None
    form = WebhookForm(data, initial=initial, editing=webhook is not None)
    if data is not None and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if webhook is None:
                webhook = services.create_webhook(actor=request.user, **fields)
            else:
                fields.pop("kind")
                services.update_webhook(webhook, actor=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Webhook “%(name)s” saved.") % {"name": webhook.name})
            return redirect("intake:webhook_edit", pk=webhook.pk)
    context = {"form": form, "webhook": webhook}
    if webhook:
        context.update(
            address=request.build_absolute_uri(reverse("intake:webhook", args=[webhook.token])),
            deliveries=webhook.deliveries.select_related("contact")[:RECENT_DELIVERIES],
        )
    status = 400 if data is not None and form.errors else 200
    return render(request, "intake/webhook_edit.html", context, status=status)


@manager_view
@require_POST
def webhook_secret(request, pk):
    webhook = services.new_secret(get_object_or_404(Webhook, pk=pk), actor=request.user)
    messages.success(request, _("New signing secret made: give it to the sender."))
    return redirect("intake:webhook_edit", pk=webhook.pk)
