"""Background jobs of marketing: campaign senders, and every minute the scheduled campaigns
that are due and the sending that stalled (a worker that died, a retry whose time came)."""

from django.utils import timezone
from django_tasks import task

from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from .choices import CampaignStatus, RecipientStatus
from .models import Campaign, CampaignRecipient


@task()
def send_campaign(campaign_id):
    """One sender of a campaign: sends until nothing is left (``sending.engine``)."""
    from .sending.engine import run_sender

    with change_context(source=ChangeSource.SYSTEM):
        return run_sender(campaign_id)


@task()
def run_campaigns():
    """Every minute (``core.worker.PERIODIC_JOBS``)."""
    from .sending import queue
    from .services import campaigns

    now = timezone.now()
    started = []
    with change_context(source=ChangeSource.SYSTEM):
        due = Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now)
        for campaign in due:
            campaigns.start_campaign(campaign, actor=None)
            started.append(campaign.pk)
    resumed = []
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.SENDING).values_list(
        "pk", flat=True
    ):
        queue.requeue_expired(campaign_id, now=now)
        waiting = CampaignRecipient.objects.filter(
            campaign_id=campaign_id, status=RecipientStatus.QUEUED
        ).exists()
        if waiting and not queue.held(campaign_id, now=now):
            campaigns.start_senders(campaign_id, count=1)
            resumed.append(campaign_id)
    return {"started": started, "resumed": resumed}


@task()
def update_loyalty():
    """Every hour (``core.worker.PERIODIC_JOBS``): count the purchases the events missed
    (imports, a crash between commit and event) and expire old points."""
    from .services import points

    done = points.catch_up()
    done["expired"] = points.expire_points()
    return done


@task()
def advance_sequences():
    """Every minute (``core.worker.PERIODIC_JOBS``): move the due sequence enrollments on
    (``sequences.runner``; safe to run twice or on two workers at once)."""
    from .sequences import runner

    with change_context(source=ChangeSource.SYSTEM):
        return {"advanced": runner.advance_due()}
