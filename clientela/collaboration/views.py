"""Writing a comment, the notifications page and opening a notification. Thin: the services
do the writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clientela.core import permissions
from clientela.core.choices import RecordScope
from clientela.core.models import Team, User

from .choices import Delivery, FeedVerb, NotificationKind, Visibility
from .models import Notification
from .services import comments, feed, follows, handoffs, mentions, notifications

PAGE_SIZE = 50
# What a list does not read of the actor of a notification (a user row is wide).
ACTOR_UNUSED = [
    f"actor__{f.name}"
    for f in User._meta.concrete_fields
    if f.name not in ("id", "username", "first_name", "last_name")
]
# The records people comment on: "<app label>.<model name>".
COMMENTABLE = {
    "contacts.contact",
    "contacts.company",
    "sales.deal",
    "sales.purchase",
    "support.case",
    "marketing.campaign",
}


def _visible_record(user, content_type_id, pk):
    """The commentable record the user may see, or 404 (as if it did not exist)."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in COMMENTABLE:
        raise Http404
    record = get_object_or_404(content_type.model_class().objects, pk=pk)
    if not permissions.can_view_record(user, record):
        raise Http404
    return content_type, record


@require_POST
@login_required
def follow(request, content_type_id, pk):
    """Follow a record (``follow=on``) or stop (``off``), and go back to it."""
    _content_type, record = _visible_record(request.user, content_type_id, pk)
    if request.POST.get("follow") == "off":
        follows.unfollow(record, user=request.user)
    else:
        follows.follow(record, user=request.user)
    return redirect(f"{notifications.record_url(record)}#comments")


@require_POST
@login_required
def comment_add(request, content_type_id, pk):
    """Add a comment to a record the user may see, and go back to it; a rejected comment is
    shown again with its errors, text kept (400)."""
    content_type, record = _visible_record(request.user, content_type_id, pk)
    body = request.POST.get("body", "")
    visibility = request.POST.get("visibility", Visibility.INTERNAL)
    try:
        comment = comments.add_comment(record, actor=request.user, body=body, visibility=visibility)
    except ValidationError as error:
        context = {
            "record": record,
            "content_type_id": content_type.pk,
            "body": body,
            "visibility": visibility,
            "visibilities": Visibility.choices,
            "errors": error.message_dict,
            "back": notifications.record_url(record),
        }
        return render(request, "collaboration/comment_rejected.html", context, status=400)
    return redirect(f"{notifications.record_url(record)}#comment-{comment.pk}")


@require_POST
@login_required
def hand_over(request, content_type_id, pk):
    """Hand a record the user may change to another owner and/or team with a note, and go
    back to it; a rejected handoff is shown again with its errors, note kept (400)."""
    content_type, record = _visible_record(request.user, content_type_id, pk)
    if not permissions.can_change_record(request.user, record):
        raise Http404
    choice = handoffs.candidates()
    to_owner = choice["people"].get(request.POST.get("to_owner", ""))
    to_team = choice["teams"].get(request.POST.get("to_team", ""))
    note = request.POST.get("note", "")
    try:
        handoffs.hand_over(
            record, actor=request.user, note=note, to_owner=to_owner, to_team=to_team
        )
    except ValidationError as error:
        context = {
            "record": record,
            "content_type_id": content_type.pk,
            "note": note,
            "to_owner": to_owner,
            "to_team": to_team,
            "errors": error.message_dict,
            "back": notifications.record_url(record),
            **{name: rows.values() for name, rows in choice.items()},
        }
        return render(request, "collaboration/handoff_rejected.html", context, status=400)
    messages.success(request, _("Handed over."))
    if permissions.can_view_record(request.user, record):
        return redirect(f"{notifications.record_url(record)}#handoffs")
    return redirect("collaboration:feed")


@login_required
def mention_suggestions(request):
    """People and teams to mention, for the comment box's autocomplete (``?q=`` what
    follows the ``@``)."""
    return JsonResponse({"results": mentions.suggest(request.GET.get("q", ""))})


@never_cache
@login_required
def notification_list(request):
    """The user's notifications, newest first, a page at a time (``?before=<id>``)."""
    rows = (
        Notification.objects.filter(recipient=request.user)
        .select_related("actor")
        .defer("recipient_id", "emailed_at", *ACTOR_UNUSED)
    )
    before = cursor_from(request.GET.get("before", ""))
    if before is not None:
        rows = rows.filter(pk__lt=before)
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


@never_cache
@login_required
def notification_settings(request):
    """How each kind of notification reaches the user: a choice per kind."""
    current = notifications.chosen(request.user)
    errors = []
    if request.method == "POST":
        wanted = {kind: request.POST.get(kind, Delivery.IN_APP) for kind in NotificationKind.values}
        errors = [kind for kind, how in wanted.items() if how not in Delivery.values]
        if not errors:
            for kind, how in wanted.items():
                if current[kind] != how:
                    notifications.set_delivery(request.user, kind, how)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("collaboration:notification_settings")
        current = wanted
    rows = [
        (kind, label, current.get(kind, Delivery.IN_APP))
        for kind, label in NotificationKind.choices
    ]
    return render(
        request,
        "collaboration/notification_settings.html",
        {"rows": rows, "deliveries": Delivery.choices, "errors": errors},
        status=400 if errors else 200,
    )


@never_cache
@login_required
def feed_page(request):
    """What happened to the user's records (``?team=<id>``: to a team's), filtered by record
    kind and by what happened, a page at a time (``?before=<id>``). Unknown values are
    ignored."""
    teams = _feed_teams(request.user)
    team = teams.get(request.GET.get("team", ""))
    filters = feed.Filters(
        kinds=tuple(k for k in request.GET.getlist("kind") if k in feed.FEED_RECORDS),
        verbs=tuple(v for v in request.GET.getlist("verb") if v in FeedVerb.values),
        before=cursor_from(request.GET.get("before", "")),
    )
    if team:
        page = feed.team_feed(request.user, team, filters)
    else:
        page = feed.my_feed(request.user, filters)
    feed.present(page.entries)
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "collaboration/feed.html",
        {
            "page": page,
            "team": team,
            "teams": teams.values(),
            "filters": filters,
            "kinds": feed.kind_choices(),
            "verbs": FeedVerb.choices,
            "query": query.urlencode(),
        },
    )


def cursor_from(value):
    """The id a page starts below, or ``None`` for the first page (anything but a sane
    positive number)."""
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _feed_teams(user):
    """The teams whose feed the user may read, by id as a string: their own (every team for
    those who see everything)."""
    teams = Team.objects.all()
    if permissions.scope_of(user) != RecordScope.ALL:
        teams = teams.filter(pk__in=user.team_ids())
    return {str(team.pk): team for team in teams}
