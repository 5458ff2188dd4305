"""The daily digest: one e-mail a morning to each person who asked for some kinds of
notification that way, listing those not read in the app nor e-mailed yet — and, for those who
chose the summary of their records that way, what happened to them since the day before (their
feed).

The job runs every hour and acts once a day, from ``DIGEST_HOUR`` in the installation's time
zone; each notification is marked e-mailed as its digest goes, so a run cut short never sends
one twice and the next hour finishes the rest.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.core.models import Flag, User

from ..choices import Delivery, NotificationKind
from ..models import Notification, NotificationPreference
from . import feed, notifications

DIGEST_HOUR = 8
MAX_ITEMS = 100
FLAG = "collaboration:digest"


def send_digests(now=None):
    """Send today's digests if it is time and they are not sent yet; returns how many."""
    now = timezone.localtime(now or timezone.now())
    today = now.date().isoformat()
    flag, _created = Flag.objects.get_or_create(name=FLAG)
    if now.hour < DIGEST_HOUR or flag.value.get("day") == today:
        return 0
    kinds_of = {}
    for user_id, kind in NotificationPreference.objects.filter(
        delivery=Delivery.DIGEST, user__is_active=True
    ).values_list("user_id", "kind"):
        kinds_of.setdefault(user_id, []).append(kind)
    sent = sum(_send_one(user_id, kinds, now) for user_id, kinds in sorted(kinds_of.items()))
    flag.value = {"day": today}
    flag.save()
    return sent


def _send_one(user_id, kinds, now):
    user = User.objects.get(pk=user_id)
    pending = list(
        Notification.objects.filter(
            recipient_id=user_id, kind__in=kinds, read_at__isnull=True, emailed_at__isnull=True
        )
        .select_related("actor")
        .order_by("id")[:MAX_ITEMS]
    )
    happened = []
    if NotificationKind.RECORDS_SUMMARY in kinds:
        happened = feed.since(user, now - timedelta(days=1), MAX_ITEMS)
    if not (pending or happened) or not user.email:
        return 0
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "Your Clientela digest: %(count)s notification",
            "Your Clientela digest: %(count)s notifications",
            len(pending),
        ) % {"count": len(pending)}
        lines = [_("What happened since your last digest:"), ""] if pending else []
        for notification in pending:
            lines.append(f"- {notification.get_kind_display()}: {notification.title}")
            if notification.text:
                lines.append(f"  {notification.text}")
            if notifications.link(notification):
                lines.append(f"  {notifications.link(notification)}")
        if happened:
            lines += ["", _("On your records since yesterday:"), ""]
            lines += [f"- {_said(entry)}" for entry in happened]
    send_mail(subject, "\n".join(lines).strip(), None, [user.email])
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return 1


def _said(entry):
    """ "Anna changed contact Núria Puig (job title)"."""
    who = str(entry.actor) if entry.actor else "Clientela"
    text = f"{who} {entry.get_verb_display()} {entry.record_kind} {entry.title}"
    detail = ", ".join(entry.changed_fields) or entry.detail
    return f"{text} ({detail})" if detail else text
