"""Fixtures of the mail-capture tests: a real Dovecot, a mailbox reading it, contacts, and
messages built with the stdlib."""

import shutil
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.intake.services import mail

from .imapserver import PASSWORD, Dovecot, available

SALES = "sales@example.com"


@pytest.fixture
def dovecot(tmp_path):
    if not available():
        pytest.skip("Dovecot (/usr/sbin/dovecot, Debian's dovecot-imapd) or openssl is missing")
    # As root the server's files must be reachable by Dovecot's own users; pytest's
    # directories are not.
    root = tempfile.mkdtemp(prefix="clientela-dovecot-") if _root() else tmp_path / "dovecot"
    server = Dovecot(root).start()
    yield server
    server.stop()
    if _root():
        shutil.rmtree(root, ignore_errors=True)


def _root():
    import os

    return os.geteuid() == 0


@pytest.fixture
def mailbox(dovecot, admin_user, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return mail.create_mailbox(
        actor=admin_user,
        name="Ventas",
        email_address=SALES,
        host="127.0.0.1",
        port=dovecot.port,
        security="tls",
        username=SALES,
        password=PASSWORD,
        folders=["INBOX", "Sent"],
        ca_file=str(dovecot.cert),
        owner=admin_user,
    )


@pytest.fixture
def customer(admin_user):
    return contact_services.create_contact(
        actor=admin_user, first_name="Núria", last_name="Puig", emails=["nuria@vinspuig.cat"]
    )


def email(
    sender="Núria Puig <nuria@vinspuig.cat>",
    to=SALES,
    subject="Pressupost",
    body="Hola, ens cal un pressupost.",
    message_id="<m1@vinspuig.cat>",
    **headers,
):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def raw(message):
    return bytes(message)
