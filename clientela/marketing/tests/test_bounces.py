"""Bounces and complaints come back through the mail intake: a permanent failure suppresses
the address, a delay is only noted, a spam complaint suppresses and withdraws consent, and a
report that does not name one of our (signed) Message-IDs is ordinary mail."""

import itertools

import pytest

from clientela.activities.models import Activity
from clientela.contacts.models import Contact
from clientela.intake.choices import MailStatus
from clientela.intake.services import mail
from clientela.marketing import tracking
from clientela.marketing.choices import EngagementKind, SuppressionReason
from clientela.marketing.models import CampaignEvent, CampaignRecipient, Suppression
from clientela.marketing.services import campaigns

pytestmark = pytest.mark.django_db
_uids = itertools.count(1)


@pytest.fixture
def mailbox(admin_user):
    return mail.create_mailbox(
        actor=admin_user,
        name="Butlletí",
        email_address="news@botiga.cat",
        host="127.0.0.1",
        port=993,
        security="tls",
        username="news@botiga.cat",
        password="not-used",
        folders=["INBOX"],
    )


@pytest.fixture
def recipient(campaign, make_contact):
    make_contact("ana@example.com")
    campaigns.write_recipients(campaign, Contact.objects.all())
    return CampaignRecipient.objects.get()


def _original(recipient, message_id=None):
    message_id = message_id or tracking.message_id(
        recipient.campaign_id, recipient.pk, "botiga.cat"
    )
    return (
        f"From: news@botiga.cat\r\nTo: {recipient.email}\r\nSubject: Novetats\r\n"
        f"Message-ID: {message_id}\r\n\r\n"
    )


def _dsn(recipient, *, action="failed", status="5.1.1", message_id=None, as_headers=False):
    original = _original(recipient, message_id)
    kind = "text/rfc822-headers" if as_headers else "message/rfc822"
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: news@botiga.cat\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn.{next(_uids)}@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient.email}\r\nAction: {action}\r\n"
        f"Status: {status}\r\nDiagnostic-Code: smtp; 550 {status} User unknown\r\n\r\n"
        f"--b\r\nContent-Type: {kind}\r\n\r\n{original}"
        "--b--\r\n"
    )
    return raw.encode()


def _arf(recipient):
    raw = (
        "From: feedback@provider.example\r\nTo: news@botiga.cat\r\n"
        f"Subject: Abuse report\r\nMessage-ID: <arf.{next(_uids)}@provider.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        "--b\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: Provider/1.0\r\nVersion: 1\r\n\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        f"{_original(recipient)}Hola\r\n"
        "--b--\r\n"
    )
    return raw.encode()


def _capture(raw, mailbox):
    return mail.capture(raw, mailbox=mailbox, folder="INBOX", uidvalidity=1, uid=next(_uids))


@pytest.mark.parametrize("as_headers", [False, True])
def test_a_permanent_bounce_suppresses_the_address(recipient, mailbox, as_headers):
    stored = _capture(_dsn(recipient, as_headers=as_headers), mailbox)

    assert stored.status == MailStatus.REPORT
    assert not Activity.objects.exists()  # on nobody's timeline
    recipient.refresh_from_db()
    assert recipient.bounced_at is not None
    suppressed = Suppression.objects.get()
    assert (suppressed.email, suppressed.reason) == ("ana@example.com", SuppressionReason.BOUNCE)
    assert suppressed.detail == "5.1.1 smtp; 550 5.1.1 User unknown"
    assert list(CampaignEvent.objects.values_list("kind", flat=True)) == [EngagementKind.BOUNCE]
    # The next campaign does not write to it.
    assert campaigns.mailable(Contact.objects.all()).count() == 0


def test_a_delay_is_noted_but_suppresses_nothing(recipient, mailbox):
    stored = _capture(_dsn(recipient, action="delayed", status="4.2.2"), mailbox)

    assert stored.status == MailStatus.REPORT
    recipient.refresh_from_db()
    assert recipient.bounced_at is None
    assert not Suppression.objects.exists()
    assert list(CampaignEvent.objects.values_list("kind", "detail")) == [
        (EngagementKind.SOFT_BOUNCE, "4.2.2 smtp; 550 4.2.2 User unknown")
    ]


def test_a_spam_complaint_suppresses_and_withdraws_consent(recipient, mailbox):
    stored = _capture(_arf(recipient), mailbox)

    assert stored.status == MailStatus.REPORT
    assert Suppression.objects.get().reason == SuppressionReason.COMPLAINT
    assert Contact.objects.get(pk=recipient.contact_id).consent_status == "withdrawn"
    recipient.refresh_from_db()
    assert recipient.complained_at is not None


@pytest.mark.parametrize(
    "message_id",
    [
        "<c1.r1.00000000000000000000000000000000@botiga.cat>",  # a made-up signature
        "<someone-elses-message@example.com>",
        "",
    ],
)
def test_a_report_not_about_our_message_is_ordinary_mail(recipient, mailbox, message_id):
    raw = _dsn(recipient, message_id=message_id or "<x@y>")

    stored = _capture(raw, mailbox)

    assert stored.status != MailStatus.REPORT
    assert not Suppression.objects.exists()
    assert not CampaignEvent.objects.exists()


def test_a_report_with_unreadable_fields_is_only_noted(recipient, mailbox):
    raw = _dsn(recipient).replace(b"Action: failed", b"Action: \x00\xff garbage")

    assert _capture(raw, mailbox).status == MailStatus.REPORT
    assert not Suppression.objects.exists()
    assert CampaignEvent.objects.get().kind == EngagementKind.SOFT_BOUNCE


def test_a_delivered_notice_records_nothing(recipient, mailbox):
    assert _capture(_dsn(recipient, action="delivered", status="2.0.0"), mailbox).status == (
        MailStatus.REPORT
    )
    assert not CampaignEvent.objects.exists()
