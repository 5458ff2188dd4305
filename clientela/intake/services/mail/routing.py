"""Where a captured message goes: its direction, the contact whose timeline shows it, the
other contacts it concerns, the thread it belongs to and the deal it is about.

``route`` is the one place that decides. The customer-service work extends it: a message
answering a case's e-mail (found through ``Route.parent``) or addressed to a support mailbox
can set ``Route.extra["case"]``, and ``capture`` passes ``extra`` to the hooks in
``ROUTE_HOOKS`` after the activity is logged."""

from dataclasses import dataclass, field

from django.conf import settings

from clientela.activities.choices import ActivityKind, Direction
from clientela.activities.models import Activity
from clientela.contacts.choices import SourceChannel
from clientela.contacts.models import ContactEmail

from ...choices import MailStatus
from ...models import MailMessage
from .. import leads

# Functions ``hook(parsed, route, activity)`` called after a message made an activity (the
# support app appends one to open or update cases).
ROUTE_HOOKS = []
# Functions ``hook(raw, parsed)`` that may take a message before it is routed, returning true
# when it was a report they acted on (marketing: a campaign's bounces and spam complaints);
# such a message is kept as a report, on no timeline.
REPORT_HOOKS = []


@dataclass
class Route:
    direction: str
    contact: object = None
    other_contacts: list = field(default_factory=list)
    deal: object = None
    parent: Activity | None = None  # the e-mail activity this one answers
    thread_key: str = ""
    extra: dict = field(default_factory=dict)
    # The contacts looked up by address while routing (``{address: contact or None}``), so
    # the hooks need not look the sender up again; and the ``MailMessage`` stored for it.
    known: dict = field(default_factory=dict)
    mail: object = None


def route(parsed, mailbox, *, outbound=None, known=None):
    """Decide where ``parsed`` goes. Inbound mail is matched by its sender, outbound mail by
    its recipients (To, then Cc); a reply joins the thread, and the deal, of the e-mail it
    answers, and stays on that e-mail's contact when it is one of the matches (or nobody
    matched). ``known`` is an optional ``{address: contact or None}`` kept for one batch of
    messages, so a frequent correspondent is looked up once."""
    own = {mailbox.email_address.lower()} if mailbox else set()
    if outbound is None:
        outbound = parsed.from_address in own
    direction = Direction.OUTBOUND if outbound else Direction.INBOUND
    counterparts = (
        [a for a in parsed.recipients if a not in own] if outbound else [parsed.from_address]
    )
    result = Route(direction=direction, known={} if known is None else known)
    known = result.known
    parent_message, result.parent = find_parent(parsed)
    contacts = contacts_for(counterparts, known)
    if result.parent is not None:
        result.deal = result.parent.deal
        parent_contact = result.parent.contact
        if parent_contact is not None and (
            not contacts or parent_contact.pk in {c.pk for c in contacts}
        ):
            contacts = [parent_contact, *[c for c in contacts if c.pk != parent_contact.pk]]
        result.thread_key = (
            parent_message.thread_key if parent_message else ""
        ) or result.parent.message_id
    if not result.thread_key:
        result.thread_key = (parsed.references or [parsed.message_id])[0]
    if not contacts and not outbound and mailbox and mailbox.create_contacts:
        contacts = [_new_lead(parsed, mailbox)]
        known.pop(parsed.from_address, None)  # made in a savepoint that may roll back
    if contacts:
        result.contact, result.other_contacts = contacts[0], contacts[1:]
    return result


def find_parent(parsed):
    """The captured message and the e-mail activity that ``parsed`` answers (``In-Reply-To``
    first, then ``References`` from the nearest), or ``(None, None)``."""
    wanted = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
    if not wanted:
        return None, None
    nearest = {mid: pos for pos, mid in enumerate(wanted)}.get
    captured = MailMessage.objects.filter(
        message_id__in=wanted, status=MailStatus.CAPTURED, activity__isnull=False
    ).only("id", "message_id", "thread_key", "activity_id")
    message = min(captured, key=lambda m: (nearest(m.message_id), m.id), default=None)
    emails = Activity.objects.filter(kind=ActivityKind.EMAIL).select_related("contact", "deal")
    if message is not None:
        activity = emails.filter(pk=message.activity_id).first()
        if activity is not None:  # not in the trash
            return message, activity
    found = emails.filter(message_id__in=wanted)
    return None, min(found, key=lambda a: (nearest(a.message_id), a.id), default=None)


def contacts_for(addresses, known=None):
    """The live contacts having these addresses, in the order of the addresses (one contact
    per address: the most recently changed when two share one)."""
    known = {} if known is None else known
    missing = [a for a in dict.fromkeys(addresses) if a not in known]
    if missing:
        rows = (
            ContactEmail.objects.filter(email__in=missing, contact__deleted_at__isnull=True)
            .select_related("contact", "contact__company")
            .order_by("-contact__updated_at", "contact_id")
        )
        for address in missing:
            known[address] = None
        for row in rows:
            if known[row.email] is None:
                known[row.email] = row.contact
    found = {}
    for address in addresses:
        contact = known.get(address)
        if contact is not None:
            found.setdefault(contact.pk, contact)
    return list(found.values())


def _new_lead(parsed, mailbox):
    first, _sep, last = parsed.from_name.partition(" ")
    values = leads.clean_values(
        {"email": parsed.from_address, "first_name": first[:100], "last_name": last[:100]}
    )
    contact, _created = leads.upsert_contact(
        values,
        source=SourceChannel.EMAIL,
        source_detail=mailbox.name,
        language=settings.LANGUAGE_CODE[:2],
    )
    return contact
