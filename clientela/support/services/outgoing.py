"""E-mail a case sends: the acknowledgement of a new case and the agents' replies.

Both are case messages first (``AUTOMATIC`` and ``REPLY``) with a Message-ID made here and
stored, so the customer's answer threads back to the case whatever mail client they use. The
e-mail goes out after commit, from a background job (``jobs.send_case_message``), in the case's
language, from the service mailbox the customer wrote to (``mailboxes.sender_for``).

Sending is claimed first: a conditional UPDATE sets ``sent_at`` before the e-mail is handed to
the mail server, so a job run twice, or by two workers, sends once. A failure clears the claim
and records ``send_error`` (``retry_sending`` tries again); a crash between the claim and the
hand-over loses that e-mail rather than sending it twice (the convention of ``activities.jobs``).
"""

import datetime
import logging
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..choices import CaseChannel, MessageKind
from ..mailtext import tagged
from ..models import CaseMessage
from . import mailboxes

logger = logging.getLogger(__name__)

# create_case acknowledges the customer's first message coming by these channels (e-mail is
# acknowledged by email_to_case, which knows the mailbox and the message answered).
ACKNOWLEDGED_CHANNELS = (CaseChannel.WEB_FORM, CaseChannel.PORTAL)
# At most this many acknowledgements to one customer an hour: an auto-responder that marks
# nothing as automatic and writes new mail each time must not make a loop of cases.
ACKNOWLEDGEMENTS_PER_HOUR = 5
MAX_REFERENCES = 20
MAX_ERROR = 500
_NO_REPLY = ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply")


def acknowledge(case, *, service=None, to=None):
    """Record the automatic acknowledgement of a new case and send it after commit; returns
    the message, or ``None`` when nothing is to be sent: no address, an address that cannot
    answer or is ours, a service mailbox that does not acknowledge, or too many
    acknowledgements to this customer lately. ``to``: the address the customer wrote from
    (else the contact's)."""
    if service is None:
        service = mailboxes.default_service()
    if service is not None and not service.acknowledge:
        return None
    address = (to or (case.contact.primary_email if case.contact_id else "") or "").lower()
    if not address or not can_receive_automatic_mail(address):
        return None
    if _recently_acknowledged(case, address):
        logger.warning("acknowledgement not sent: too many lately", extra={"case": case.pk})
        return None
    context = _context(case, service)
    with translation.override(language_of(case)):
        body = render_to_string("support/email/acknowledgement.txt", context).strip()
    message = CaseMessage.objects.create(
        case=case,
        kind=MessageKind.AUTOMATIC,
        contact=case.contact,
        from_address=mailboxes.from_header(service),
        to_addresses=[address],
        subject=tagged(case, case.subject),
        body=body,
        message_id=new_message_id(service),
        created_at=timezone.now(),
    )
    _send_after_commit(message)
    return message


def notify_closing(case, days):
    """Tell the customer their case is being closed after ``days`` without an answer (an
    automatic message sent after commit); ``None`` when they cannot be written to."""
    address = (case.contact.primary_email if case.contact_id else "").lower()
    if not address or not can_receive_automatic_mail(address):
        return None
    service = mailboxes.sender_for(case)
    context = {**_context(case, service), "days": days}
    with translation.override(language_of(case)):
        body = render_to_string("support/email/closing.txt", context).strip()
    return _automatic(case, service, address, case.subject, body)


def invite_to_survey(case):
    """On resolution: ask the customer "how did we do?" with the survey's signed link, as an
    automatic message sent after commit. Nothing without an address that can answer, or without
    ``BASE_URL`` (a link in an e-mail needs the site's address)."""
    from . import satisfaction

    address = (case.contact.primary_email if case.contact_id else "").lower()
    if not address or not can_receive_automatic_mail(address) or not settings.BASE_URL:
        return None
    _survey, path = satisfaction.start_survey(case)
    service = mailboxes.sender_for(case)
    context = {**_context(case, service), "url": settings.BASE_URL.rstrip("/") + path}
    with translation.override(language_of(case)):
        body = render_to_string("support/email/survey.txt", context).strip()
        subject = _("How did we do?")
    return _automatic(case, service, address, subject, body)


def _automatic(case, service, address, subject, body):
    """Record an automatic message to the customer and send it after commit."""
    message = CaseMessage.objects.create(
        case=case,
        kind=MessageKind.AUTOMATIC,
        contact=case.contact,
        from_address=mailboxes.from_header(service),
        to_addresses=[address],
        subject=tagged(case, subject),
        body=body,
        message_id=new_message_id(service),
        created_at=timezone.now(),
    )
    _send_after_commit(message)
    return message


def send_reply(message):
    """Give a reply just recorded its Message-ID, sender and subject, and send it after
    commit (``cases.reply_to_case``). A reply with no address to go to keeps an error
    saying so and is not sent."""
    case = message.case
    service = mailboxes.sender_for(case)
    message.from_address = mailboxes.from_header(service)
    message.subject = tagged(case, case.subject)
    message.message_id = new_message_id(service)
    if not message.to_addresses:
        message.send_error = _("Not sent: the customer has no e-mail address.")
    message.save(update_fields=["from_address", "subject", "message_id", "send_error"])
    if not message.send_error:
        _send_after_commit(message)
    return message


def retry_sending(message, *, actor):
    """Send again a reply or acknowledgement whose sending failed."""
    with transaction.atomic():
        count = CaseMessage.objects.filter(
            pk=message.pk, sent_at__isnull=True, kind__in=_SENT_KINDS
        ).update(send_error="")
        if count:
            _send_after_commit(message)
    return bool(count)


def deliver(message_pk):
    """Send one case message (the job's work); returns ``"sent"``, ``"skipped"`` (sent
    before, being sent, or not one to send) or ``"failed"`` (``send_error`` says why)."""
    now = timezone.now()
    claimed = CaseMessage.objects.filter(
        pk=message_pk, sent_at__isnull=True, send_error="", kind__in=_SENT_KINDS
    ).update(sent_at=now)
    if not claimed:
        return "skipped"
    message = CaseMessage.objects.select_related("case__contact").get(pk=message_pk)
    if not message.to_addresses:
        with translation.override(settings.LANGUAGE_CODE):
            error = _("Not sent: the customer has no e-mail address.")
        CaseMessage.objects.filter(pk=message_pk).update(sent_at=None, send_error=error)
        return "failed"
    try:
        email = build_email(message)
        email.send(fail_silently=False)
    except Exception as error:  # the mail server's refusal is kept on the message
        logger.warning("case e-mail not sent: %s", error, extra={"case_message": message_pk})
        CaseMessage.objects.filter(pk=message_pk).update(
            sent_at=None, send_error=f"{type(error).__name__}: {error}"[:MAX_ERROR]
        )
        return "failed"
    return "sent"


# A reply whose job never ran (the queue was down at commit) is sent by the sweep once it is
# clearly late, and only while it is still news to the customer.
UNSENT_AFTER = datetime.timedelta(minutes=10)
UNSENT_UNTIL = datetime.timedelta(days=1)


def send_unsent(now):
    """Send the replies and automatic messages recorded between a day and ten minutes ago
    that were never sent nor failed; returns ``{"sent": n, "failed": n}``. Safe beside a late
    job: ``deliver`` claims each message once."""
    pending = CaseMessage.objects.filter(
        created_at__gte=now - UNSENT_UNTIL,
        created_at__lte=now - UNSENT_AFTER,
        kind__in=_SENT_KINDS,
        sent_at__isnull=True,
        send_error="",
    ).values_list("pk", flat=True)
    outcome = {"sent": 0, "failed": 0}
    for pk in list(pending):
        result = deliver(pk)
        if result in outcome:
            outcome[result] += 1
    return outcome


def build_email(message):
    """The e-mail of a reply or acknowledgement: text and HTML in the case's language, with
    its Message-ID and the thread it answers."""
    case = message.case
    context = {
        **_context(case, None),
        "body": message.body,
        "sender": _sender_name(message.from_address),
    }
    # An automatic message's text was written when it was recorded (acknowledgement, survey).
    name = "automatic" if message.kind == MessageKind.AUTOMATIC else "reply"
    with translation.override(language_of(case)):
        text = render_to_string(f"support/email/{name}.txt", context).strip() + "\n"
        html = render_to_string(f"support/email/{name}.html", context)
    in_reply_to, references = thread_of(message)
    headers = {"Message-ID": message.message_id}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    if message.kind == MessageKind.AUTOMATIC:
        # RFC 3834: automatic; and Exchange is asked not to answer it with an out-of-office.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        from_email=message.from_address or settings.DEFAULT_FROM_EMAIL,
        to=message.to_addresses,
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    for attachment in message.attachments.exclude(file=""):
        with attachment.file.open("rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.content_type or None)
    return email


def thread_of(message):
    """``(In-Reply-To, References)`` of a case e-mail: it answers the customer's latest
    message before it (else the latest e-mail of the case), and refers to the case's e-mails
    so far, the first one kept when there are too many."""
    earlier = list(
        CaseMessage.objects.filter(case_id=message.case_id, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .exclude(message_id="")
        .exclude(kind=MessageKind.NOTE)
        .order_by("created_at", "id")
        .values_list("kind", "message_id")
    )
    ids = [mid for _kind, mid in earlier]
    customer = [mid for kind, mid in earlier if kind == MessageKind.CUSTOMER]
    answered = (customer or ids or [""])[-1]
    references = list(dict.fromkeys(ids))
    if len(references) > MAX_REFERENCES:
        references = [references[0], *references[-(MAX_REFERENCES - 1) :]]
    return answered, references


def language_of(case):
    """The case's language, else its contact's, else the site's."""
    contact_language = case.contact.language if case.contact_id else ""
    return case.language or contact_language or settings.LANGUAGE_CODE


def new_message_id(service=None):
    """A Message-ID in the domain of the address the e-mail comes from."""
    address = service.mailbox.email_address if service else settings.DEFAULT_FROM_EMAIL
    domain = address.rpartition("@")[2].strip("<> ") or "clientela"
    return make_msgid(domain=domain[:200])


def can_receive_automatic_mail(address):
    """Whether an automatic e-mail may go to ``address``: not a no-reply address, not the
    mailer daemon, not one of our own addresses."""
    local = address.lower().partition("@")[0]
    if local.startswith(_NO_REPLY) or local in ("mailer-daemon", "postmaster"):
        return False
    own = mailboxes.service_addresses() | {settings.DEFAULT_FROM_EMAIL.lower()}
    return address.lower() not in own


# --- helpers -------------------------------------------------------------------------------------

_SENT_KINDS = (MessageKind.REPLY, MessageKind.AUTOMATIC)


def _send_after_commit(message):
    from .. import jobs

    pk = message.pk
    transaction.on_commit(lambda: jobs.send_case_message.enqueue(pk))


def _recently_acknowledged(case, address):
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = CaseMessage.objects.filter(kind=MessageKind.AUTOMATIC, created_at__gte=since)
    if case.contact_id:
        recent = recent.filter(case__contact_id=case.contact_id)
    else:
        recent = recent.filter(case_id=case.pk)
    return recent.count() >= ACKNOWLEDGEMENTS_PER_HOUR


def _context(case, service):
    contact = case.contact if case.contact_id else None
    return {
        "case": case,
        "reference": case.reference,
        "subject": case.subject,
        "name": (contact.first_name or str(contact)) if contact else "",
        "sender": service.mailbox.name if service else "",
        "language": language_of(case),
    }


def _sender_name(from_header):
    name, _address = parseaddr(from_header or "")
    return name
