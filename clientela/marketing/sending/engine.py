"""A sender: claims batches of a campaign's recipients and sends them until none is left.

Several senders may run at once (one per worker job); ``queue`` keeps them apart and the
``allowance`` buckets keep their common pace. A sender stops when the campaign is no longer
sending (paused, cancelled) and finishes the campaign when nothing is left to send.
"""

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from ..choices import CampaignStatus
from ..models import Campaign
from . import allowance, queue, smtp

logger = logging.getLogger(__name__)

BATCH = 100
RETRY_DELAY = timedelta(minutes=5)
IDLE_WAIT = 1.0  # seconds between looks at the queue while another sender holds the rest
MAX_CONNECTION_FAILURES = 5


def sender_name():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def run_sender(campaign_id, *, composer_factory=None, batch_size=BATCH, idle_wait=IDLE_WAIT):
    """Send campaign ``campaign_id``'s waiting messages; returns ``{"sent", "failed",
    "retry"}`` counts of what this sender did."""
    sender = sender_name()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.SENDING:
        return counts
    if composer_factory is None:
        from .compose import composer_for as composer_factory
    composer = composer_factory(campaign)
    limits = {smtp.server_key(): _server_rate()}
    if campaign.rate_per_minute:
        limits[f"campaign:{campaign.pk}"] = campaign.rate_per_minute / 60
    delivery = _Delivery(sender, composer, limits, counts)
    _commit_without_waiting_for_disk(True)
    try:
        while _still_sending(campaign_id):
            batch = queue.claim(campaign_id, sender, batch_size)
            if not batch:
                queue.requeue_expired(campaign_id)
                if queue.in_hand(campaign_id):
                    time.sleep(idle_wait)  # another sender's batch, or a dead one's lease
                    continue
                if not queue.unfinished(campaign_id):
                    from ..services.campaigns import finish_campaign

                    finish_campaign(campaign_id)
                break
            if not delivery.send_batch(batch):
                break
    finally:
        _commit_without_waiting_for_disk(False)
        delivery.close()
    return counts


def _commit_without_waiting_for_disk(on):
    """PostgreSQL: a sender's commits return once the server has them, without waiting for
    its disk. A message is recorded as sent, then its final dot goes out: the shorter the
    commit, the smaller the moment in which a worker killed in between loses that message.
    (A crash of the database server itself could then forget the last fraction of a second of
    "sent" marks, and those messages would go out again.) The worker's connection serves other
    jobs afterwards: the setting is put back."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET synchronous_commit TO {'OFF' if on else 'DEFAULT'}")


def _still_sending(campaign_id):
    return Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).exists()


def _server_rate():
    from django.conf import settings

    return settings.EMAIL_RATE


class _Delivery:
    """One sender's connection to the mail server and what it does with each message."""

    def __init__(self, sender, composer, limits, counts):
        self.sender = sender
        self.composer = composer
        self.limits = limits
        self.counts = counts
        self.transport = None
        self.connection_failures = 0

    def send_batch(self, batch):
        """Send a claimed batch; false when the mail server cannot be reached (the rest of
        the batch is given back)."""
        allowed = 0
        for position, recipient in enumerate(batch):
            while allowed == 0:
                allowed = allowance.take(len(batch) - position, self.limits)
                if allowed == 0:
                    time.sleep(allowance.wait_time(self.limits))
            allowed -= 1
            try:
                self._send(recipient)
            except smtp.ConnectionLost as error:
                logger.warning("mail server connection lost", extra={"error": str(error)})
                rest = [r.pk for r in batch[position + 1 :]]
                if not error.maybe_delivered:
                    rest.append(recipient.pk)
                queue.release(rest, self.sender)
                self.connection_failures += 1
                if self.connection_failures >= MAX_CONNECTION_FAILURES:
                    return False
                time.sleep(min(30, 2**self.connection_failures))
                return True
        self.connection_failures = 0
        return True

    def _send(self, recipient):
        try:
            message = self.composer.compose(recipient)
        except Exception as error:  # a message that cannot be built must not stop the rest
            logger.exception("campaign message not built", extra={"recipient": recipient.pk})
            queue.mark_failed(recipient.pk, error)
            self.counts["failed"] += 1
            return

        def recording():
            return queue.sending(recipient.pk, self.sender, message.message_id)

        try:
            self._transport().send(message, recording)
        except smtp.NotRecorded:
            return
        except smtp.Refused as error:
            if error.permanent:
                queue.mark_failed(recipient.pk, error)
                self.counts["failed"] += 1
            else:
                queue.retry_later(recipient, error, delay=RETRY_DELAY)
                self.counts["retry"] += 1
            return
        except smtp.ConnectionLost:
            self.transport = None
            raise
        self.counts["sent"] += 1

    def _transport(self):
        if self.transport is None:
            try:
                self.transport = smtp.open_transport()
            except OSError as error:
                raise smtp.ConnectionLost(error, maybe_delivered=False) from error
        return self.transport

    def close(self):
        if self.transport is not None:
            self.transport.close()
