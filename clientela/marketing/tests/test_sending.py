"""The sending engine: each recipient once, through a real SMTP peer; recorded as sent with the
final dot; claimed rows of a dead or stalled sender; refusals."""

import smtplib
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.contacts.models import Contact
from clientela.marketing.choices import CampaignStatus, RecipientStatus, SuppressionReason
from clientela.marketing.models import Campaign, CampaignRecipient
from clientela.marketing.sending import allowance, engine, queue
from clientela.marketing.services import campaigns, engagement

from .conftest import PlainComposer

pytestmark = pytest.mark.django_db


def _sending(campaign, contacts):
    """The campaign with its audience written, as ``start_campaign`` leaves it."""
    count = campaigns.write_recipients(campaign, contacts)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    return count


def _send(campaign, **options):
    return engine.run_sender(campaign.pk, composer_factory=PlainComposer, **options)


def test_audience_is_the_consenting_addresses_once_each(campaign, make_contact):
    ana = make_contact("ana@example.com")
    make_contact("pere@example.com", consent="withdrawn")
    make_contact("joan@example.com", consent="unknown")
    make_contact("")  # no address
    twin = make_contact("ANA@example.com", first_name="Ana bis")  # the same address again
    gone = make_contact("bounced@example.com")
    engagement.suppress("Bounced@Example.com", SuppressionReason.BOUNCE)
    erased = make_contact("erased@example.com")
    Contact.all_objects.filter(pk=erased.pk).update(anonymised_at=timezone.now())

    assert _sending(campaign, Contact.objects.all()) == 1
    row = CampaignRecipient.objects.get()
    assert (row.contact_id, row.email, row.language, row.status) == (
        ana.pk,
        "ana@example.com",
        "es",
        RecipientStatus.QUEUED,
    )
    assert twin.pk != ana.pk and gone.pk


def test_sends_every_recipient_once_and_finishes(campaign, make_contact, smtp_peer):
    people = [make_contact(f"client{n}@example.com") for n in range(7)]
    _sending(campaign, Contact.objects.all())

    counts = _send(campaign, batch_size=3)

    assert counts == {"sent": 7, "failed": 0, "retry": 0}
    assert sorted(to[0] for to, _ in smtp_peer.messages) == sorted(p.primary_email for p in people)
    rows = CampaignRecipient.objects.order_by("id")
    assert {row.status for row in rows} == {RecipientStatus.SENT}
    assert smtp_peer.message_ids() == sorted(row.message_id for row in rows)
    body = smtp_peer.messages[0][1].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "\n.\nUna línia que comença amb un punt." in body  # dot-stuffing undone by the peer
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert campaign.finished_at is not None
    # A second sender (a job run twice) finds nothing to do.
    assert _send(campaign) == {"sent": 0, "failed": 0, "retry": 0}
    assert len(smtp_peer.messages) == 7


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_before_the_final_dot_records_nothing(
    campaign, make_contact, smtp_peer, monkeypatch
):
    make_contact("ana@example.com")
    make_contact("pere@example.com")
    _sending(campaign, Contact.objects.all())
    real_send = smtplib.SMTP.send
    statuses = []

    def send(client, data):
        if data == b".\r\n" and not statuses:  # the first message's final dot
            statuses.extend(CampaignRecipient.objects.values_list("status", flat=True))
            raise OSError("connection reset")
        return real_send(client, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    _send(campaign, idle_wait=0.01)

    assert RecipientStatus.SENT in statuses  # recorded, in the transaction the dot ends
    assert sorted(to for to, _ in smtp_peer.messages) == [["ana@example.com"], ["pere@example.com"]]
    assert set(CampaignRecipient.objects.values_list("status", flat=True)) == {"sent"}


def test_a_dead_senders_rows_go_back_to_the_queue_when_its_lease_runs_out(
    campaign, make_contact, smtp_peer
):
    for n in range(4):
        make_contact(f"client{n}@example.com")
    _sending(campaign, Contact.objects.all())
    long_ago = timezone.now() - queue.LEASE - timedelta(seconds=1)
    dead = queue.claim(campaign.pk, "dead-worker", 3, now=long_ago)
    assert len(dead) == 3

    counts = _send(campaign)

    assert counts["sent"] == 4
    assert len(smtp_peer.messages) == 4
    assert not CampaignRecipient.objects.exclude(status=RecipientStatus.SENT).exists()


def test_a_stalled_sender_cannot_send_a_row_taken_back(campaign, make_contact, smtp_peer):
    make_contact("ana@example.com")
    _sending(campaign, Contact.objects.all())
    long_ago = timezone.now() - queue.LEASE - timedelta(seconds=1)
    [stalled] = queue.claim(campaign.pk, "slow-worker", 10, now=long_ago)
    queue.requeue_expired(campaign.pk)
    [taken] = queue.claim(campaign.pk, "other-worker", 10)

    with queue.sending(stalled.pk, "slow-worker", "<x@example.com>") as recorded:
        assert not recorded
    with queue.sending(taken.pk, "other-worker", "<y@example.com>") as recorded:
        assert recorded
    assert CampaignRecipient.objects.get().message_id == "<y@example.com>"


def test_two_senders_never_claim_the_same_row(campaign, make_contact):
    for n in range(10):
        make_contact(f"client{n}@example.com")
    _sending(campaign, Contact.objects.all())

    first = queue.claim(campaign.pk, "a", 6)
    second = queue.claim(campaign.pk, "b", 6)

    assert len(first) == 6 and len(second) == 4
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert queue.claim(campaign.pk, "c", 6) == []


def test_refusals_permanent_fail_temporary_retry_later(campaign, make_contact, smtp_peer):
    make_contact("ok@example.com")
    make_contact("nobody@example.com")
    make_contact("busy@example.com")
    smtp_peer.refuse = {
        "nobody@example.com": "550 5.1.1 No such user",
        "busy@example.com": "451 4.3.0 Try again later",
    }
    _sending(campaign, Contact.objects.all())

    counts = _send(campaign)

    assert counts == {"sent": 1, "failed": 1, "retry": 1}
    rows = {row.email: row for row in CampaignRecipient.objects.all()}
    assert rows["nobody@example.com"].status == RecipientStatus.FAILED
    assert rows["nobody@example.com"].error.startswith("550 5.1.1 No such user")
    busy = rows["busy@example.com"]
    assert (busy.status, busy.claimed_by) == (RecipientStatus.CLAIMED, "")
    assert busy.lease_until > timezone.now() + timedelta(minutes=4)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING  # the retry is still to come

    # Its time comes: the address now takes it, and the campaign is done.
    smtp_peer.refuse = {}
    queue.requeue_expired(campaign.pk, now=timezone.now() + timedelta(minutes=6))
    assert _send(campaign)["sent"] == 1
    assert [to for to, _ in smtp_peer.messages] == [["ok@example.com"], ["busy@example.com"]]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_paused_campaign_stops_sending(campaign, make_contact, smtp_peer, admin_user):
    make_contact("ana@example.com")
    _sending(campaign, Contact.objects.all())
    campaigns.pause_campaign(campaign, actor=admin_user)

    assert _send(campaign) == {"sent": 0, "failed": 0, "retry": 0}
    assert smtp_peer.messages == []
    assert CampaignRecipient.objects.get().status == RecipientStatus.QUEUED


def test_allowance_gives_the_rate_and_no_more(db):
    limits = {"smtp:test:25": 2.0, "campaign:1": 10.0}
    assert allowance.take(5, limits, now=1000.0) == 2  # a second's worth at the slower rate
    assert allowance.take(5, limits, now=1000.0) == 0
    assert allowance.take(5, limits, now=1000.5) == 1
    assert allowance.take(5, limits, now=1010.0) == 2  # never more than a second's worth
    assert allowance.take(5, {}, now=1010.0) == 5  # no limit
    assert allowance.wait_time(limits) == 0.5


def test_the_mail_servers_rate_spaces_the_messages(campaign, make_contact, smtp_peer, settings):
    settings.EMAIL_RATE = 2  # two a second: the third message waits for half a second
    for n in range(3):
        make_contact(f"client{n}@example.com")
    _sending(campaign, Contact.objects.all())
    started = time.monotonic()

    assert _send(campaign)["sent"] == 3
    assert time.monotonic() - started >= 0.45


class Killed(BaseException):
    """A worker dying mid-batch: nothing of ours catches it."""


def test_a_sender_that_dies_mid_batch_leaves_nothing_sent_twice_or_missed(
    campaign, make_contact, smtp_peer, monkeypatch
):
    monkeypatch.setattr(queue, "LEASE", timedelta(seconds=0.3))
    for n in range(12):
        make_contact(f"client{n:02d}@example.com")
    _sending(campaign, Contact.objects.all())
    built = []

    class DyingComposer(PlainComposer):
        def compose(self, recipient):
            if len(built) == 5:
                raise Killed
            built.append(recipient.pk)
            return super().compose(recipient)

    with pytest.raises(Killed):
        engine.run_sender(campaign.pk, composer_factory=DyingComposer, batch_size=8)
    assert len(smtp_peer.messages) == 5
    held = CampaignRecipient.objects.filter(status=RecipientStatus.CLAIMED)
    assert held.count() == 3  # the rest of its batch, in its hands when it died

    # Another worker's sender: it waits for the dead one's lease, then takes its rows back.
    counts = engine.run_sender(campaign.pk, composer_factory=PlainComposer, idle_wait=0.1)

    assert counts["sent"] == 7
    ids = [message["Message-ID"] for _, message in smtp_peer.messages]
    assert len(ids) == len(set(ids)) == 12
    assert set(ids) == set(CampaignRecipient.objects.values_list("message_id", flat=True))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
