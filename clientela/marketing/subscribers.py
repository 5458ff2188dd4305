"""What marketing does when other parts of Clientela publish events (``core.events``): web
forms bring campaigns leads, and events start and end follow-up sequences.

The sequence handlers ask ``sequences.cache.wants`` first: with no active sequence caring
about an event, it costs no query (nor a handler call)."""

from clientela.core import events

from .sequences import cache

ENROLLING_EVENTS = (
    "purchase.created",
    "form.submitted",
    "deal.stage_changed",
    "deal.won",
    "deal.lost",
)


def register():
    """Called once, from ``MarketingConfig.ready``."""
    events.subscribe("form.submitted")(lead_from_form)
    for name in ENROLLING_EVENTS:
        events.subscribe(name, wants=cache.wants)(enrol_from_event)
    for name in cache.CONTACT_EVENTS:
        events.subscribe(name, wants=cache.wants)(exit_on_contact_change)
    events.subscribe(cache.REPLY_EVENT, wants=cache.wants)(exit_on_reply)


def lead_from_form(event_name, *, record, **payload):
    """A web form sent with a campaign's UTM tag brings that campaign a lead."""
    from .services.campaigns import lead_from_submission

    lead_from_submission(record)


def enrol_from_event(event_name, *, record, changes=None, **payload):
    """A purchase first ends the enrollments it means "bought again" for; then the purchase,
    form submission or deal enrols its contact in the active sequences it starts."""
    from .models import Sequence
    from .sequences import triggers
    from .services import sequences as services

    if event_name == cache.PURCHASE_EVENT:
        if getattr(record, "counts", True) is False:
            return  # a refund or cancellation is not a purchase
        if cache.wanted(cache.PURCHASE_EVENT) and record.contact_id:
            _exit_bought_again(record)
    contact = _contact_of(event_name, record)
    if contact is None:
        return
    for active in cache.sequences_for(event_name):
        if not triggers.matches(active.trigger, active.options, record, changes):
            continue
        sequence = Sequence.objects.filter(pk=active.id).first()
        if sequence is not None:
            services.enroll(sequence, contact, source=event_name, record=record)


def _contact_of(event_name, record):
    if event_name.startswith("deal."):
        return record.contacts.order_by("pk").first()
    return getattr(record, "contact", None)


def _exit_bought_again(purchase):
    from .choices import EnrollmentStatus, ExitReason
    from .models import Enrollment
    from .services import sequences as services

    enrollments = Enrollment.objects.filter(
        contact_id=purchase.contact_id,
        status=EnrollmentStatus.ACTIVE,
        sequence__exit_on_purchase=True,
        started_at__lte=purchase.purchased_at,
    ).exclude(record_type="purchase", record_id=purchase.pk)
    services.exit_enrollments(enrollments, ExitReason.PURCHASED)


def exit_on_contact_change(event_name, *, record, changes=None, **payload):
    """Withdrawn consent (an unsubscribe link, the preference centre, a person), a contact
    moved to the trash or anonymised: every sequence of theirs ends."""
    from clientela.contacts.choices import ConsentStatus

    from .choices import EnrollmentStatus, ExitReason
    from .models import Enrollment
    from .services import sequences as services

    if event_name == "contact.updated":
        status = (changes or {}).get("consent_status")
        if not status or status[1] != ConsentStatus.WITHDRAWN:
            return
        reason = ExitReason.UNSUBSCRIBED
    else:
        reason = ExitReason.CANCELLED if event_name == "contact.deleted" else ExitReason.NO_CONSENT
    enrollments = Enrollment.objects.filter(contact_id=record.pk, status=EnrollmentStatus.ACTIVE)
    services.exit_enrollments(enrollments, reason)


def exit_on_reply(event_name, *, record, **payload):
    """E-mail received from the contact (captured by a mailbox, or logged by hand) ends the
    sequences that stop when they reply."""
    from clientela.activities.choices import ActivityKind, Direction

    from .choices import EnrollmentStatus, ExitReason
    from .models import Enrollment
    from .services import sequences as services

    if (
        record.kind != ActivityKind.EMAIL
        or record.direction != Direction.INBOUND
        or record.contact_id is None
        or not cache.wanted(cache.REPLY_EVENT)
    ):
        return
    enrollments = Enrollment.objects.filter(
        contact_id=record.contact_id,
        status=EnrollmentStatus.ACTIVE,
        sequence__exit_on_reply=True,
    )
    services.exit_enrollments(enrollments, ExitReason.REPLIED)
