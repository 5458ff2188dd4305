"""Deals: create, change, move between stages, qualify a lead, trash and bulk actions.

A deal's stage decides its ``status`` (open/won/lost); moving it records how long it spent in
the stage it left, closes or reopens it, converts its amount to the base currency at the right
day's rate and moves its contacts' lifecycle forward (an open deal makes them "opportunity", a
won one "customer").
"""

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import services as contact_services
from clientela.contacts.choices import LifecycleStage
from clientela.contacts.models import Contact
from clientela.core import customfields, events, records
from clientela.core import services as core_services
from clientela.core.models import User

from .. import money
from ..choices import DealContactRole, StageKind
from ..models import Deal, DealContact, DealStageChange, Pipeline
from . import purchases
from .common import amount_error, clean_amount

# The editable fields of a deal, in display order; forms and API serializers use this list.
DEAL_FIELDS = (
    "name",
    "pipeline",
    "stage",
    "amount",
    "currency",
    "expected_close_date",
    "company",
    "source",
    "source_detail",
    "next_step",
    "forecast_category",
    "owner",
    "team",
)
# Close dates a person could mean: anything else is a typo (a year 0, 20024...).
EARLIEST_DATE = datetime.date(1970, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)
DEFAULT_CLOSE_IN = datetime.timedelta(days=30)

_TEXT_FIELDS = {
    f.name
    for f in Deal._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and not f.null
}


# --- deals --------------------------------------------------------------------------------------


@transaction.atomic
def create_deal(*, actor, contacts=(), tags=(), custom_fields=None, **fields):
    """Create a deal. Without a stage it starts in the first stage of its pipeline (the default
    pipeline when none is given); without a close date it is expected in 30 days.

    ``contacts`` are contacts or ``(contact, role)`` pairs.
    """
    fields = _check_fields(fields)
    pipeline = fields.pop("pipeline", None) or _default_pipeline()
    stage = fields.pop("stage", None) or _first_stage(pipeline)
    _check_stage(pipeline, stage)
    deal = Deal(pipeline=pipeline, stage=stage, **fields)
    if deal.expected_close_date is None:
        deal.expected_close_date = timezone.localdate() + DEFAULT_CLOSE_IN
    now = timezone.now()
    deal.stage_entered_at = now
    _apply_stage(deal, stage, now)
    _clean_deal(deal)
    deal.custom_fields = customfields.clean_values(Deal, custom_fields or {})
    links = _contact_links(contacts)
    tag_objects = core_services.resolve_tags(tags)
    with records.track_create(deal, actor=actor):
        deal.save()
        DealStageChange.objects.create(
            deal=deal, to_stage=stage, changed_at=now, actor=_user(actor)
        )
        _set_contacts(deal, links)
        if tag_objects:
            deal.tags.add(*tag_objects)
    _follow_lifecycle(deal, actor)
    return deal


@transaction.atomic
def update_deal(
    deal, *, actor, expected_version=None, contacts=None, tags=None, custom_fields=None, **fields
):
    """Change a deal; ``None`` leaves contacts/tags/custom fields as they are. A new stage (or
    pipeline) is a move, with everything ``move_deal`` does."""
    deal = Deal.all_objects.select_for_update().get(pk=deal.pk)
    fields = _check_fields(fields)
    pipeline = fields.pop("pipeline", None) or deal.pipeline
    stage = fields.pop("stage", None)
    if stage is None and pipeline.pk != deal.pipeline_id:
        stage = _first_stage(pipeline)
    with _track_moves(deal, actor=actor, expected_version=expected_version):
        for name, value in fields.items():
            setattr(deal, name, value)
        if stage is not None and stage.pk != deal.stage_id:
            _check_stage(pipeline, stage)
            deal.pipeline = pipeline
            _enter_stage(deal, stage, actor)
        _clean_deal(deal)
        if custom_fields is not None:
            deal.custom_fields = customfields.clean_values(
                Deal, custom_fields, current=deal.custom_fields
            )
        links = _contact_links(contacts) if contacts is not None else None
        deal.save()
        if links is not None:
            _set_contacts(deal, links)
        if tags is not None:
            deal.tags.set(core_services.resolve_tags(tags))
    _follow_lifecycle(deal, actor)
    return deal


@transaction.atomic
def move_deal(deal, stage, *, actor, expected_version=None, lost_reason=None, lost_note=""):
    """Move a deal to another stage of its pipeline (the board's drag and drop).

    Raises ``ValidationError`` for a stage of another pipeline and ``StaleRecord`` when
    ``expected_version`` is not the stored version (two people moving one deal at once).
    """
    deal = Deal.all_objects.select_for_update().get(pk=deal.pk)
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError(
            {"stage": [_("This stage belongs to another pipeline.")]}, code="stage_pipeline"
        )
    with _track_moves(deal, actor=actor, expected_version=expected_version):
        if stage.pk != deal.stage_id:
            _enter_stage(deal, stage, actor)
        if stage.kind == StageKind.LOST:
            deal.lost_reason = lost_reason or deal.lost_reason
            deal.lost_note = lost_note or deal.lost_note
        _clean_deal(deal)
        deal.save()
    _follow_lifecycle(deal, actor)
    return deal


@transaction.atomic
def qualify_contact(contact, *, actor, name=None, **fields):
    """Turn a lead into an opportunity: a new deal for ``contact`` (and their company), owned
    by the actor unless said otherwise. The contact becomes an "opportunity" with it."""
    fields.setdefault("company", contact.company)
    fields.setdefault("owner", actor)
    fields.setdefault("team", contact.team)
    fields.setdefault("source", contact.source)
    return create_deal(
        actor=actor,
        name=name or _("Deal with %(name)s") % {"name": contact},
        contacts=[(contact, DealContactRole.DECISION_MAKER)],
        **fields,
    )


# --- helpers -------------------------------------------------------------------------------------


def _check_fields(fields):
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return {
        name: "" if value is None and name in _TEXT_FIELDS else value
        for name, value in fields.items()
    }


def _default_pipeline():
    pipeline = (
        Pipeline.objects.filter(archived=False).order_by("-is_default", "position", "id").first()
    )
    if pipeline is None:
        raise ValidationError({"pipeline": [_("Create a pipeline first.")]})
    return pipeline


def _first_stage(pipeline):
    stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id").first()
    if stage is None:
        raise ValidationError({"stage": [_("This pipeline has no open stage.")]})
    return stage


def _check_stage(pipeline, stage):
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError(
            {"stage": [_("This stage belongs to another pipeline.")]}, code="stage_pipeline"
        )


@contextmanager
def _track_moves(deal, *, actor, expected_version=None):
    """``records.track_update`` that, after ``deal.updated``, publishes ``deal.stage_changed``
    for a new stage and ``deal.won``/``deal.lost`` when the deal has just closed that way."""
    status = deal.status
    with records.track_update(deal, actor=actor, expected_version=expected_version) as change:
        yield change
    if "stage" in change.changes:
        payload = {"record": deal, "actor": actor, "changes": change.changes}
        events.publish("deal.stage_changed", **payload)
        if deal.status != status and deal.status in (StageKind.WON, StageKind.LOST):
            events.publish(f"deal.{deal.status}", **payload)


def _apply_stage(deal, stage, now):
    """Status and close time follow the stage's kind."""
    deal.stage = stage
    deal.status = stage.kind
    if stage.kind == StageKind.OPEN:
        deal.closed_at = None
        deal.lost_reason = None
        deal.lost_note = ""
    elif deal.closed_at is None:
        deal.closed_at = now


def _enter_stage(deal, stage, actor):
    now = timezone.now()
    DealStageChange.objects.create(
        deal=deal,
        from_stage_id=deal.stage_id,
        to_stage=stage,
        changed_at=now,
        actor=_user(actor),
        seconds_in_from_stage=max(0, int((now - deal.stage_entered_at).total_seconds())),
    )
    deal.stage_entered_at = now
    _apply_stage(deal, stage, now)


def _clean_deal(deal):
    errors = {}
    deal.name = (deal.name or "").strip()
    deal.currency = (deal.currency or money.base_currency()).upper()
    try:
        money.validate_currency(deal.currency)
    except ValidationError as error:
        errors["currency"] = error.messages
    amount = clean_amount(deal.amount)
    if amount is None:
        errors["amount"] = [amount_error()]
    else:
        deal.amount = amount
    close = deal.expected_close_date
    if not isinstance(close, datetime.date) or not EARLIEST_DATE <= close <= LATEST_DATE:
        errors["expected_close_date"] = [_("Enter a date between 1970 and 2199.")]
    if deal.status != StageKind.LOST and deal.lost_reason_id:
        deal.lost_reason = None
    try:
        deal.full_clean(
            exclude=["owner", "team", "company", "tags", "pipeline", "stage", "lost_reason"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    day = deal.closed_at.date() if deal.closed_at else deal.expected_close_date
    try:
        deal.amount_base = money.to_base(deal.amount, deal.currency, day)
    except money.MissingRate as error:
        raise ValidationError({"currency": error.messages}) from error


def _contact_links(contacts):
    """``[(contact, role)]`` from contacts or pairs, each contact once, roles checked."""
    links = {}
    for item in contacts:
        contact, role = item if isinstance(item, tuple | list) else (item, DealContactRole.OTHER)
        if role not in DealContactRole.values:
            raise ValidationError({"contacts": [_("Unknown role “%(role)s”.") % {"role": role}]})
        links.setdefault(contact.pk, (contact, role))
    return list(links.values())


def _set_contacts(deal, links):
    DealContact.objects.filter(deal=deal).exclude(
        contact_id__in=[c.pk for c, _role in links]
    ).delete()
    current = {link.contact_id: link for link in DealContact.objects.filter(deal=deal)}
    for contact, role in links:
        link = current.get(contact.pk)
        if link is None:
            DealContact.objects.create(deal=deal, contact=contact, role=role)
        elif link.role != role:
            link.role = role
            link.save(update_fields=["role"])


def _follow_lifecycle(deal, actor):
    """The deal's contacts become "opportunity" while it is open and "customer" once won."""
    if deal.is_lost or deal.deleted_at is not None:
        return
    stage = LifecycleStage.CUSTOMER if deal.is_won else LifecycleStage.OPPORTUNITY
    contacts = list(Contact.objects.filter(deal_links__deal=deal))
    contact_services.promote_lifecycle(contacts, stage, actor=actor)
    purchases.record_purchase_from_deal(deal, actor=actor)  # once, when won


def _user(actor):
    return actor if isinstance(actor, User) and actor.pk else None


# Trash and bulk actions work the same on every record (``core.services``).
delete_deals = core_services.delete_records
restore_deals = core_services.restore_records
purge_deals = core_services.purge_records
assign_deals = core_services.assign_records
tag_deals = core_services.tag_records
