"""Reading mailboxes over IMAP (TLS or STARTTLS only: a password never crosses the network
in clear), new messages by UID, one folder at a time.

Each folder remembers its UIDVALIDITY and the last UID handled; messages are fetched and
stored in batches, each batch one transaction that also moves the folder's last UID, so a
crash loses at most the batch in progress, which is read again. A sync holds a lease on the
mailbox (a conditional UPDATE with an expiry) so two workers never read one mailbox at once;
a lease left by a killed process on this machine is taken over at once, elsewhere when it
expires."""

import contextlib
import imaplib
import logging
import os
import re
import socket
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from ...choices import MailSecurity, MailStatus
from ...models import Mailbox, MailFolder
from . import crypto
from .storing import capture

logger = logging.getLogger(__name__)
TIMEOUT = 30  # seconds for connecting and for each answer
BATCH = 100  # messages per fetch and per transaction
LEASE = timedelta(minutes=5)
MAX_ERROR = 1000
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailSyncError(Exception):
    """A problem a person can act on (address, password, certificate), said in their
    language."""


@dataclass
class SyncResult:
    ran: bool = True
    counts: dict = field(default_factory=dict)
    error: str = ""

    def add(self, status):
        self.counts[status] = self.counts.get(status, 0) + 1


# --- connecting ----------------------------------------------------------------------------------


def connect(mailbox, password=None):
    """A logged-in connection to ``mailbox``; raises ``MailSyncError`` with a clear reason."""
    if password is None:
        password = crypto.decrypt(mailbox.password_encrypted)
        if password is None:
            raise MailSyncError(
                _("The stored password cannot be read (the secret key changed): type it again.")
            )
    where = {"host": mailbox.host, "port": mailbox.port}
    try:
        context = ssl.create_default_context(cafile=mailbox.ca_file or None)
        if not mailbox.verify_certificate:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if mailbox.security == MailSecurity.STARTTLS:
            connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
            connection.starttls(ssl_context=context)
        else:
            connection = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT
            )
    except ssl.SSLCertVerificationError as error:
        raise MailSyncError(
            _("The certificate of %(host)s could not be verified: %(reason)s")
            % {**where, "reason": error.verify_message or error.reason}
        ) from error
    except ssl.SSLError as error:
        raise MailSyncError(
            _("No secure connection with %(host)s:%(port)s: %(reason)s")
            % {**where, "reason": error.reason or error}
        ) from error
    except imaplib.IMAP4.error as error:
        raise MailSyncError(
            _("%(host)s:%(port)s refused STARTTLS: %(reason)s") % {**where, "reason": error}
        ) from error
    except (OSError, ValueError) as error:
        raise MailSyncError(
            _("Could not connect to %(host)s:%(port)s: %(reason)s")
            % {**where, "reason": getattr(error, "strerror", None) or error}
        ) from error
    try:
        connection.login(mailbox.username, password)
    except (imaplib.IMAP4.error, OSError) as error:
        _close(connection)
        raise MailSyncError(
            _("The server refused the user name or password: %(reason)s")
            % {"reason": _reason(error)}
        ) from error
    return connection


def test_connection(mailbox, password=None):
    """Log in and look at each folder; returns ``[(folder, number of messages)]`` or raises
    ``MailSyncError``."""
    connection = connect(mailbox, password)
    try:
        return [(name, _select(connection, name)[1]) for name in mailbox.folder_names]
    finally:
        _close(connection)


def _select(connection, name):
    """Open ``name`` read-only; returns ``(uidvalidity, number of messages)``."""
    try:
        status, data = connection.select(_quote(name), readonly=True)
    except imaplib.IMAP4.error as error:
        raise MailSyncError(
            _("Folder “%(name)s” cannot be opened: %(reason)s")
            % {"name": name, "reason": _reason(error)}
        ) from error
    if status != "OK":
        raise MailSyncError(
            _("Folder “%(name)s” cannot be opened: %(reason)s")
            % {"name": name, "reason": _reason(data)}
        )
    _status, validity = connection.response("UIDVALIDITY")
    return int(validity[0]), int(data[0] or 0)


def _quote(name):
    return '"' + name + '"'  # names were checked: no quotes, backslashes or controls


def _reason(error):
    text = error.args[0] if getattr(error, "args", None) else error
    if isinstance(text, list | tuple) and text:
        text = text[0]
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text)[:300]


def _close(connection):
    with contextlib.suppress(imaplib.IMAP4.error, OSError):  # it is going away anyway
        connection.logout()


# --- the lease -----------------------------------------------------------------------------------


def lease_holder():
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def claim(mailbox, holder, now=None):
    """Take the mailbox's lease; ``False`` when another live sync holds it."""
    now = now or timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    mailboxes = Mailbox.objects.filter(pk=mailbox.pk)
    if mailboxes.filter(free).update(lease_owner=holder, lease_until=now + LEASE):
        return True
    current = mailboxes.values_list("lease_owner", flat=True).first() or ""
    if _holder_is_dead(current):
        return bool(
            mailboxes.filter(lease_owner=current).update(
                lease_owner=holder, lease_until=now + LEASE
            )
        )
    return False


def _holder_is_dead(holder):
    host, _sep, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # this process: another thread's sync is alive
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _renew(mailbox, holder):
    return Mailbox.objects.filter(pk=mailbox.pk, lease_owner=holder).update(
        lease_until=timezone.now() + LEASE
    )


def _release(mailbox, holder):
    Mailbox.objects.filter(pk=mailbox.pk, lease_owner=holder).update(
        lease_owner="", lease_until=None
    )


# --- syncing -------------------------------------------------------------------------------------


def sync_mailbox(mailbox, *, actor=None):
    """Read what is new in every folder of ``mailbox``; returns a ``SyncResult`` (``ran`` is
    false when another sync holds the mailbox). Problems are recorded on the mailbox
    (``last_error``) for the status page, not raised, except database failures."""
    holder = lease_holder()
    result = SyncResult()
    if not claim(mailbox, holder):
        result.ran = False
        return result
    try:
        with change_context(source=ChangeSource.SYSTEM):
            _sync(mailbox, holder, result)
    except MailSyncError as error:
        result.error = str(error)
    except (imaplib.IMAP4.error, OSError) as error:
        result.error = _("The connection failed during the sync: %(reason)s") % {
            "reason": _reason(error)
        }
    except DatabaseError as error:
        _record(mailbox, result, str(error))
        _release(mailbox, holder)
        raise
    _record(mailbox, result, result.error)
    _release(mailbox, holder)
    return result


def _record(mailbox, result, error):
    now = timezone.now()
    changes = {}
    if error:
        changes.update(last_error=error[:MAX_ERROR], last_error_at=now)
        logger.warning("mailbox %s: %s", mailbox.pk, error)
    else:
        changes.update(last_success_at=now, last_error="")
    Mailbox.objects.filter(pk=mailbox.pk).update(**changes)


def _sync(mailbox, holder, result):
    connection = connect(mailbox)
    try:
        for name in mailbox.folder_names:
            _sync_folder(connection, mailbox, name, holder, result)
    finally:
        _close(connection)


def _sync_folder(connection, mailbox, name, holder, result):
    uidvalidity, count = _select(connection, name)
    state, _created = MailFolder.objects.get_or_create(mailbox=mailbox, name=name)
    if state.uidvalidity != uidvalidity:
        # Renumbered (or first read): read it all; fingerprints keep captures single.
        state.uidvalidity, state.last_uid = uidvalidity, 0
        state.save(update_fields=["uidvalidity", "last_uid"])
    if not count:
        return
    sizes = _new_sizes(connection, state.last_uid)
    uids = sorted(sizes)
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        messages = _fetch(connection, batch, sizes)
        known = {}  # contacts by address, for this batch (its own transaction)
        with transaction.atomic():
            batch_counts = {}
            for uid in batch:
                if uid not in messages:
                    continue  # expunged meanwhile
                raw, too_large = messages[uid]
                stored = capture(
                    raw,
                    mailbox=mailbox,
                    folder=name,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    too_large=too_large,
                    known=known,
                )
                if stored is not None:
                    batch_counts[stored.status] = batch_counts.get(stored.status, 0) + 1
            MailFolder.objects.filter(pk=state.pk).update(last_uid=batch[-1])
            Mailbox.objects.filter(pk=mailbox.pk).update(
                captured_count=F("captured_count") + batch_counts.get(MailStatus.CAPTURED, 0),
                failed_count=F("failed_count") + batch_counts.get(MailStatus.FAILED, 0),
            )
        for status, number in batch_counts.items():
            result.counts[status] = result.counts.get(status, 0) + number
        if not _renew(mailbox, holder):
            raise MailSyncError(_("Another sync took this mailbox over."))


def _new_sizes(connection, last_uid):
    """``{uid: size}`` of the messages after ``last_uid``."""
    status, data = connection.uid("FETCH", f"{last_uid + 1}:*", "(UID RFC822.SIZE)")
    if status != "OK":
        raise MailSyncError(
            _("The server did not list the messages: %(reason)s") % {"reason": _reason(data)}
        )
    sizes = {}
    for line in data:
        if isinstance(line, tuple):
            line = line[0]
        uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
        if uid and size and int(uid.group(1)) > last_uid:  # "n:*" always names the last one
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _fetch(connection, uids, sizes):
    """``{uid: (raw bytes, too large)}``: whole messages, or only the headers of those over
    the size limit (``capture`` notes they were too large)."""
    from django.conf import settings

    limit = settings.MAIL_MAX_MESSAGE_BYTES
    whole = [uid for uid in uids if sizes[uid] <= limit]
    large = [uid for uid in uids if sizes[uid] > limit]
    messages = {}
    for group, part in ((whole, "BODY.PEEK[]"), (large, "BODY.PEEK[HEADER]")):
        if not group:
            continue
        status, data = connection.uid("FETCH", ",".join(map(str, group)), f"(UID {part})")
        if status != "OK":
            raise MailSyncError(
                _("The server did not send the messages: %(reason)s") % {"reason": _reason(data)}
            )
        for item in data:
            if isinstance(item, tuple) and (match := _UID.search(item[0])):
                uid = int(match.group(1))
                messages[uid] = (item[1], uid in large)
    return messages
