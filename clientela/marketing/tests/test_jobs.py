"""The minute job: scheduled campaigns that are due start; stalled sending gets a sender."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.contacts.models import Contact
from clientela.marketing import jobs
from clientela.marketing.choices import CampaignStatus
from clientela.marketing.models import Campaign
from clientela.marketing.sending import queue
from clientela.marketing.services import campaigns

pytestmark = pytest.mark.django_db
SENDER = jobs.send_campaign.module_path


def _senders():
    return DBTaskResult.objects.filter(task_path=SENDER).count()


def test_stalled_sending_gets_one_sender_and_live_sending_none(campaign, make_contact):
    for n in range(3):
        make_contact(f"c{n}@example.com")
    campaigns.write_recipients(campaign, Contact.objects.all())
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)

    # A live sender holds a row: nothing to do.
    queue.claim(campaign.pk, "alive", 1)
    assert jobs.run_campaigns.call() == {"started": [], "resumed": []}
    assert _senders() == 0

    # Its lease ran out (it died): its row is queued again and a sender started.
    later = timezone.now() + queue.LEASE + timedelta(seconds=1)
    queue.requeue_expired(campaign.pk, now=later)
    assert jobs.run_campaigns.call() == {"started": [], "resumed": [campaign.pk]}
    assert _senders() == 1
