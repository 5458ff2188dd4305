"""The notifications page and opening a notification. Thin: the services do the writes."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import Notification
from .services import notifications

PAGE_SIZE = 50


@never_cache
@login_required
def notification_list(request):
    """The user's notifications, newest first, a page at a time (``?before=<id>``)."""
    rows = Notification.objects.filter(recipient=request.user).select_related("actor")
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.order_by("-id")[: PAGE_SIZE + 1])
    return render(
        request,
        "collaboration/notification_list.html",
        {
            "notifications": page[:PAGE_SIZE],
            "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
            "unread": notifications.unread_count(request.user),
        },
    )


@never_cache
@login_required
def notification_open(request, pk):
    """Mark one of the user's notifications read and go to its record."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(request.user, [notification.pk])
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None)
    return redirect(
        notification.url if notification.url and safe else "collaboration:notifications"
    )


@require_POST
@login_required
def notification_read_all(request):
    notifications.mark_read(request.user)
    return redirect("collaboration:notifications")
