"""E-mail capture: a full IMAP sync of a 10,000-message mailbox on a real Dovecot, and the
duplicates left after a sync killed midway (SIGKILL) and started again.

Needs Dovecot (/usr/sbin/dovecot) and openssl; reports an error otherwise. Its data (contacts
on ``@bench-mail.example``, two mailboxes, their activities) is removed afterwards, so the
other metrics of the bench database are not moved by it."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {
    "imap_sync_10k": [("seconds", 120, "s")],
    "imap_duplicates_after_restart": [("value", 0, "messages")],
}
NEEDS_DATASET = False  # ``--only mail`` runs on any database, even an empty one
MESSAGES = 10_000
RESTART_MESSAGES = 3_000
CONTACTS = 200
DOMAIN = "bench-mail.example"
SALES = "sales@bench-mail.example"
RESTART = "restart@bench-mail.example"


def measure(args, db):
    from clientela.intake.tests.imapserver import Dovecot, available

    if not available():
        error = {"missing": "Dovecot (/usr/sbin/dovecot) or openssl is not installed"}
        return {name: {"errors": error} for name in TARGETS}
    root = tempfile.mkdtemp(prefix="clientela-bench-dovecot-")
    server = Dovecot(root)
    try:
        server.start(users=(SALES, RESTART))
        _contacts()
        server.write_maildir(messages(MESSAGES, "full"), user=SALES)
        server.write_maildir(messages(RESTART_MESSAGES, "restart"), user=RESTART)
        return {
            "imap_sync_10k": full_sync(server),
            "imap_duplicates_after_restart": killed_and_restarted(server),
        }
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        _clean_up()


def messages(count, prefix):
    """Realistic small messages: most from known contacts, one in ten from strangers (never
    replies, which would join their thread's contact), one in twenty without a Message-ID,
    one in five a reply to an earlier one."""
    for n in range(count):
        sender = f"stranger{n}@elsewhere.example" if n % 10 == 7 else f"c{n % CONTACTS}@{DOMAIN}"
        headers = [
            f"From: Client {n % CONTACTS} <{sender}>",
            "To: Vendes <sales@bench-mail.example>",
            f"Subject: {prefix} #{n}",
            f"Date: Mon, 23 Nov 2026 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d} +0100",
        ]
        if n % 20 != 19:
            headers.append(f"Message-ID: <{prefix}-{n}@{DOMAIN}>")
        if n % 5 == 4 and n > 5:
            headers.append(f"In-Reply-To: <{prefix}-{n - 5}@{DOMAIN}>")
        headers.append("Content-Type: text/plain; charset=utf-8")
        body = f"Bon dia,\n\nMissatge {prefix} número {n}.\n" + "Línia de text. " * 40
        yield ("\n".join(headers) + "\n\n" + body + "\n").encode()


def full_sync(server):
    from clientela.intake.services import mail

    mailbox = _mailbox(server, SALES)
    started = time.perf_counter()
    result = mail.sync_mailbox(mailbox)
    seconds = time.perf_counter() - started
    errors = {"sync": result.error} if result.error else {}
    handled = sum(result.counts.values())
    if handled != MESSAGES:
        errors["handled"] = f"{handled} of {MESSAGES}"
    return {"seconds": round(seconds, 1), "counts": result.counts, "errors": errors}


def killed_and_restarted(server):
    """Start a sync in another process, SIGKILL it once it has stored some messages, sync
    again here, and count the messages on a timeline more than once."""
    from clientela.activities.models import Activity
    from clientela.intake.models import MailMessage
    from clientela.intake.services import mail

    mailbox = _mailbox(server, RESTART)
    code = (
        "import django; django.setup();"
        "from clientela.intake.models import Mailbox;"
        "from clientela.intake.services.mail import sync_mailbox;"
        f"sync_mailbox(Mailbox.objects.get(pk={mailbox.pk}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clientela.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), *sys.path])
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    errors = {}
    deadline = time.monotonic() + 300
    while MailMessage.objects.filter(mailbox=mailbox).count() < RESTART_MESSAGES // 3:
        if child.poll() is not None or time.monotonic() > deadline:
            errors["kill"] = "the first sync ended before it could be killed"
            break
        time.sleep(0.2)
    killed_after = MailMessage.objects.filter(mailbox=mailbox).count()
    child.send_signal(signal.SIGKILL)
    child.wait()
    result = mail.sync_mailbox(mailbox)
    if result.error or not result.ran:
        errors["restart"] = result.error or "the lease of the killed sync was not taken over"
    subjects = Activity.all_objects.filter(kind="email", subject__startswith="restart #")
    on_timelines = subjects.count()
    distinct = subjects.values("subject").distinct().count()
    expected = sum(1 for n in range(RESTART_MESSAGES) if n % 10 != 7)  # strangers: unmatched
    if distinct != expected:
        errors["missing"] = f"{expected - distinct} messages not captured"
    return {
        "value": on_timelines - distinct,
        "killed_after": killed_after,
        "captured": distinct,
        "errors": errors,
    }


def _contacts():
    from clientela.contacts import services as contact_services
    from clientela.contacts.models import ContactEmail

    if ContactEmail.objects.filter(email=f"c0@{DOMAIN}").exists():
        return
    for n in range(CONTACTS):
        contact_services.create_contact(
            actor=None, first_name=f"Client {n}", emails=[f"c{n}@{DOMAIN}"]
        )


def _mailbox(server, user):
    from clientela.intake.models import Mailbox
    from clientela.intake.services import mail
    from clientela.intake.tests.imapserver import PASSWORD

    Mailbox.objects.filter(email_address=user).delete()
    return mail.create_mailbox(
        actor=None,
        name=user,
        email_address=user,
        host="127.0.0.1",
        port=server.port,
        security="tls",
        username=user,
        password=PASSWORD,
        folders=["INBOX"],
        ca_file=str(server.cert),
    )


def _clean_up():
    """Remove what the suite made (bench bookkeeping, not a domain change)."""
    from django.db import transaction

    from clientela.activities.models import Activity
    from clientela.contacts.models import Contact
    from clientela.intake.models import Mailbox, MailMessage

    with transaction.atomic():
        contacts = Contact.all_objects.filter(emails__email__endswith=f"@{DOMAIN}")
        MailMessage.objects.filter(mailbox__email_address__endswith=f"@{DOMAIN}").delete()
        Activity.all_objects.filter(contact__in=contacts).delete()
        Mailbox.objects.filter(email_address__endswith=f"@{DOMAIN}").delete()
        contacts.delete()
