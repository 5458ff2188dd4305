"""Cases: open, change, assign, answer, note and move through their statuses.

Every write goes through ``core.records`` (history, search, events) and keeps the SLA clock in
step (``sla``). Replies to the customer are stored here and sent by the mail layer after commit;
a customer's new message reopens a case that was waiting for them or resolved.
"""

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.models import Contact
from clientela.core import customfields, events, records, transactions
from clientela.core import services as core_services
from clientela.intake.services.assignment import assign_new

from ..choices import ACTIVE_STATUSES, CaseStatus, MessageKind
from ..models import Case, CaseMessage
from ..models.cases import MAX_BODY, MAX_SUBJECT
from . import outgoing, sla

CASE_FIELDS = (
    "subject",
    "description",
    "contact",
    "company",
    "channel",
    "category",
    "priority",
    "status",
    "language",
    "owner",
    "team",
)
_TEXT_FIELDS = {
    f.name
    for f in Case._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and not f.null
}
_RELATIONS = [f for f in Case._meta.concrete_fields if f.many_to_one]
# Statuses a customer's message takes a case out of: they answered, or came back.
REOPENED_BY_CUSTOMER = (CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED)


@transaction.atomic
def create_case(*, actor, **kwargs):
    """Open a case. Its description is the customer's first message when ``from_customer``
    (a form, an e-mail, the portal); otherwise an agent typed it (a phone call). Without a
    team it goes to its category's team; without a company, to its contact's; without an
    owner, to whom the assignment rules for cases say."""
    return _create_case(actor=actor, **kwargs)[0]


@transactions.atomic
def create_case_with_message(*, actor, message_fields, **kwargs):
    """``create_case`` for a customer's message that came with more than its text (an
    e-mail: ``message_fields`` holds its addresses, Message-ID and captured mail); returns
    the case and that first message."""
    return _create_case(actor=actor, message_fields=message_fields, **kwargs)


def _create_case(
    *,
    actor,
    from_customer=True,
    tags=(),
    deals=(),
    custom_fields=None,
    message_fields=None,
    **fields,
):
    fields = _check_fields(fields)
    case = Case(**fields)
    if case.company_id is None and case.contact is not None:
        case.company_id = case.contact.company_id
        if Contact.company.is_cached(case.contact):  # read with it: saves two look-ups
            case.company = case.contact.company
    if case.team_id is None and case.category is not None:
        case.team_id = case.category.team_id
    now = timezone.now()
    case.created_at = case.updated_at = case.status_changed_at = now
    case.last_message_at = now if case.description else None  # its first message, below
    _clean_case(case)
    case.custom_fields = customfields.clean_values(Case, custom_fields or {})
    sla.start_clock(case, now=now, policy=sla.policy_for(case))
    tag_objects = core_services.resolve_tags(tags)
    with records.track_create(case, actor=actor, tags=tag_objects):
        case.save()
        if tag_objects:
            case.tags.add(*tag_objects)
        if deals:
            case.deals.add(*deals)
        message = None
        if case.description and from_customer:
            message = _add_message(
                case,
                MessageKind.CUSTOMER,
                case.description,
                at=now,
                contact=case.contact,
                saved_case=True,
                **(message_fields or {}),
            )
        elif case.description:
            message = _add_message(
                case, MessageKind.NOTE, case.description, at=now, author=actor, saved_case=True
            )
    assign_new([case], actor=actor, record_type="case")
    if from_customer and case.channel in outgoing.ACKNOWLEDGED_CHANNELS:
        outgoing.acknowledge(case)
    return case, message


@transaction.atomic
def update_case(
    case, *, actor, expected_version=None, tags=None, deals=None, custom_fields=None, **fields
):
    """Change a case's fields; ``None`` leaves tags, deals and custom fields as they are. A new
    status goes through the same rules as ``change_status``; a new priority may change the
    SLA policy (the clock keeps its start)."""
    case = Case.all_objects.select_for_update().get(pk=case.pk)
    fields = _check_fields(fields)
    before_status, before_priority = case.status, case.priority
    with _track_status(case, actor=actor, expected_version=expected_version):
        for name, value in fields.items():
            setattr(case, name, value)
        _clean_case(case)
        now = timezone.now()
        if case.status != before_status:
            _enter_status(case, before_status, now)
        if case.priority != before_priority:
            _restart_clock(case, now)
        if custom_fields is not None:
            case.custom_fields = customfields.clean_values(
                Case, custom_fields, current=case.custom_fields
            )
        case.save()
        if tags is not None:
            case.tags.set(core_services.resolve_tags(tags))
        if deals is not None:
            case.deals.set(deals)
    return case


def change_status(case, status, *, actor, expected_version=None):
    return update_case(case, actor=actor, expected_version=expected_version, status=status)


def assign_case(case, *, actor, owner=None, team=None, expected_version=None):
    """Give the case to ``owner`` (and/or ``team``); ``None`` leaves that one as it is."""
    values = {k: v for k, v in (("owner", owner), ("team", team)) if v is not None}
    return update_case(case, actor=actor, expected_version=expected_version, **values)


@transaction.atomic
def reply_to_case(case, body, *, actor, status=CaseStatus.PENDING_CUSTOMER, to=None):
    """A public reply (sent to the customer by e-mail after commit). The first one meets the
    first-response target; the case then waits for the customer unless ``status`` says
    otherwise (``None`` keeps the status)."""
    case = Case.all_objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    recipients = to if to is not None else _customer_addresses(case)
    message = _add_message(case, MessageKind.REPLY, body, at=now, author=actor, to=recipients)
    outgoing.send_reply(message)  # after commit, by a job
    with _track_status(case, actor=actor):
        if case.first_responded_at is None:
            case.first_responded_at = now
        if status is not None and status != case.status:
            before = case.status
            case.status = status
            _enter_status(case, before, now)
        else:
            sla.status_changed(case, case.status, now=now)
        case.save()
    return message


@transaction.atomic
def add_note(case, body, *, actor):
    """An internal note: never sent, never seen by the customer, no effect on the SLA."""
    now = timezone.now()
    message = _add_message(case, MessageKind.NOTE, body, at=now, author=actor)
    return message


@transaction.atomic
def add_customer_message(case, body, *, contact=None, from_address="", subject="", **mail):
    """The customer wrote again (e-mail, portal): the case is theirs to answer once more."""
    case = Case.all_objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    message = _add_message(
        case,
        MessageKind.CUSTOMER,
        body,
        at=now,
        contact=contact or case.contact,
        from_address=from_address,
        subject=subject,
        **mail,
    )
    if case.status in REOPENED_BY_CUSTOMER:
        with _track_status(case, actor=None):
            before = case.status
            case.status = CaseStatus.OPEN
            _enter_status(case, before, now)
            case.save()
    return message


# --- helpers -------------------------------------------------------------------------------------


def _check_fields(fields):
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return {
        name: "" if value is None and name in _TEXT_FIELDS else value
        for name, value in fields.items()
    }


def _clean_case(case):
    case.subject = " ".join((case.subject or "").split())[:MAX_SUBJECT]
    if not case.subject:
        raise ValidationError({"subject": [_("Give the case a subject.")]})
    # A related record given as an object was read from the database: checking that it
    # exists would cost a query each (one given by id is checked).
    given = [f.name for f in _RELATIONS if f.is_cached(case)]
    case.full_clean(exclude=["tags", "deals", "custom_fields", "sla_policy", "merged_into", *given])


@contextmanager
def _track_status(case, *, actor, expected_version=None):
    """``records.track_update`` that, after ``case.updated``, publishes ``case.status_changed``
    for a new status and ``case.resolved`` when the case has just stopped being worked on
    (resolved, or closed straight away)."""
    with records.track_update(case, actor=actor, expected_version=expected_version) as change:
        yield change
    status = change.changes.get("status")
    if status is None:
        return
    payload = {"record": case, "actor": actor, "changes": change.changes}
    events.publish("case.status_changed", **payload)
    if status[0] in ACTIVE_STATUSES and status[1] not in ACTIVE_STATUSES:
        events.publish("case.resolved", **payload)


def _enter_status(case, before, now):
    """What entering ``case.status`` from ``before`` sets: times and the SLA clock."""
    case.status_changed_at = now
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and case.resolved_at is None:
        case.resolved_at = now
        if case.status == CaseStatus.RESOLVED:
            transaction.on_commit(lambda: _invite(case.pk))
    if case.status == CaseStatus.CLOSED and case.closed_at is None:
        case.closed_at = now
    if case.status in ACTIVE_STATUSES:
        case.resolved_at = case.closed_at = None
    sla.status_changed(case, before, now=now)


def _restart_clock(case, now):
    policy = sla.policy_for(case)
    if policy is None or policy.pk != case.sla_policy_id:
        sla.start_clock(case, now=now, policy=policy)


def _customer_addresses(case):
    if case.contact is None:
        return []
    email = case.contact.primary_email
    return [email] if email else []


def _add_message(
    case, kind, body, *, at, author=None, contact=None, to=(), saved_case=False, **values
):
    """``saved_case``: the case was just saved with ``at`` as its latest message moment."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY] + "\n\n" + _("[The rest of this message was cut: too long.]")
    if not saved_case:
        # The case's latest message moment (bookkeeping: no history, no version).
        case.last_message_at = at
        Case.all_objects.filter(pk=case.pk).update(last_message_at=at)
    return CaseMessage.objects.create(
        case=case,
        kind=kind,
        body=body,
        author=author if author is not None and author.pk else None,
        contact=contact,
        to_addresses=list(to),
        created_at=at,
        **values,
    )


# --- merge and split -----------------------------------------------------------------------------


@transaction.atomic
def merge_cases(target, sources, *, actor):
    """Fold ``sources`` (the same request opened twice) into ``target``: their messages join
    its conversation in time order, their deals and tags are added, and each is closed with a
    note saying where it went. Returns the target."""
    sources = [s for s in sources if s.pk != target.pk]
    if not sources:
        raise ValidationError({"cases": [_("Choose another case to merge.")]})
    if any(s.merged_into_id for s in sources) or target.merged_into_id:
        raise ValidationError({"cases": [_("A merged case cannot be merged again.")]})
    ids = [s.pk for s in sources]
    now = timezone.now()
    CaseMessage.objects.filter(case_id__in=ids).update(case=target)
    tags = {t.name for t in target.tags.all()} | {t.name for s in sources for t in s.tags.all()}
    deals = {*target.deals.all(), *(d for s in sources for d in s.deals.all())}
    target = update_case(target, actor=actor, tags=sorted(tags), deals=list(deals))
    references = ", ".join(s.reference for s in sources)
    _add_message(
        target,
        MessageKind.NOTE,
        _("Merged here: %(cases)s.") % {"cases": references},
        at=now,
        author=actor,
    )
    for source in sources:
        source = Case.all_objects.select_for_update().get(pk=source.pk)
        with _track_status(source, actor=actor):
            before = source.status
            source.merged_into = target
            source.status = CaseStatus.CLOSED
            _enter_status(source, before, now)
            source.save()
        _add_message(
            source,
            MessageKind.NOTE,
            _("Merged into %(case)s.") % {"case": target.reference},
            at=now,
            author=actor,
        )
    return target


@transaction.atomic
def split_case(case, message, *, actor, subject=None):
    """A new case from ``message`` (a customer's message that is another request) and every
    message after it; the original keeps what came before. Returns the new case."""
    if message.case_id != case.pk:
        raise ValidationError({"message": [_("This message is not in this case.")]})
    moved = CaseMessage.objects.filter(case=case, id__gte=message.pk)
    if moved.count() == CaseMessage.objects.filter(case=case).count():
        raise ValidationError({"message": [_("Keep at least one message in the case.")]})
    new = create_case(
        actor=actor,
        from_customer=False,
        subject=subject or message.subject or case.subject,
        contact=case.contact,
        company=case.company,
        category=case.category,
        priority=case.priority,
        channel=case.channel,
        language=case.language,
        owner=case.owner,
        team=case.team,
    )
    moved.update(case=new)
    now = timezone.now()
    _add_message(
        case,
        MessageKind.NOTE,
        _("Split into %(case)s.") % {"case": new.reference},
        at=now,
        author=actor,
    )
    _add_message(
        new,
        MessageKind.NOTE,
        _("Split from %(case)s.") % {"case": case.reference},
        at=now,
        author=actor,
    )
    return new


def _invite(case_pk):
    """The satisfaction survey of a case just resolved (after commit, so a rolled-back change
    sends nothing)."""
    case = Case.objects.filter(pk=case_pk, status=CaseStatus.RESOLVED).first()
    if case is not None:
        with transaction.atomic():
            outgoing.invite_to_survey(case)


def close_waiting_cases(now, days):
    """Close the cases that have waited ``days`` days for the customer, each with a notice to
    them; returns how many. A case answered meanwhile is left alone (it is open again)."""
    if days <= 0:
        return 0
    limit = now - datetime.timedelta(days=days)
    waiting = Case.objects.filter(
        status=CaseStatus.PENDING_CUSTOMER, status_changed_at__lt=limit
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(waiting[:1000]):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk).first()
            if case is None or case.status != CaseStatus.PENDING_CUSTOMER:
                continue
            outgoing.notify_closing(case, days)
            change_status(case, CaseStatus.CLOSED, actor=None)
            closed += 1
    return closed
