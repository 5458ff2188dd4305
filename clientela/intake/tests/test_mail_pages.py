"""Mailbox pages: for managers only; the form refuses hostile values and never shows the
password; the connection test, sync now and replay."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from clientela.intake.models import Mailbox, MailMessage
from clientela.intake.services import mail

from .imapserver import PASSWORD
from .mailfixtures import SALES

pytestmark = pytest.mark.django_db


def _data(dovecot, **changes):
    data = {
        "name": "Ventas",
        "email_address": SALES,
        "host": "127.0.0.1",
        "port": dovecot.port if dovecot else 993,
        "security": "tls",
        "username": SALES,
        "password": PASSWORD,
        "folders": "INBOX\nSent",
        "verify_certificate": "on",
        "ca_file": str(dovecot.cert) if dovecot else "",
        "active": "on",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_manager_connects_a_mailbox_and_the_password_is_kept_encrypted(
    client, make_user, dovecot
):
    client.force_login(make_user("manager"))

    response = client.post(reverse("intake:mailbox_create"), _data(dovecot))

    box = Mailbox.objects.get()
    assert response["Location"] == reverse("intake:mailbox_edit", args=[box.pk])
    assert (box.folders, box.port, box.security) == (["INBOX", "Sent"], dovecot.port, "tls")
    assert PASSWORD not in box.password_encrypted
    assert mail.crypto.decrypt(box.password_encrypted) == PASSWORD
    page = client.get(response["Location"]).content.decode()
    assert PASSWORD not in page and box.password_encrypted not in page


def test_saving_without_a_password_keeps_the_stored_one(client, make_user, mailbox, dovecot):
    client.force_login(make_user("manager"))
    stored = mailbox.password_encrypted

    client.post(
        reverse("intake:mailbox_edit", args=[mailbox.pk]),
        _data(dovecot, password="", name="Vendes"),
    )

    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.password_encrypted) == ("Vendes", stored)


def test_the_connection_test_says_what_it_found_without_saving(client, make_user, dovecot):
    client.force_login(make_user("manager"))

    response = client.post(reverse("intake:mailbox_create"), _data(dovecot, action="test"))

    assert response.status_code == 200 and not Mailbox.objects.exists()
    assert "Connected. INBOX: 0 messages, Sent: 0 messages" in response.content.decode()


def test_the_connection_test_shows_a_wrong_password(client, make_user, dovecot):
    client.force_login(make_user("manager"))

    response = client.post(
        reverse("intake:mailbox_create"), _data(dovecot, action="test", password="nope")
    )

    assert "The server refused the user name or password: " in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"host": "imap.example.com/../x"}, "host"),
        ({"host": "http://imap.example.com"}, "host"),
        ({"host": "a" * 300}, "host"),
        ({"host": "imap example com"}, "host"),
        ({"port": "0"}, "port"),
        ({"port": "99999999999999999999"}, "port"),
        ({"email_address": "not an address"}, "email_address"),
        ({"folders": 'INBOX\n"; DELETE'}, "folders"),
        ({"folders": "\n".join(f"F{n}" for n in range(21))}, "folders"),
        ({"folders": "x" * 6000}, "folders"),
        ({"ca_file": "relative/ca.pem"}, "ca_file"),
        ({"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
        ({"password": "p" * 1001}, "password"),
        ({"password": ""}, "password"),
        ({"security": "plain"}, "security"),
        ({"name": "N" * 101}, "name"),
    ],
)
def test_hostile_values_are_refused_with_nothing_saved(client, make_user, changes, field):
    client.force_login(make_user("manager"))

    response = client.post(reverse("intake:mailbox_create"), _data(None, **changes))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Mailbox.objects.exists()


def test_sync_now_queues_a_sync(client, make_user, mailbox):
    client.force_login(make_user("manager"))

    response = client.post(reverse("intake:mailbox_sync", args=[mailbox.pk]))

    assert response.status_code == 302
    task = DBTaskResult.objects.get(task_path="clientela.intake.jobs.sync_one_mailbox")
    assert task.args_kwargs["args"] == [mailbox.pk]


def test_the_status_shows_the_last_error_and_failed_messages_replay(
    client, make_user, mailbox, customer
):
    stored = mail.capture(b"garbage", mailbox=mailbox, folder="INBOX", uidvalidity=1, uid=9)
    mailbox.last_error = "The server refused the user name or password: AUTHENTICATIONFAILED"
    mailbox.save()
    client.force_login(make_user("manager"))

    page = client.get(reverse("intake:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "AUTHENTICATIONFAILED" in page
    assert "ValueError: no sender address (From) could be read" in page

    response = client.post(reverse("intake:message_replay", args=[stored.pk]))
    assert response.status_code == 302
    assert MailMessage.objects.get().status == "failed"  # garbage stays garbage


def test_removing_a_mailbox_keeps_the_captured_emails(client, make_user, mailbox, customer):
    from .mailfixtures import email, raw

    mail.capture(raw(email()), mailbox=mailbox, folder="INBOX", uidvalidity=1, uid=1)
    client.force_login(make_user("manager"))

    client.post(reverse("intake:mailbox_delete", args=[mailbox.pk]))

    assert not Mailbox.objects.exists()
    assert MailMessage.objects.get().activity.contact == customer


@pytest.mark.parametrize("role", ["sales", "read_only"])
def test_only_managers_see_mailboxes(client, make_user, mailbox, role):
    client.force_login(make_user(role))

    for name, method in [
        ("intake:mailbox_list", "get"),
        ("intake:mailbox_create", "get"),
        ("intake:mailbox_edit", "get"),
        ("intake:mailbox_sync", "post"),
        ("intake:mailbox_delete", "post"),
    ]:
        args = [] if name in ("intake:mailbox_list", "intake:mailbox_create") else [mailbox.pk]
        assert getattr(client, method)(reverse(name, args=args)).status_code == 403, name
    assert Mailbox.objects.exists()


def test_the_user_menu_links_mailboxes_for_managers(client, make_user):
    client.force_login(make_user("manager"))
    assert (
        reverse("intake:mailbox_list")
        in client.get(reverse("intake:webhook_list")).content.decode()
    )
