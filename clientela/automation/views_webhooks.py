"""Outgoing webhook pages, for whoever may change automation (administrators and managers):
the list, create and edit, one webhook with its secret and delivery log, one delivery with its
request and response, and the actions (test event, redeliver, reveal or rotate the secret)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clientela.core import permissions
from clientela.core.event_types import EVENTS
from clientela.core.forms import add_service_errors
from clientela.core.views.records import page_links, page_or_first

from . import services
from .filtersets import WebhookDeliveryFilterSet
from .forms_webhooks import WebhookForm
from .models import OutgoingWebhook, WebhookDelivery
from .outgoing import sender
from .services import deliveries

LOG_PAGE = 50
# The session key naming the webhook whose secret the next page shows (once).
SECRET_SHOWN_ONCE = "automation:show_secret"  # noqa: S105 (a key, not a secret)


def automation_writer_view(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_write(request.user, "automation"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@automation_writer_view
def webhook_list(request):
    return render(
        request, "automation/webhook_list.html", {"webhooks": OutgoingWebhook.objects.all()}
    )


@automation_writer_view
def webhook_edit(request, pk=None):
    webhook = get_object_or_404(OutgoingWebhook, pk=pk) if pk else None
    initial = {"active": True}
    if webhook:
        initial = {f: getattr(webhook, f) for f in services.WEBHOOK_FIELDS}
    data = request.POST if request.method == "POST" else None
    form = WebhookForm(data, initial=initial)
    if data is not None and form.is_valid():
        try:
            if webhook is None:
                webhook = services.create_webhook(actor=request.user, **form.cleaned_data)
                request.session[SECRET_SHOWN_ONCE] = webhook.pk
            else:
                services.update_webhook(webhook, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Webhook “%(name)s” saved.") % {"name": webhook.name})
            return redirect("automation:webhook_detail", pk=webhook.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "webhook": webhook}
    return render(request, "automation/webhook_form.html", context, status=status)


@never_cache
@automation_writer_view
def webhook_detail(request, pk):
    webhook = get_object_or_404(OutgoingWebhook.objects.select_related("created_by"), pk=pk)
    filters = WebhookDeliveryFilterSet(
        request.GET, queryset=WebhookDelivery.objects.filter(webhook=webhook)
    )
    log = filters.qs if filters.is_valid() else WebhookDelivery.objects.filter(webhook=webhook)
    page = page_or_first(log, ["-id"], request.GET.get("cursor"), LOG_PAGE)
    context = {
        "webhook": webhook,
        "event_labels": [EVENTS[name].label for name in webhook.events if name in EVENTS],
        "secret": webhook.secret if request.session.pop(SECRET_SHOWN_ONCE, None) == pk else None,
        "filters": filters,
        "deliveries": page.items,
        "page_links": page_links(request, page),
    }
    return render(request, "automation/webhook_detail.html", context)


@automation_writer_view
@require_POST
def webhook_secret(request, pk):
    """Show the secret once more (on the next page), or make a new one first (``rotate``)."""
    webhook = get_object_or_404(OutgoingWebhook, pk=pk)
    if request.POST.get("rotate"):
        services.rotate_secret(webhook, actor=request.user)
        messages.success(request, _("New signing secret made: give it to the receiver."))
    request.session[SECRET_SHOWN_ONCE] = webhook.pk
    return redirect("automation:webhook_detail", pk=webhook.pk)


@automation_writer_view
@require_POST
def webhook_test(request, pk):
    webhook = get_object_or_404(OutgoingWebhook, pk=pk)
    services.send_test_event(webhook, actor=request.user)
    messages.success(request, _("Test event queued: it appears in the log below once sent."))
    return redirect("automation:webhook_detail", pk=webhook.pk)


@automation_writer_view
def webhook_delete(request, pk):
    webhook = get_object_or_404(OutgoingWebhook, pk=pk)
    if request.method == "POST":
        services.delete_webhook(webhook, actor=request.user)
        messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": webhook.name})
        return redirect("automation:webhook_list")
    return render(request, "automation/webhook_delete.html", {"webhook": webhook})


@automation_writer_view
def delivery_detail(request, pk, delivery_pk):
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("webhook"), webhook_id=pk, pk=delivery_pk
    )
    context = {
        "webhook": delivery.webhook,
        "delivery": delivery,
        "headers": {
            **deliveries.unsigned_headers(delivery),
            "User-Agent": sender.USER_AGENT,
            "Clientela-Signature": _("t=…,v1=… (signed at each attempt)"),
        },
        "body": json.dumps(json.loads(delivery.body), indent=2, ensure_ascii=False),
    }
    return render(request, "automation/delivery_detail.html", context)


@automation_writer_view
@require_POST
def delivery_redeliver(request, pk, delivery_pk):
    delivery = get_object_or_404(WebhookDelivery, webhook_id=pk, pk=delivery_pk)
    if services.redeliver(delivery, actor=request.user):
        messages.success(request, _("Sending it again now."))
    else:
        messages.error(request, _("It is being sent right now; try again in a minute."))
    return redirect("automation:delivery_detail", pk=pk, delivery_pk=delivery.pk)
