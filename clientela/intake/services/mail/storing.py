"""One message, however it came (an IMAP folder, the SMTP listener, a replay), stored once.

``capture`` runs in a savepoint of the caller's transaction: a message that cannot be read or
logged is kept as failed (with its raw bytes, to be replayed) and the others go on; a
database failure propagates, so the caller's whole batch rolls back and is read again.

Idempotency has two keys: the place (mailbox, folder, UIDVALIDITY, UID) is stored once, and
the fingerprint is captured once (a unique constraint on captured rows), so neither a restart
after a crash, a renumbered folder, nor the same message in Inbox and Sent makes a second
activity."""

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from clientela.activities import richtext
from clientela.activities import services as activity_services
from clientela.activities.choices import ActivityKind
from clientela.activities.models import Activity
from clientela.core import transactions

from ...choices import MailSource, MailStatus
from ...models import MailAttachment, Mailbox, MailMessage
from . import parsing, routing

logger = logging.getLogger(__name__)
MAX_ERROR = 2000


def capture(
    raw,
    *,
    mailbox,
    source=MailSource.IMAP,
    folder="",
    uidvalidity=None,
    uid=None,
    too_large=False,
    known=None,
):
    """Store ``raw``; returns its ``MailMessage`` (``None`` when this place was stored
    before). ``too_large``: ``raw`` is only the headers of a message over the size limit;
    ``known``: the contacts by address already looked up in this batch (``routing.route``)."""
    place = {"mailbox": mailbox, "folder": folder, "uidvalidity": uidvalidity, "uid": uid}
    if uid is not None and MailMessage.objects.filter(**place).exists():
        return None
    too_large = too_large or len(raw) > settings.MAIL_MAX_MESSAGE_BYTES
    try:
        parsed = parsing.parse(
            raw, max_attachment_bytes=settings.MAIL_MAX_ATTACHMENT_BYTES, headers_only=too_large
        )
        if too_large:
            parsed.notes.append("too_large")
    except DatabaseError:
        raise
    except Exception as error:  # malformed beyond reading: kept to be replayed
        return _failed(raw, place, source, error)
    return _store(raw, parsed, place, source, mailbox, known)


def replay(message, *, actor):
    """Read a failed message again (after a fix, or once its contact exists); returns the
    message, captured, a duplicate, unmatched or failed again."""
    with transaction.atomic():
        message = MailMessage.objects.select_for_update().get(pk=message.pk)
        if message.status != MailStatus.FAILED or message.raw is None:
            return message
        raw = bytes(message.raw)
        place = {
            "mailbox": message.mailbox,
            "folder": message.folder,
            "uidvalidity": message.uidvalidity,
            "uid": message.uid,
        }
        source = message.source
        message.delete()  # the same place is stored again below, with the new outcome
        result = capture(raw, source=source, **place)
        if result is not None and message.mailbox_id:
            _count(result)
        return result


def _failed(raw, place, source, error):
    logger.warning("e-mail could not be read: %s", error)
    return MailMessage.objects.create(
        **place,
        source=source,
        fingerprint=parsing.fingerprint(raw, "", "", None, ""),
        status=MailStatus.FAILED,
        error=f"{type(error).__name__}: {error}"[:MAX_ERROR],
        raw=raw,
    )


def _store(raw, parsed, place, source, mailbox, known):
    if _already_captured(parsed):
        return _row(parsed, place, source, MailStatus.DUPLICATE)
    try:
        # Any error below undoes the whole message (caught outside): no savepoints inside.
        with transactions.all_or_nothing():
            if any(hook(raw, parsed) for hook in routing.REPORT_HOOKS):
                return _row(parsed, place, source, MailStatus.REPORT)
            route = routing.route(parsed, mailbox, known=known)
            if route.contact is None:
                return _row(parsed, place, source, MailStatus.UNMATCHED)
            activity = _log(parsed, route, mailbox)
            message = _row(parsed, place, source, MailStatus.CAPTURED, route, activity)
            route.mail = message
            _keep_attachments(parsed, message, activity)
            for hook in routing.ROUTE_HOOKS:
                hook(parsed, route, activity)
            return message
    except IntegrityError:
        # Captured meanwhile by another process (the fingerprint constraint).
        return _row(parsed, place, source, MailStatus.DUPLICATE)
    except DatabaseError:
        raise
    except Exception as error:
        return _failed(raw, place, source, error)


def _already_captured(parsed):
    """One indexed look-up: a message with a Message-ID was captured when an e-mail activity
    carries it (captured, sent from here or logged by hand); one without, when its
    fingerprint was. The unique constraint stays the guard against races."""
    if parsed.message_id:
        return Activity.all_objects.filter(
            message_id=parsed.message_id, kind=ActivityKind.EMAIL
        ).exists()
    return MailMessage.objects.filter(
        fingerprint=parsed.fingerprint, status=MailStatus.CAPTURED
    ).exists()


def _row(parsed, place, source, status, route=None, activity=None):
    return MailMessage.objects.create(
        **place,
        source=source,
        fingerprint=parsed.fingerprint,
        message_id=parsed.message_id,
        thread_key=route.thread_key[:500] if route else "",
        status=status,
        subject=parsed.subject,
        from_address=parsed.from_address,
        other_contacts=[c.pk for c in route.other_contacts] if route else [],
        activity=activity,
    )


def _log(parsed, route, mailbox):
    contact = route.contact
    owner = (mailbox.owner if mailbox else None) or contact.owner
    team = (mailbox.team if mailbox else None) or contact.team
    return activity_services.log_activity(
        actor=None,
        kind=ActivityKind.EMAIL,
        subject=parsed.subject or _("(no subject)"),
        body=_body(parsed),
        direction=route.direction,
        from_address=parsed.from_address,
        to_addresses=parsed.recipients,
        message_id=parsed.message_id,
        contact=contact,
        deal=route.deal,
        owner=owner,
        team=team,
        timeline_at=parsed.date or timezone.now(),
    )


def _body(parsed):
    notes = []
    if "too_large" in parsed.notes:
        notes.append(_("This message was too large to keep its text and attachments."))
    if "truncated" in parsed.notes:
        notes.append(_("The text was cut: it was too long to keep whole."))
    for attachment in parsed.attachments:
        if attachment.content is None:
            notes.append(
                _("Attachment “%(name)s” (%(size)s) was too large and was not kept.")
                % {"name": attachment.filename, "size": filesizeformat(attachment.size)}
            )
    if not notes:
        return parsed.body
    if richtext.looks_like_html(parsed.body):
        return "".join(f"<p><em>{escape(note)}</em></p>" for note in notes) + parsed.body
    return "\n\n".join([*notes, parsed.body]).strip()


def _keep_attachments(parsed, message, activity):
    today = timezone.now()
    for attachment in parsed.attachments:
        row = MailAttachment(
            message=message,
            activity=activity,
            filename=attachment.filename,
            content_type=attachment.content_type[:255],
            size=attachment.size,
        )
        if attachment.content is not None:
            folder = f"mail/{today:%Y/%m}/{secrets.token_hex(8)}"
            name = get_valid_filename(attachment.filename)[:100] or "attachment"
            row.file = default_storage.save(f"{folder}/{name}", ContentFile(attachment.content))
        row.save()


def _count(message):
    """Keep the mailbox's counters in step with a replay."""
    changes = {"failed_count": F("failed_count") - 1}
    if message.status == MailStatus.CAPTURED:
        changes["captured_count"] = F("captured_count") + 1
    elif message.status == MailStatus.FAILED:
        changes["failed_count"] = F("failed_count")
    Mailbox.objects.filter(pk=message.mailbox_id, failed_count__gt=0).update(**changes)
