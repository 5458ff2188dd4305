"""What a captured message keeps: broken MIME kept as failed and replayable, broken charsets
read, HTML and scripts neutralised, attachments kept (or refused by size, with a note) and
downloadable only by who may see the e-mail."""

from email.message import EmailMessage

import pytest
from django.urls import reverse

from clientela.activities.models import Activity
from clientela.intake.models import MailAttachment, MailMessage
from clientela.intake.services import mail
from clientela.intake.services.mail import storing

from .mailfixtures import SALES, email, raw

pytestmark = pytest.mark.django_db

NO_SENDER = b"Subject: \xff\xfe broken\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\xff\x01"


def _capture(mailbox, message, uid=1):
    return mail.capture(message, mailbox=mailbox, folder="INBOX", uidvalidity=1, uid=uid)


def test_malformed_mime_is_kept_as_failed_and_the_sync_goes_on(dovecot, mailbox, customer):
    dovecot.append(NO_SENDER)
    dovecot.append(raw(email()))

    result = mail.sync_mailbox(mailbox)

    assert result.counts == {"failed": 1, "captured": 1}
    failed = MailMessage.objects.get(status="failed")
    assert failed.error == "ValueError: no sender address (From) could be read"
    assert bytes(failed.raw).replace(b"\r\n", b"\n") == NO_SENDER.replace(b"\r\n", b"\n")
    mailbox.refresh_from_db()
    assert (mailbox.captured_count, mailbox.failed_count) == (1, 1)


def test_a_failed_message_is_replayed_once_the_fault_is_gone(
    mailbox, customer, admin_user, monkeypatch
):
    def broken_route(*args, **kwargs):
        raise KeyError("a bug in routing")

    monkeypatch.setattr(storing.routing, "route", broken_route)
    failed = _capture(mailbox, raw(email()))
    assert (failed.status, failed.error) == ("failed", "KeyError: 'a bug in routing'")
    monkeypatch.undo()

    replayed = mail.replay(failed, actor=admin_user)

    assert replayed.status == "captured"
    assert (replayed.folder, replayed.uid, replayed.raw) == ("INBOX", 1, None)
    assert Activity.objects.get(kind="email").contact == customer


def test_broken_charsets_are_read_with_replacement_characters(mailbox, customer):
    message = (
        b"From: nuria@vinspuig.cat\r\nTo: sales@example.com\r\nSubject: =?x-unknown?Q?Caf=E9?=\r\n"
        b"Message-ID: <cs@vinspuig.cat>\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
        b"Bon dia, caf\xe9 i pa\r\n"
    )

    stored = _capture(mailbox, message)

    assert stored.status == "captured"
    activity = Activity.objects.get(kind="email")
    assert activity.body == "<p>Bon dia, café i pa</p>"


def test_html_is_sanitised_and_scripts_dropped(mailbox, customer):
    message = email()
    message.set_content("")
    message.add_alternative(
        '<p onclick="steal()">Hola <b>Núria</b><script>alert(1)</script>'
        '<a href="javascript:alert(2)">clic</a><img src="https://t.example/p.gif"></p>',
        subtype="html",
    )
    # Only the HTML part counts: the plain one is empty.

    _capture(mailbox, raw(message))

    assert (
        Activity.objects.get(kind="email").body
        == '<p>Hola <b>Núria</b><a rel="noopener noreferrer nofollow">clic</a></p>'
    )


def test_attachments_are_kept_and_a_huge_one_is_refused_with_a_note(mailbox, customer, settings):
    settings.MAIL_MAX_ATTACHMENT_BYTES = 1000
    message = email()
    message.add_attachment(
        b"%PDF-1.4 small", maintype="application", subtype="pdf", filename="pressupost.pdf"
    )
    message.add_attachment(b"x" * 5000, maintype="application", subtype="zip",
                           filename="fotos.zip")  # fmt: skip

    _capture(mailbox, raw(message))

    activity = Activity.objects.get(kind="email")
    small, huge = MailAttachment.objects.filter(activity=activity).order_by("id")
    assert (small.filename, small.size, small.file.read()) == (
        "pressupost.pdf",
        14,
        b"%PDF-1.4 small",
    )
    assert (huge.filename, huge.size, huge.kept) == ("fotos.zip", 5000, False)
    assert activity.body == (
        "<p>Attachment “fotos.zip” (4.9\xa0KB) was too large and was not kept.</p>"
        "<p>Hola, ens cal un pressupost.</p>"
    )


def test_an_attachment_is_downloaded_only_by_who_may_see_the_email(
    client, mailbox, customer, make_user
):
    message = email()
    message.add_attachment(b"<script>alert(1)</script>", maintype="text", subtype="html",
                           filename="../../etc/evil.html")  # fmt: skip
    _capture(mailbox, raw(message))
    attachment = MailAttachment.objects.get()
    url = reverse("intake:mail_attachment", args=[attachment.pk])
    assert attachment.filename == "evil.html"

    client.force_login(make_user("sales", scope="own"))
    assert client.get(url).status_code == 404  # not their e-mail
    client.force_login(make_user("manager"))
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="evil.html"'
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_the_activity_page_lists_the_attachments(client, mailbox, customer, admin_user, settings):
    settings.MAIL_MAX_ATTACHMENT_BYTES = 10
    message = email()
    message.add_attachment(b"x" * 50, maintype="application", subtype="zip", filename="big.zip")
    _capture(mailbox, raw(message))
    client.force_login(admin_user)

    page = client.get(
        reverse("activities:activity_detail", args=[Activity.objects.get(kind="email").pk])
    ).content.decode()

    assert "big.zip" in page and "too large, not kept" in page


def test_a_message_over_the_size_limit_keeps_only_its_headers(mailbox, customer, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 100

    _capture(mailbox, raw(email(body="x" * 500)))

    activity = Activity.objects.get(kind="email")
    assert activity.subject == "Pressupost"
    assert activity.body == "<p>This message was too large to keep its text and attachments.</p>"


def test_a_multipart_without_its_boundary_is_still_captured(mailbox, customer):
    message = (
        b"From: nuria@vinspuig.cat\r\nSubject: Trencat\r\nMessage-ID: <mb@vinspuig.cat>\r\n"
        b'Content-Type: multipart/mixed; boundary="never-there"\r\n\r\nText without parts\r\n'
    )

    assert _capture(mailbox, message).status == "captured"
    assert Activity.objects.get(kind="email").subject == "Trencat"


def test_an_address_list_that_is_not_one_drops_the_bad_addresses(mailbox, customer):
    message = EmailMessage()
    message["From"] = "nuria@vinspuig.cat"
    message["To"] = f"{SALES}, not an address, <@@>"
    message["Subject"] = "Adreces"
    message.set_content("x")

    _capture(mailbox, raw(message))

    assert Activity.objects.get(kind="email").to_addresses == [SALES]
