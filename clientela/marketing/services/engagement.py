"""What a recipient does with a campaign's e-mail: opens it, clicks a link, unsubscribes,
changes their preferences — and what the mail servers say back (bounces, complaints).

The first open, click, bounce, complaint and unsubscription is kept on the recipient row (for
results and segments); every one is an event (for results over time and per link).
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.choices import ConsentPurpose, ConsentSource, ConsentStatus
from clientela.contacts.privacy import consent

from ..choices import EngagementKind, SuppressionReason
from ..models import CampaignEvent, CampaignRecipient, Suppression

# Events kept per recipient, kind and hour: a mail scanner or a forwarded message opening a
# link in a loop must not flood the results.
EVENTS_PER_HOUR = 20
_FIRST = {
    EngagementKind.OPEN: "opened_at",
    EngagementKind.CLICK: "clicked_at",
    EngagementKind.UNSUBSCRIBE: "unsubscribed_at",
    EngagementKind.BOUNCE: "bounced_at",
    EngagementKind.COMPLAINT: "complained_at",
}


def record_event(recipient, kind, *, url="", detail="", now=None):
    """Keep ``kind`` for ``recipient`` (a ``CampaignRecipient``); returns whether it was kept."""
    key = f"clientela:campaign-event:{recipient.pk}:{kind}"
    cache.add(key, 0, 3600)
    try:
        if cache.incr(key) > EVENTS_PER_HOUR:
            return False
    except ValueError:  # expired between add and incr
        pass
    now = now or timezone.now()
    with transaction.atomic():
        CampaignEvent.objects.create(
            campaign_id=recipient.campaign_id,
            recipient=recipient,
            contact_id=recipient.contact_id,
            kind=kind,
            url=url[:2000],
            detail=detail[:500],
            created_at=now,
        )
        first = _FIRST.get(kind)
        if first:
            CampaignRecipient.objects.filter(
                Q(**{f"{first}__isnull": True}), pk=recipient.pk
            ).update(**{first: now})
    return True


@transaction.atomic
def unsubscribe(recipient, *, evidence=None):
    """Withdraw the contact's consent to marketing e-mail (once: a second click changes
    nothing) and mark the recipient unsubscribed; returns whether consent was withdrawn."""
    withdrawn = withdraw_by_link(
        recipient.contact, note=f"Campaign {recipient.campaign_id}", evidence=evidence
    )
    if recipient.unsubscribed_at is None:
        record_event(recipient, EngagementKind.UNSUBSCRIBE)
    return withdrawn


def withdraw_by_link(contact, *, note, evidence=None):
    """The unsubscribe link of a campaign's or a sequence's e-mail: withdraw ``contact``'s
    consent to marketing e-mail, once; returns whether it was withdrawn now."""
    if (
        contact is None
        or contact.anonymised_at is not None
        or contact.consent_status == ConsentStatus.WITHDRAWN
    ):
        return False
    consent.withdraw_consent(
        contact,
        actor=None,
        source=ConsentSource.WITHDRAWAL_LINK,
        note=note,
        **(evidence or {}),
    )
    return True


@transaction.atomic
def save_preferences(recipient, *, marketing_email, language, evidence=None):
    """The preference centre's answer: consent to marketing e-mail given or taken back (only
    a change is recorded) and the language of future e-mail."""
    from clientela.contacts.services import update_contact

    contact = recipient.contact
    if contact is None or contact.anonymised_at is not None:
        return
    evidence = {**(evidence or {}), "note": f"Campaign {recipient.campaign_id}"}
    granted = contact.consent_status == ConsentStatus.GRANTED
    if marketing_email and not granted:
        consent.record_consent(
            contact,
            actor=None,
            purpose=ConsentPurpose.MARKETING_EMAIL,
            source=ConsentSource.PREFERENCE_CENTRE,
            **evidence,
        )
    elif not marketing_email and granted:
        consent.withdraw_consent(
            contact, actor=None, source=ConsentSource.PREFERENCE_CENTRE, **evidence
        )
        if recipient.unsubscribed_at is None:
            record_event(recipient, EngagementKind.UNSUBSCRIBE)
    contact.refresh_from_db()
    if language != contact.language:
        update_contact(contact, actor=None, language=language)


def suppress(email, reason, *, detail="", campaign_id=None):
    """Never write to ``email`` from a campaign again; returns the suppression."""
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    return Suppression.objects.get_or_create(
        email=address,
        defaults={"reason": reason, "detail": detail[:500], "campaign_id": campaign_id},
    )[0]


def unsuppress(suppression):
    """Campaigns may write to the address again (it was fixed, or added by mistake)."""
    suppression.delete()


def record_bounce(recipient, *, permanent, detail=""):
    """A delivery status notification about ``recipient``'s message: a permanent failure
    suppresses the address; a temporary one is only noted."""
    if not permanent:
        return record_event(recipient, EngagementKind.SOFT_BOUNCE, detail=detail)
    with transaction.atomic():
        record_event(recipient, EngagementKind.BOUNCE, detail=detail)
        suppress(
            recipient.email,
            SuppressionReason.BOUNCE,
            detail=detail,
            campaign_id=recipient.campaign_id,
        )
    return True


@transaction.atomic
def record_complaint(recipient, *, detail=""):
    """The recipient reported the message as spam: suppress the address and withdraw
    consent (they told their mail provider they do not want it)."""
    record_event(recipient, EngagementKind.COMPLAINT, detail=detail)
    suppress(
        recipient.email,
        SuppressionReason.COMPLAINT,
        detail=detail,
        campaign_id=recipient.campaign_id,
    )
    contact = recipient.contact
    if (
        contact is not None
        and contact.anonymised_at is None
        and contact.consent_status == ConsentStatus.GRANTED
    ):
        consent.withdraw_consent(
            contact,
            actor=None,
            source=ConsentSource.EMAIL,
            note=f"Spam complaint, campaign {recipient.campaign_id}",
        )
