"""Fixtures of the customer-service mail tests: a service mailbox, a real SMTP peer (aiosmtpd)
receiving what cases send, and a way to run the jobs a test enqueued."""

import struct
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from clientela.intake.services import mail
from clientela.intake.tests.imapserver import free_port
from clientela.support import jobs
from clientela.support.services import mailboxes

SUPPORT = "soporte@example.com"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Attachments of each test in a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def support_mailbox(admin_user):
    """An intake mailbox for the support address (never connected to: the tests hand its
    messages to ``capture`` or to the SMTP listener)."""
    return mail.create_mailbox(
        actor=admin_user,
        name="Atención al cliente",
        email_address=SUPPORT,
        host="127.0.0.1",
        port=993,
        security="tls",
        username=SUPPORT,
        password="not-used",
        folders=["INBOX"],
    )


@pytest.fixture
def service(support_mailbox, admin_user):
    return mailboxes.save_service_mailbox(support_mailbox, actor=admin_user)


class Inbox:
    """What the SMTP peer received: ``(envelope recipients, parsed message)``."""

    def __init__(self):
        self.messages = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.7.1 Refused for the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp_peer(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    yield handler
    controller.stop()


def run_jobs():
    """Run the e-mail jobs enqueued so far (as the worker would), each once; returns their
    results."""
    from django_tasks_db.models import DBTaskResult

    path = f"{jobs.send_case_message.module_path}"
    results = []
    for row in DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at", "id"):
        results.append(jobs.send_case_message.call(*row.args_kwargs["args"]))
        row.delete()
    return results


def write_mo(path, messages):
    """A gettext catalogue (``.mo``) of ``{msgid: msgstr}`` in UTF-8."""
    catalogue = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(catalogue)
    ids = [k.encode() for k in keys]
    strs = [catalogue[k].encode() for k in keys]
    start = 7 * 4 + 16 * len(keys)
    offsets, data = [], b""
    for item in ids + strs:
        offsets.append((len(item), start + len(data)))
        data += item + b"\0"
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    table = b"".join(struct.pack("ii", n, o) for n, o in offsets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + table + data)


from clientela.intake.tests.mailfixtures import dovecot, mailbox  # noqa: E402,F401  (Dovecot)
