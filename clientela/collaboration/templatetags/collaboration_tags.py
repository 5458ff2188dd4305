"""The notification bell of every page's header and the comments of a record's page."""

from django import template
from django.contrib.contenttypes.models import ContentType

from clientela.core import permissions

from ..choices import Visibility
from ..services import comments, follows, handoffs, notifications

register = template.Library()


@register.inclusion_tag("collaboration/_bell.html")
def notification_bell(user):
    """A link to the notifications with the number unread (one indexed count)."""
    return {"unread": notifications.unread_count(user)}


@register.inclusion_tag("collaboration/_comments.html", takes_context=True)
def record_comments(context, record):
    """The comments on ``record``, the box to write one and a follow switch, for those who may
    see it."""
    user = context["request"].user
    if not permissions.can_view_record(user, record):
        return {"shown": False}
    may_hand_over = permissions.can_change_record(user, record)
    choices = handoffs.candidates() if may_hand_over else {}
    return {
        "handoffs": handoffs.handoffs_of(record).select_related(
            "by", "from_owner", "to_owner", "from_team", "to_team"
        ),
        "may_hand_over": may_hand_over,
        **{name: rows.values() for name, rows in choices.items()},
        "shown": True,
        "record": record,
        "content_type_id": ContentType.objects.get_for_model(type(record)).pk,
        "comments": comments.comments_on(record).select_related("author"),
        "visibilities": Visibility.choices,
        "following": follows.is_following(record, user),
        "owner": getattr(record, "owner_id", None) == user.pk,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("collaboration/_customer_comments.html")
def customer_comments(record):
    """The comments on ``record`` marked visible to the customer, for the customer portal."""
    shown = comments.comments_on(record).filter(
        visibility=Visibility.CUSTOMER, deleted_at__isnull=True
    )
    return {"comments": shown}
