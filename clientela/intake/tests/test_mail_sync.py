"""Reading a real Dovecot over TLS: messages on the right timeline, threads, idempotency
(twice, after a crash, without Message-ID, after a renumbering), and clear errors."""

import pytest
from django.db import OperationalError

from clientela.activities.models import Activity
from clientela.contacts import services as contact_services
from clientela.intake.models import MailFolder, MailMessage
from clientela.intake.services import mail
from clientela.intake.services.mail import imap
from clientela.sales import services as sales_services

from .mailfixtures import SALES, email, raw

pytestmark = pytest.mark.django_db


def _emails():
    return Activity.objects.filter(kind="email").order_by("timeline_at", "id")


def test_an_inbound_message_lands_on_its_senders_timeline(dovecot, mailbox, customer):
    dovecot.append(raw(email()))

    result = mail.sync_mailbox(mailbox)

    assert (result.ran, result.error, result.counts) == (True, "", {"captured": 1})
    activity = _emails().get()
    assert (activity.contact, activity.direction, activity.subject) == (
        customer,
        "in",
        "Pressupost",
    )
    assert (activity.from_address, activity.to_addresses) == ("nuria@vinspuig.cat", [SALES])
    assert activity.message_id == "<m1@vinspuig.cat>"
    assert activity.body == "<p>Hola, ens cal un pressupost.</p>"
    assert activity.owner == mailbox.owner
    mailbox.refresh_from_db()
    assert (mailbox.captured_count, mailbox.last_error) == (1, "")
    assert mailbox.last_success_at is not None


def test_sent_mail_is_outbound_on_the_recipients_timeline(dovecot, mailbox, customer, admin_user):
    other = contact_services.create_contact(
        actor=admin_user, first_name="Pere", emails=["pere@vinspuig.cat"]
    )
    dovecot.append(
        raw(email(sender=SALES, to="nuria@vinspuig.cat", cc="pere@vinspuig.cat")), "Sent"
    )

    mail.sync_mailbox(mailbox)

    activity = _emails().get()
    assert (activity.contact, activity.direction) == (customer, "out")
    assert activity.to_addresses == ["nuria@vinspuig.cat", "pere@vinspuig.cat"]
    assert MailMessage.objects.get(activity=activity).other_contacts == [other.pk]


def test_a_reply_joins_the_thread_and_the_deal_it_answers(
    dovecot, mailbox, customer, admin_user, pipeline
):
    dovecot.append(raw(email()))
    mail.sync_mailbox(mailbox)
    first = _emails().get()
    deal = sales_services.create_deal(actor=admin_user, name="Cava 2027", contacts=[customer])
    Activity.objects.filter(pk=first.pk).update(deal=deal)
    dovecot.append(
        raw(email(sender=SALES, to="nuria@vinspuig.cat", subject="Re: Pressupost",
                  message_id="<r1@example.com>", in_reply_to="<m1@vinspuig.cat>")),
        "Sent",
    )  # fmt: skip
    dovecot.append(
        raw(email(subject="Re: Re: Pressupost", message_id="<m2@vinspuig.cat>",
                  references="<m1@vinspuig.cat> <r1@example.com>")),
    )  # fmt: skip

    mail.sync_mailbox(mailbox)

    reply, answer = _emails().exclude(pk=first.pk)
    assert (reply.deal, answer.deal) == (deal, deal)
    keys = set(MailMessage.objects.filter(status="captured").values_list("thread_key", flat=True))
    assert keys == {"<m1@vinspuig.cat>"}


def test_syncing_twice_captures_once(dovecot, mailbox, customer):
    dovecot.append(raw(email()))
    mail.sync_mailbox(mailbox)

    second = mail.sync_mailbox(mailbox)

    assert second.counts == {}
    assert _emails().count() == 1


def test_the_same_message_in_two_folders_is_captured_once(dovecot, mailbox, customer):
    dovecot.append(raw(email()))
    dovecot.append(raw(email()), "Sent")

    result = mail.sync_mailbox(mailbox)

    assert result.counts == {"captured": 1, "duplicate": 1}
    assert _emails().count() == 1


def test_messages_without_message_id_are_captured_once(dovecot, mailbox, customer):
    message = raw(email(message_id=None))
    dovecot.append(message)
    dovecot.append(message)  # delivered twice
    dovecot.append(raw(email(message_id=None, body="Another one")))

    mail.sync_mailbox(mailbox)
    mail.sync_mailbox(mailbox)

    assert sorted(a.body for a in _emails()) == [
        "<p>Another one</p>",
        "<p>Hola, ens cal un pressupost.</p>",
    ]


def test_a_crash_midway_loses_nothing_and_doubles_nothing(dovecot, mailbox, customer, monkeypatch):
    for number in range(7):
        dovecot.append(raw(email(subject=f"N{number}", message_id=f"<n{number}@vinspuig.cat>")))
    monkeypatch.setattr(imap, "BATCH", 3)
    calls = {"n": 0}
    real_capture = imap.capture

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OperationalError("disk I/O error")
        return real_capture(*args, **kwargs)

    monkeypatch.setattr(imap, "capture", crashing)
    with pytest.raises(OperationalError):
        mail.sync_mailbox(mailbox)
    assert _emails().count() == 3  # the first batch was committed, the second rolled back
    assert MailFolder.objects.get(mailbox=mailbox, name="INBOX").last_uid == 3

    monkeypatch.setattr(imap, "capture", real_capture)
    mail.sync_mailbox(mailbox)

    assert sorted(_emails().values_list("subject", flat=True)) == [f"N{n}" for n in range(7)]


def test_a_renumbered_folder_is_read_again_without_duplicates(dovecot, mailbox, customer):
    dovecot.append(raw(email()))
    dovecot.append(raw(email(message_id=None, body="Sense identificador")))
    mail.sync_mailbox(mailbox)
    before = MailFolder.objects.get(mailbox=mailbox, name="INBOX").uidvalidity

    dovecot.reset_uidvalidity()
    dovecot.append(raw(email(message_id="<m3@vinspuig.cat>", subject="Nou")))
    result = mail.sync_mailbox(mailbox)

    assert MailFolder.objects.get(mailbox=mailbox, name="INBOX").uidvalidity != before
    assert result.counts == {"duplicate": 2, "captured": 1}
    assert _emails().count() == 3


def test_unknown_senders_are_not_contacts_unless_asked(dovecot, mailbox, admin_user):
    dovecot.append(raw(email(sender="Joan Soler <joan@desconegut.cat>", message_id="<u1@x.cat>")))
    mail.sync_mailbox(mailbox)
    assert MailMessage.objects.get().status == "unmatched"
    assert not _emails().exists()

    mailbox = mail.update_mailbox(mailbox, actor=admin_user, create_contacts=True)
    dovecot.append(raw(email(sender="Joan Soler <joan@desconegut.cat>", message_id="<u2@x.cat>")))
    mail.sync_mailbox(mailbox)

    activity = _emails().get()
    contact = activity.contact
    assert (contact.first_name, contact.last_name, contact.lifecycle_stage) == (
        "Joan",
        "Soler",
        "lead",
    )
    assert contact.source == "email"


def test_a_wrong_password_is_a_clear_sync_error(dovecot, mailbox, admin_user):
    mailbox = mail.update_mailbox(mailbox, actor=admin_user, password="wrong")

    result = mail.sync_mailbox(mailbox)

    mailbox.refresh_from_db()
    assert result.error.startswith("The server refused the user name or password: ")
    assert mailbox.last_error == result.error and mailbox.last_success_at is None


def test_an_untrusted_certificate_is_a_clear_sync_error(dovecot, mailbox, admin_user):
    mailbox = mail.update_mailbox(mailbox, actor=admin_user, ca_file="")

    result = mail.sync_mailbox(mailbox)

    assert result.error == (
        "The certificate of 127.0.0.1 could not be verified: self-signed certificate"
    )


def test_no_server_listening_is_a_clear_sync_error(mailbox, admin_user):
    from .imapserver import free_port

    port = free_port()
    mailbox = mail.update_mailbox(mailbox, actor=admin_user, port=port)

    result = mail.sync_mailbox(mailbox)

    assert result.error == f"Could not connect to 127.0.0.1:{port}: Connection refused"


def test_two_syncs_never_read_one_mailbox_at_once(dovecot, mailbox, customer):
    assert imap.claim(mailbox, "otherhost:1:abc")
    dovecot.append(raw(email()))

    result = mail.sync_mailbox(mailbox)

    assert result.ran is False and not _emails().exists()


def test_a_lease_left_by_a_dead_process_is_taken_over(dovecot, mailbox, customer):
    import socket
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    assert imap.claim(mailbox, f"{socket.gethostname()[:40]}:{dead.pid}:abc")
    dovecot.append(raw(email()))

    assert mail.sync_mailbox(mailbox).ran is True
    assert _emails().count() == 1


def test_test_connection_lists_the_folders(dovecot, mailbox):
    dovecot.append(raw(email()))
    dovecot.append(raw(email()), "Sent")

    assert mail.test_connection(mailbox) == [("INBOX", 1), ("Sent", 1)]
