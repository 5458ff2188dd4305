"""Notifications: made for many people at once (a mention of a 200-person team is one INSERT),
as each recipient's preference for that kind says: in the app (the default), in the app and by
e-mail at once, in the app and in the daily digest, or not at all."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import jobs
from ..choices import Delivery, NotificationKind
from ..models import Notification, NotificationPreference

MAX_TEXT = 500


def deliveries(user_ids, kind):
    """``{user id: delivery}`` for ``kind`` (in the app where nothing is set)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, Delivery.IN_APP) for pk in user_ids}


def chosen(user):
    """``{kind: delivery}`` of every kind for ``user`` (in the app where nothing is set)."""
    stored = dict(user.notification_settings.values_list("kind", "delivery"))
    return {kind: stored.get(kind, Delivery.IN_APP) for kind in NotificationKind.values}


def notify(user_ids, *, kind, actor, record=None, text="", title="", url=""):
    """Notify the people with ``user_ids`` (never ``actor``) about ``record`` (or, for news
    about many records at once, with a ``title`` and ``url`` of its own); returns the
    notifications made. Those who asked for e-mail at once get it after the commit."""
    return notify_many(
        [(pk, record, text) for pk in user_ids], kind=kind, actor=actor, title=title, url=url
    )


def notify_many(items, *, kind, actor, title="", url=""):
    """``notify`` for many ``(user id, record or None, text)`` at once: one read of the
    preferences and one insert, whatever the number."""
    items = [item for item in items if item[0] not in (getattr(actor, "pk", None), None)]
    if not items:
        return []
    wanted = deliveries({pk for pk, _record, _text in items}, kind)
    made = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                actor=actor if actor is not None and actor.pk else None,
                text=text[:MAX_TEXT],
                **_about(record, title, url),
            )
            for pk, record, text in sorted(items, key=lambda item: item[0])
            if wanted[pk] != Delivery.OFF
        ]
    )
    by_email = [n.pk for n in made if wanted[n.recipient_id] == Delivery.EMAIL]
    if by_email:
        transaction.on_commit(lambda: jobs.email_notifications.enqueue(by_email))
    return made


def _about(record, title, url):
    if record is None:
        return {"title": title[:200], "url": url}
    return {
        "content_type": ContentType.objects.get_for_model(type(record)),
        "object_id": record.pk,
        "title": (title or str(record))[:200],
        "url": url or record_url(record),
    }


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(user, ids=None):
    """Mark ``user``'s notifications with ``ids`` (all when ``None``) read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_delivery(user, kind, delivery):
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )


def record_url(record):
    """The record's page, ``<app>:<model>_detail`` by the project's convention ("" if none)."""
    meta = record._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[record.pk])
    except NoReverseMatch:
        return ""


def link(notification):
    """The full address of the notification's record ("" without ``CLIENTELA_BASE_URL``)."""
    if not notification.url or not settings.BASE_URL:
        return ""
    return settings.BASE_URL.rstrip("/") + notification.url


def send_emails(ids):
    """E-mail the notifications with ``ids`` not e-mailed yet, each in its recipient's
    language (the job queued by ``notify``); returns how many were sent."""
    sent = 0
    pending = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
    for notification in pending.select_related("recipient", "actor"):
        user = notification.recipient
        if not user.email or not user.is_active:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("%(kind)s: %(title)s") % {
                "kind": notification.get_kind_display(),
                "title": notification.title,
            }
            lines = [notification.text] if notification.text else []
            if notification.actor:
                lines.insert(0, _("From %(name)s") % {"name": notification.actor})
            if link(notification):
                lines.append(link(notification))
        send_mail(subject[:200], "\n\n".join(lines), None, [user.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
