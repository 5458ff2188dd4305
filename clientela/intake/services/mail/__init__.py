"""E-mail capture: mailboxes (``mailboxes``), reading them over IMAP (``imap``), storing one
message whatever brought it (``capture``: parsing in ``parsing``, where it goes in
``routing``), and e-mail sent from Clientela (``sending``)."""

from . import mailboxes
from .imap import MailSyncError, SyncResult, sync_mailbox, test_connection
from .mailboxes import create_mailbox, delete_mailbox, update_mailbox
from .sending import already_sent, new_message_id, send_email
from .storing import capture, replay

__all__ = [
    "MailSyncError",
    "SyncResult",
    "already_sent",
    "capture",
    "create_mailbox",
    "mailboxes",
    "delete_mailbox",
    "new_message_id",
    "replay",
    "send_email",
    "sync_mailbox",
    "test_connection",
    "update_mailbox",
]
