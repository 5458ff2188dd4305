"""Loyalty and retention: the programme's settings, tiers and rewards, redeeming and adjusting
points, and the customers at risk of leaving. Points from purchases are ``services.points``."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.models import Contact
from clientela.core import events, permissions
from clientela.core.records import lock_current
from clientela.sales.choices import PurchaseStatus
from clientela.sales.models import Purchase

from ..choices import PointsKind
from ..models import LoyaltyAccount, LoyaltyProgram, LoyaltyTier, PointsEntry, Reward
from ..models.loyalty import MAX_POINTS
from .points import award_points, earning_q, recompute_tiers, refresh_accounts

__all__ = ["award_points"]  # re-exported: the one way purchases earn points

PROGRAM_FIELDS = (
    "active",
    "name",
    "points_per_unit",
    "expiry_days",
    "at_risk_days",
    "earning_statuses",
)
TIER_FIELDS = ("name", "min_points", "benefits", "position")
REWARD_FIELDS = ("name", "description", "points_cost", "active", "stock")
MAX_NOTE = 500


# --- the programme -------------------------------------------------------------------------------


@transaction.atomic
def update_program(*, actor, **fields):
    """Change the programme's settings. A change of which statuses earn takes effect on the
    next count of each purchase (the catch-up job)."""
    program = LoyaltyProgram.objects.select_for_update().get(pk=LoyaltyProgram.current().pk)
    _check_fields(fields, PROGRAM_FIELDS)
    if "earning_statuses" in fields:
        statuses = fields["earning_statuses"]
        if (
            not isinstance(statuses, list | tuple)
            or not statuses
            or not set(statuses) <= set(PurchaseStatus.values)
        ):
            raise ValidationError({"earning_statuses": [_("Choose purchase statuses.")]})
        fields["earning_statuses"] = [s for s in PurchaseStatus.values if s in statuses]
    for name, value in fields.items():
        setattr(program, name, value)
    _full_clean(program)
    program.save()
    return program


# --- tiers ---------------------------------------------------------------------------------------


@transaction.atomic
def save_tier(tier=None, *, actor, expected_version=None, **fields):
    """Create (``tier=None``) or change a tier; every account moves to the tier its lifetime
    points reach, up or down."""
    _check_fields(fields, TIER_FIELDS)
    tier = (
        lock_current(LoyaltyTier.objects, tier, expected_version)
        if tier is not None
        else LoyaltyTier()
    )
    for name, value in fields.items():
        setattr(tier, name, value)
    _full_clean(tier, unique=True)
    _save_versioned(tier)
    recompute_tiers()
    return tier


@transaction.atomic
def delete_tier(tier, *, actor, expected_version=None):
    tier = lock_current(LoyaltyTier.objects, tier, expected_version)
    tier.delete()
    recompute_tiers()


# --- rewards -------------------------------------------------------------------------------------


@transaction.atomic
def save_reward(reward=None, *, actor, expected_version=None, **fields):
    """Create (``reward=None``) or change a reward."""
    _check_fields(fields, REWARD_FIELDS)
    reward = (
        lock_current(Reward.objects, reward, expected_version) if reward is not None else Reward()
    )
    for name, value in fields.items():
        setattr(reward, name, value)
    _full_clean(reward)
    _save_versioned(reward)
    return reward


@transaction.atomic
def delete_reward(reward, *, actor, expected_version=None):
    """Remove a reward; the ledger keeps its redemptions (without the link)."""
    lock_current(Reward.objects, reward, expected_version).delete()


# --- spending and correcting points --------------------------------------------------------------


@transaction.atomic
def redeem_reward(contact, reward, *, actor, note=""):
    """Spend the contact's points on ``reward``: refused (``ValidationError``) when the
    programme is off, the reward inactive or out of stock, or the balance short. The account
    and the reward are locked, so two redemptions at once cannot overdraw either."""
    note = _clean_note(note, required=False)
    account = _locked_account(contact)
    reward = Reward.objects.select_for_update().filter(pk=getattr(reward, "pk", reward)).first()
    if not LoyaltyProgram.current().active:
        raise ValidationError({"reward": [_("The loyalty programme is not active.")]})
    if reward is None or not reward.active:
        raise ValidationError({"reward": [_("This reward is not available.")]})
    if not reward.in_stock:
        raise ValidationError({"reward": [_("This reward is out of stock.")]})
    if account.balance < reward.points_cost:
        raise ValidationError(
            {
                "reward": [
                    _("Not enough points: %(balance)s of the %(cost)s this reward needs.")
                    % {"balance": account.balance, "cost": reward.points_cost}
                ]
            }
        )
    if reward.stock is not None:
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1, version=F("version") + 1)
    entry = PointsEntry.objects.create(
        account=account,
        points=-reward.points_cost,
        kind=PointsKind.REDEMPTION,
        reward=reward,
        note=note,
        actor=actor,
    )
    LoyaltyAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") - reward.points_cost, updated_at=timezone.now()
    )
    events.publish("reward.redeemed", record=entry, actor=actor)
    return entry


@transaction.atomic
def adjust_points(contact, points, *, actor, note):
    """Add (or, negative, take away) points by hand, with the reason in ``note``. Counts
    towards lifetime points (a correction moves the tier too); the balance never goes below
    zero."""
    note = _clean_note(note, required=True)
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError({"points": [_("Enter a whole number of points.")]})
    if points == 0 or abs(points) > MAX_POINTS:
        raise ValidationError(
            {"points": [_("Enter a number of points other than zero, up to a trillion.")]}
        )
    account = _locked_account(contact)
    if account.balance + points < 0:
        raise ValidationError(
            {
                "points": [
                    _("The balance is %(balance)s: it cannot go below zero.")
                    % {"balance": account.balance}
                ]
            }
        )
    entry = PointsEntry.objects.create(
        account=account, points=points, kind=PointsKind.ADJUSTMENT, note=note, actor=actor
    )
    refresh_accounts([account.pk])
    return entry


# --- who sees which accounts, who is at risk -----------------------------------------------------


def visible_accounts(user, queryset=None):
    """Accounts of the contacts in the user's scope (marketing read access needed)."""
    queryset = LoyaltyAccount.objects.all() if queryset is None else queryset
    if not permissions.can_read(user, "marketing"):
        return queryset.none()
    queryset = queryset.filter(contact__deleted_at__isnull=True)
    condition = permissions.scope_q(user, "contact__owner_id", "contact__team_id")
    return queryset if condition is None else queryset.filter(condition)


def can_change_points(user, contact):
    return permissions.can_write(user, "marketing") and permissions.in_scope(user, contact)


def at_risk_contacts(days=None, *, now=None):
    """Customers who bought (a purchase that counts for the programme) but not in the last
    ``days`` days (the programme's ``at_risk_days`` by default)."""
    program = LoyaltyProgram.current()
    days = program.at_risk_days if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    purchases = Purchase.all_objects.filter(earning_q(program), contact=OuterRef("pk"))
    return Contact.objects.filter(
        Exists(purchases), ~Exists(purchases.filter(purchased_at__gte=cutoff))
    )


# --- helpers -------------------------------------------------------------------------------------


def _check_fields(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in fields.items():
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store it
            raise ValidationError({name: [_("Remove the null characters.")]})


def _full_clean(instance, *, unique=False):
    try:
        instance.full_clean(validate_unique=unique, validate_constraints=unique)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _save_versioned(instance):
    if instance.pk:
        instance.version += 1
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:  # the same name or threshold saved at the same moment
        raise ValidationError({"name": [_("Another one has this name or threshold.")]}) from error


def _locked_account(contact):
    """The contact's account, created empty if need be, locked until the commit."""
    contact_id = getattr(contact, "pk", contact)
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(contact_id=contact_id)], ignore_conflicts=True
    )
    return LoyaltyAccount.objects.select_for_update().get(contact_id=contact_id)


def _clean_note(note, *, required):
    note = " ".join(str(note or "").split())
    if required and not note:
        raise ValidationError({"note": [_("Say why the points change.")]})
    if len(note) > MAX_NOTE or "\x00" in note:
        raise ValidationError({"note": [_("Write at most 500 characters.")]})
    return note
