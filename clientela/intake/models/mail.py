"""E-mail capture: the mailboxes read over IMAP, what was read from each folder, every message
seen (captured, a duplicate, without a known contact, or failed), and the attachments kept."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import MailSecurity, MailSource, MailStatus


class Mailbox(models.Model):
    """An IMAP mailbox whose messages land on the timelines of the contacts who wrote them (or
    were written to). The password is stored encrypted (``services.mail.secrets``); ``owner``
    and ``team`` are given to the activities it captures."""

    name = models.CharField(_("name"), max_length=100)
    email_address = models.EmailField(
        _("address"),
        max_length=254,
        help_text=_("The mailbox's own address: mail from it is outbound, to it inbound."),
    )
    host = models.CharField(_("server"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=8, choices=MailSecurity.choices, default=MailSecurity.TLS
    )
    username = models.CharField(_("user name"), max_length=254)
    password_encrypted = models.TextField(editable=False, blank=True)
    folders = models.JSONField(_("folders"), default=list, blank=True)
    verify_certificate = models.BooleanField(_("verify the certificate"), default=True)
    ca_file = models.CharField(_("CA certificate file"), max_length=500, blank=True)
    create_contacts = models.BooleanField(_("create unknown senders as leads"), default=False)
    active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Sync status and the lease that keeps two workers from reading one mailbox at once.
    last_success_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    captured_count = models.PositiveIntegerField(_("captured"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    lease_owner = models.CharField(max_length=64, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self):
        return self.name

    @property
    def folder_names(self):
        return self.folders or ["INBOX"]


class MailFolder(models.Model):
    """Where reading a folder got to: its UIDVALIDITY and the highest UID handled. A new
    UIDVALIDITY means the server renumbered the folder: it is read again from the start, and
    the fingerprints keep what was captured from being captured twice."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folder_states")
    name = models.CharField(max_length=200)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["mailbox", "name"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "name"], name="mailfolder_unique_name")
        ]

    def __str__(self):
        return f"{self.mailbox_id}:{self.name}"


class MailMessage(models.Model):
    """One message seen, once per place it was seen (a folder's UID, or the listener), and
    what came of it. ``fingerprint`` (the Message-ID, or a hash of sender, date, subject and
    body) is unique among captured messages, so a message in two folders, delivered twice or
    read again after a renumbering makes one activity. A failed message keeps its raw bytes so
    it can be replayed."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    source = models.CharField(max_length=4, choices=MailSource.choices, default=MailSource.IMAP)
    folder = models.CharField(max_length=200, blank=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    message_id = models.CharField(max_length=500, blank=True)
    thread_key = models.CharField(max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=9, choices=MailStatus.choices)
    error = models.TextField(_("error"), blank=True)
    raw = models.BinaryField(null=True, blank=True, editable=False)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    other_contacts = models.JSONField(default=list, blank=True)
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["mailbox", "status", "-id"], name="mailmessage_status_idx"),
            # Whole-column, as ``activities.Activity``'s: a partial one is unusable on SQLite.
            models.Index(fields=["message_id"], name="mailmessage_message_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "folder", "uidvalidity", "uid"],
                condition=Q(uid__isnull=False),
                name="mailmessage_once_per_uid",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(status="captured"),
                name="mailmessage_captured_once",
            ),
        ]

    def __str__(self):
        return self.subject or self.fingerprint


class MailAttachment(models.Model):
    """A file that came with a captured message. One too large to keep is recorded by name and
    size only (``file`` empty)."""

    message = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="attachments")
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="mail_attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(_("size"))
    file = models.FileField(upload_to="mail/", max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename

    @property
    def kept(self):
        return bool(self.file)
