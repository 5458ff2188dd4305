"""Campaigns: create, change, schedule, start, pause, resume, cancel.

Starting an e-mail campaign fixes its audience: one recipient row per contact of its segment
who may be written to (``mailable``) — consent to marketing e-mail granted, an address, not
erased, not suppressed — one row per address. The rows are the sending queue
(``sending.queue``); senders are jobs (``jobs.send_campaign``) started after the commit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.contacts.choices import ConsentStatus
from clientela.contacts.models import ContactEmail
from clientela.core import customfields, records
from clientela.core import services as core_services

from ..choices import CampaignKind, CampaignStatus, LeadSource
from ..models import Campaign, CampaignLead, CampaignRecipient, Suppression

CAMPAIGN_FIELDS = (
    "name",
    "kind",
    "description",
    "segment",
    "template",
    "from_name",
    "from_email",
    "reply_to",
    "scheduled_at",
    "rate_per_minute",
    "track_opens",
    "track_clicks",
    "utm_tagging",
    "utm_campaign",
    "budget",
    "cost",
    "owner",
    "team",
)
# What may still change once a campaign has started: not who gets it, nor what it says.
LIVE_FIELDS = ("name", "description", "rate_per_minute", "budget", "cost", "owner", "team")
FORM_FIELDS = tuple(name for name in CAMPAIGN_FIELDS if name != "scheduled_at")
EDITABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
INSERT_BATCH = 5000


@transaction.atomic
def create_campaign(*, actor, tags=(), custom_fields=None, **fields):
    campaign = Campaign(**_check_fields(fields, CAMPAIGN_FIELDS))
    campaign.created_at = campaign.updated_at = timezone.now()
    campaign.custom_fields = customfields.clean_values(Campaign, custom_fields or {})
    _clean(campaign)
    with records.track_create(campaign, actor=actor):
        campaign.save()
        campaign.tags.set(core_services.resolve_tags(tags))
    return campaign


@transaction.atomic
def update_campaign(
    campaign, *, actor, expected_version=None, tags=None, custom_fields=None, **fields
):
    """Change a campaign; once started, only what does not reach its audience (``LIVE_FIELDS``,
    tags, custom fields). ``None`` leaves tags and custom fields as they are."""
    campaign = Campaign.all_objects.select_for_update().get(pk=campaign.pk)
    allowed = CAMPAIGN_FIELDS if campaign.status in EDITABLE_STATUSES else LIVE_FIELDS
    fields = _check_fields(fields, allowed)
    with records.track_update(campaign, actor=actor, expected_version=expected_version):
        for name, value in fields.items():
            setattr(campaign, name, value)
        if custom_fields is not None:
            campaign.custom_fields = customfields.clean_values(
                Campaign, custom_fields, current=campaign.custom_fields
            )
        _clean(campaign)
        campaign.save()
        if tags is not None:
            campaign.tags.set(core_services.resolve_tags(tags))
    return campaign


@transaction.atomic
def delete_campaigns(campaigns, *, actor):
    """Move campaigns to the trash; one being sent must be paused or cancelled first."""
    if any(campaign.status == CampaignStatus.SENDING for campaign in campaigns):
        raise ValidationError(_("Pause or cancel the campaign before deleting it."))
    records.soft_delete(campaigns, actor=actor)
    return campaigns


@transaction.atomic
def schedule_campaign(campaign, when, *, actor):
    """Send at ``when`` (the worker starts it then); ``None`` takes it back to a draft."""
    campaign = _locked(campaign, EDITABLE_STATUSES)
    if when is not None and when <= timezone.now():
        raise ValidationError({"scheduled_at": _("Choose a moment in the future.")})
    if when is not None:
        _check_ready(campaign)
    status = CampaignStatus.SCHEDULED if when else CampaignStatus.DRAFT
    return _set(campaign, actor, status=status, scheduled_at=when)


@transaction.atomic
def start_campaign(campaign, *, actor):
    """An e-mail campaign: fix the audience and start sending now; returns the number of
    recipients. Any other campaign (social, event, ads) is running from now on (0)."""
    campaign = _locked(campaign, EDITABLE_STATUSES)
    _check_ready(campaign)
    if campaign.kind != CampaignKind.EMAIL:
        _set(campaign, actor, status=CampaignStatus.ACTIVE, started_at=timezone.now())
        return 0
    count = write_recipients(campaign, audience(campaign))
    _set(campaign, actor, status=CampaignStatus.SENDING, started_at=timezone.now())
    transaction.on_commit(lambda: start_senders(campaign.pk))
    return count


@transaction.atomic
def pause_campaign(campaign, *, actor):
    """Stop sending after the messages already in the senders' hands."""
    return _set(_locked(campaign, [CampaignStatus.SENDING]), actor, status=CampaignStatus.PAUSED)


@transaction.atomic
def resume_campaign(campaign, *, actor):
    campaign = _set(
        _locked(campaign, [CampaignStatus.PAUSED]), actor, status=CampaignStatus.SENDING
    )
    transaction.on_commit(lambda: start_senders(campaign.pk))
    return campaign


@transaction.atomic
def cancel_campaign(campaign, *, actor):
    """Stop for good: what was not sent yet will not be."""
    campaign = _locked(
        campaign,
        [
            CampaignStatus.SCHEDULED,
            CampaignStatus.SENDING,
            CampaignStatus.ACTIVE,
            CampaignStatus.PAUSED,
        ],
    )
    return _set(campaign, actor, status=CampaignStatus.CANCELLED, finished_at=timezone.now())


@transaction.atomic
def complete_campaign(campaign, *, actor):
    """A campaign that is not sent (social, event, ads) is over."""
    campaign = _locked(campaign, [CampaignStatus.ACTIVE])
    return _set(campaign, actor, status=CampaignStatus.COMPLETED, finished_at=timezone.now())


@transaction.atomic
def finish_campaign(campaign_id):
    """Called by the sender that finds nothing left to send."""
    campaign = Campaign.all_objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.SENDING:
        return None
    return _set(campaign, None, status=CampaignStatus.SENT, finished_at=timezone.now())


def start_senders(campaign_id, count=None):
    from ..jobs import send_campaign

    for _sender in range(count or settings.CAMPAIGN_SENDERS):
        send_campaign.enqueue(campaign_id)


def mailable(contacts):
    """The contacts of ``contacts`` a marketing e-mail may go to, with their ``address``."""
    primary = ContactEmail.objects.filter(contact=OuterRef("pk"), is_primary=True)
    return (
        contacts.filter(
            consent_status=ConsentStatus.GRANTED,
            has_email=True,
            anonymised_at__isnull=True,
            deleted_at__isnull=True,
        )
        .annotate(address=Subquery(primary.values("email")[:1]))
        .exclude(address__isnull=True)
        .exclude(Exists(Suppression.objects.filter(email=Lower(OuterRef("address")))))
    )


def audience(campaign):
    from .segments import segment_contacts

    return segment_contacts(campaign.segment)


def write_recipients(campaign, contacts):
    """One queued row per address among the mailable ``contacts``; returns how many."""
    rows = mailable(contacts).order_by("pk").values_list("pk", "address", "language")
    seen, batch, count = set(), [], 0
    for contact_id, address, language in rows.iterator(chunk_size=INSERT_BATCH):
        address = address.strip().lower()
        if address in seen:
            continue
        seen.add(address)
        batch.append(
            CampaignRecipient(
                campaign=campaign, contact_id=contact_id, email=address, language=language
            )
        )
        if len(batch) == INSERT_BATCH:
            count += len(CampaignRecipient.objects.bulk_create(batch))
            batch = []
    count += len(CampaignRecipient.objects.bulk_create(batch))
    return count


def _locked(campaign, statuses):
    campaign = Campaign.all_objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in statuses:
        raise ValidationError(
            _("This cannot be done to a campaign that is %(status)s.")
            % {"status": campaign.get_status_display().lower()}
        )
    return campaign


def _set(campaign, actor, **values):
    with records.track_update(campaign, actor=actor):
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.save()
    return campaign


def _check_ready(campaign):
    if campaign.kind != CampaignKind.EMAIL:
        return
    errors = {}
    if not settings.BASE_URL:
        errors["__all__"] = _(
            "Set CLIENTELA_BASE_URL first: the links in the e-mail (unsubscribe, tracking) "
            "need the address Clientela is reached at."
        )
    if campaign.segment_id is None:
        errors["segment"] = _("Choose who gets it.")
    if campaign.template_id is None:
        errors["template"] = _("Choose the e-mail to send.")
    if errors:
        raise ValidationError(errors)


def _check_fields(fields, allowed):
    """Unknown fields, and fields that can no longer change once the campaign started."""
    refused = set(fields) - set(allowed)
    if refused:
        raise ValidationError(
            {
                name: [_("This cannot be changed once the campaign has started.")]
                if name in CAMPAIGN_FIELDS
                else [_("Unknown field.")]
                for name in sorted(refused)
            }
        )
    return fields


def _clean(campaign):
    if not campaign.utm_campaign:  # stored, so a form's tag finds its campaign
        campaign.utm_campaign = slugify(campaign.name)[:100]
    campaign.full_clean(validate_constraints=False)


def add_leads(campaign, contacts, *, source=LeadSource.MANUAL):
    """Count ``contacts`` among the leads ``campaign`` brought (each once); returns how many
    were new."""
    existing = set(
        CampaignLead.objects.filter(campaign=campaign).values_list("contact_id", flat=True)
    )
    new = [
        CampaignLead(campaign=campaign, contact=contact, source=source)
        for contact in dict.fromkeys(contacts)
        if contact.pk not in existing
    ]
    CampaignLead.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def lead_from_submission(submission):
    """A web form sent with a campaign's ``utm_campaign`` tag: its contact is the campaign's
    lead (the campaign that was running, or last started, with that tag)."""
    tag = str((submission.context or {}).get("utm_campaign", ""))[:100]
    if not tag or submission.contact_id is None:
        return None
    campaign = (
        Campaign.objects.filter(utm_campaign=tag, started_at__lte=submission.created_at)
        .order_by("-started_at")
        .first()
    )
    if campaign is not None:
        add_leads(campaign, [submission.contact], source=LeadSource.FORM)
    return campaign
