"""Mailbox definitions: made, changed and removed by managers; every value checked before a
connection is ever tried with it."""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core.validators import normalize_email

from ...choices import MailSecurity
from ...models import Mailbox
from . import crypto

MAX_FOLDERS = 20
MAX_FOLDER_LENGTH = 200
MAX_PASSWORD_LENGTH = 1000
# A host name (RFC 1123 labels) or an IPv4/IPv6 literal; no spaces, schemes, paths or ports.
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$"
)
_IPV6 = re.compile(r"^[0-9A-Fa-f:.]{2,45}$")
MAILBOX_FIELDS = (
    "name",
    "email_address",
    "host",
    "port",
    "security",
    "username",
    "folders",
    "verify_certificate",
    "ca_file",
    "create_contacts",
    "active",
    "owner",
    "team",
)


@transaction.atomic
def create_mailbox(*, actor, password="", **fields):
    """A new mailbox; ``password`` is stored encrypted. Raises ``ValidationError`` with
    per-field messages and saves nothing when a value is wrong."""
    mailbox = Mailbox()
    _apply(mailbox, fields, password)
    mailbox.save()
    return mailbox


@transaction.atomic
def update_mailbox(mailbox, *, actor, password=None, **fields):
    """Change a mailbox; ``password=None`` (or empty) keeps the stored one. A new server,
    user or address starts the reading from scratch (the fingerprints still keep what was
    captured from being captured again)."""
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    before = (mailbox.host, mailbox.username, mailbox.port)
    _apply(mailbox, fields, password or None)
    mailbox.save()
    if (mailbox.host, mailbox.username, mailbox.port) != before:
        mailbox.folder_states.all().delete()
    return mailbox


@transaction.atomic
def delete_mailbox(mailbox, *, actor):
    """Stop reading a mailbox and forget what was read; the captured e-mails stay on the
    timelines, with their attachments."""
    mailbox.messages.filter(activity__isnull=True).delete()
    mailbox.messages.update(mailbox=None)
    mailbox.delete()


def unsaved_mailbox(*, based_on=None, password="", **fields):
    """A mailbox with these values, checked but not saved, to test a connection before the
    values are kept; the stored password of ``based_on`` serves when none is typed."""
    mailbox = Mailbox()
    if based_on is not None:
        mailbox.password_encrypted = based_on.password_encrypted
    _apply(mailbox, fields, password or None)
    return mailbox


def _apply(mailbox, fields, password):
    unknown = set(fields) - set(MAILBOX_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    errors = {}
    for name, value in fields.items():
        try:
            setattr(mailbox, name, CLEANERS.get(name, _same)(value))
        except ValidationError as error:
            errors[name] = error.messages
    if password is not None:
        if len(password) > MAX_PASSWORD_LENGTH:
            errors["password"] = [_("At most %(n)d characters.") % {"n": MAX_PASSWORD_LENGTH}]
        else:
            mailbox.password_encrypted = crypto.encrypt(password)
    if not errors and not mailbox.password_encrypted:
        errors["password"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    mailbox.full_clean(exclude=["password_encrypted"], validate_constraints=False)


def _same(value):
    return value


def clean_host(value):
    host = str(value or "").strip().rstrip(".")
    if not (_HOSTNAME.match(host) or (":" in host and _IPV6.match(host))):
        raise ValidationError(_("Enter a server name such as imap.example.com."))
    return host.lower()


def clean_port(value):
    if type(value) is not int or not 1 <= value <= 65535:
        raise ValidationError(_("A port from 1 to 65535."))
    return value


def clean_security(value):
    if value not in MailSecurity.values:
        raise ValidationError(_("Choose TLS or STARTTLS."))
    return value


def clean_folders(value):
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise ValidationError(_("A list of folder names."))
    folders = list(dict.fromkeys(str(name).strip() for name in value if str(name).strip()))
    if len(folders) > MAX_FOLDERS:
        raise ValidationError(_("At most %(n)d folders.") % {"n": MAX_FOLDERS})
    for name in folders:
        if len(name) > MAX_FOLDER_LENGTH or any(ord(c) < 32 or c in '"\\' for c in name):
            raise ValidationError(_("“%(name)s” is not a folder name.") % {"name": name[:50]})
    return folders or ["INBOX"]


def clean_ca_file(value):
    path = str(value or "").strip()
    if path and (len(path) > 500 or not Path(path).is_absolute() or not Path(path).is_file()):
        raise ValidationError(_("The full path of a certificate file on this server."))
    return path


CLEANERS = {
    "email_address": normalize_email,
    "host": clean_host,
    "port": clean_port,
    "security": clean_security,
    "folders": clean_folders,
    "ca_file": clean_ca_file,
    "name": lambda value: str(value or "").strip(),
    "username": lambda value: str(value or "").strip(),
}
