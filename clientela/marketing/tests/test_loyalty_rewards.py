"""Spending and correcting points: enough balance and stock, all or nothing, two redemptions
at the same moment never overdraw; hand adjustments; settings refused when malformed; the
customers at risk."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.core.records import StaleRecord
from clientela.marketing.choices import PointsKind
from clientela.marketing.models import LoyaltyAccount, PointsEntry, Reward
from clientela.marketing.services import loyalty
from clientela.sales import services as sales
from clientela.sales.models import Purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(db):
    return loyalty.update_program(actor=None, active=True)


@pytest.fixture
def anna(admin_user):
    return contact_services.create_contact(actor=admin_user, first_name="Anna", last_name="Puig")


@pytest.fixture
def mug(admin_user):
    return loyalty.save_reward(actor=admin_user, name="Mug", points_cost=60, stock=5)


def balance(contact):
    return LoyaltyAccount.objects.get(contact=contact).balance


def test_redeeming_spends_points_and_stock(program, anna, mug, admin_user):
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Welcome gift")

    entry = loyalty.redeem_reward(anna, mug, actor=admin_user, note="At the shop")

    assert (entry.kind, entry.points, entry.reward, entry.actor) == (
        PointsKind.REDEMPTION,
        -60,
        mug,
        admin_user,
    )
    assert balance(anna) == 40
    assert Reward.objects.get(pk=mug.pk).stock == 4


def test_not_enough_points_is_refused_with_the_balance(program, anna, mug, admin_user):
    loyalty.adjust_points(anna, 59, actor=admin_user, note="Welcome gift")

    with pytest.raises(ValidationError) as error:
        loyalty.redeem_reward(anna, mug, actor=admin_user)

    assert error.value.message_dict == {
        "reward": ["Not enough points: 59 of the 60 this reward needs."]
    }
    assert balance(anna) == 59
    assert Reward.objects.get(pk=mug.pk).stock == 5
    assert PointsEntry.objects.filter(kind=PointsKind.REDEMPTION).count() == 0


def test_a_customer_without_points_cannot_redeem(program, anna, mug, admin_user):
    with pytest.raises(ValidationError) as error:
        loyalty.redeem_reward(anna, mug, actor=admin_user)

    assert error.value.message_dict == {
        "reward": ["Not enough points: 0 of the 60 this reward needs."]
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stock": 0}, "This reward is out of stock."),
        ({"active": False}, "This reward is not available."),
    ],
)
def test_unavailable_rewards_are_refused(program, anna, mug, admin_user, change, message):
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Welcome gift")
    loyalty.save_reward(mug, actor=admin_user, **change)

    with pytest.raises(ValidationError) as error:
        loyalty.redeem_reward(anna, mug, actor=admin_user)

    assert error.value.message_dict == {"reward": [message]}
    assert balance(anna) == 100


def test_nothing_is_redeemed_while_the_programme_is_off(anna, mug, admin_user):
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Welcome gift")

    with pytest.raises(ValidationError) as error:
        loyalty.redeem_reward(anna, mug, actor=admin_user)

    assert error.value.message_dict == {"reward": ["The loyalty programme is not active."]}


# The test database on SQLite is in memory with a shared cache, where a second writer is told
# at once that the database is locked instead of waiting (a file waits: busy timeout). Either
# way the writes are serialised and the loser writes nothing.
LOCKED = "locked, nothing written"


def _sqlite_lock(error):
    if connection.vendor != "sqlite" or "locked" not in str(error):
        raise error
    return LOCKED


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_at_once_cannot_overdraw(admin_user):
    """Both read 100 points and ask for 60: the second waits for the first's lock (PostgreSQL)
    or transaction (SQLite), then finds 40 and is refused."""
    loyalty.update_program(actor=None, active=True)
    anna = contact_services.create_contact(actor=admin_user, first_name="Anna")
    mug = loyalty.save_reward(actor=admin_user, name="Mug", points_cost=60)
    loyalty.adjust_points(anna, 100, actor=admin_user, note="Welcome gift")
    start = threading.Barrier(2)
    outcomes = []

    def redeem():
        try:
            start.wait()
            loyalty.redeem_reward(anna.pk, mug.pk, actor=admin_user)
            outcomes.append("redeemed")
        except ValidationError as error:
            outcomes.append(error.message_dict["reward"][0])
        except OperationalError as error:
            outcomes.append(_sqlite_lock(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("redeemed") == 1
    assert set(outcomes) - {"redeemed"} <= {
        "Not enough points: 40 of the 60 this reward needs.",
        LOCKED,
    }
    assert balance(anna) == 40
    assert PointsEntry.objects.filter(kind=PointsKind.REDEMPTION).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_customers_cannot_both_take_the_last_one(admin_user):
    loyalty.update_program(actor=None, active=True)
    people = [
        contact_services.create_contact(actor=admin_user, first_name=name)
        for name in ("Anna", "Pau")
    ]
    last_mug = loyalty.save_reward(actor=admin_user, name="Mug", points_cost=10, stock=1)
    for person in people:
        loyalty.adjust_points(person, 10, actor=admin_user, note="Welcome gift")
    start = threading.Barrier(2)
    outcomes = []

    def redeem(person):
        try:
            start.wait()
            loyalty.redeem_reward(person, last_mug, actor=admin_user)
            outcomes.append("redeemed")
        except ValidationError as error:
            outcomes.append(error.message_dict["reward"][0])
        except OperationalError as error:
            outcomes.append(_sqlite_lock(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("redeemed") == 1
    assert set(outcomes) - {"redeemed"} <= {"This reward is out of stock.", LOCKED}
    assert Reward.objects.get(pk=last_mug.pk).stock == 0
    assert sorted(balance(person) for person in people) == [0, 10]


# --- adjustments ---------------------------------------------------------------------------------


def test_an_adjustment_moves_balance_lifetime_and_tier(program, anna, admin_user):
    gold = loyalty.save_tier(actor=admin_user, name="Gold", min_points=100)

    loyalty.adjust_points(anna, 120, actor=admin_user, note="  Moved from the old card  ")
    account = LoyaltyAccount.objects.get(contact=anna)
    assert (account.balance, account.lifetime_points, account.tier) == (120, 120, gold)
    assert PointsEntry.objects.get().note == "Moved from the old card"

    loyalty.adjust_points(anna, -30, actor=admin_user, note="Counted twice")
    account.refresh_from_db()
    assert (account.balance, account.lifetime_points, account.tier) == (90, 90, None)


@pytest.mark.parametrize(
    ("points", "note", "errors"),
    [
        (-1, "Oops", {"points": ["The balance is 0: it cannot go below zero."]}),
        (0, "Nothing", {"points": ["Enter a number of points other than zero, up to a trillion."]}),
        (
            10**13,
            "Too many",
            {"points": ["Enter a number of points other than zero, up to a trillion."]},
        ),
        ("10", "Text", {"points": ["Enter a whole number of points."]}),
        (True, "A boolean", {"points": ["Enter a whole number of points."]}),
        (5, "   ", {"note": ["Say why the points change."]}),
        (5, "x" * 501, {"note": ["Write at most 500 characters."]}),
        (5, "nul\x00byte", {"note": ["Write at most 500 characters."]}),
    ],
)
def test_bad_adjustments_are_refused_and_write_nothing(
    program, anna, admin_user, points, note, errors
):
    with pytest.raises(ValidationError) as error:
        loyalty.adjust_points(anna, points, actor=admin_user, note=note)

    assert error.value.message_dict == errors
    assert PointsEntry.objects.count() == 0


# --- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"points_per_unit": Decimal("-1")}, "points_per_unit"),
        ({"points_per_unit": Decimal("100000")}, "points_per_unit"),
        ({"at_risk_days": 0}, "at_risk_days"),
        ({"expiry_days": 99999}, "expiry_days"),
        ({"earning_statuses": ["stolen"]}, "earning_statuses"),
        ({"earning_statuses": []}, "earning_statuses"),
        ({"earning_statuses": "completed"}, "earning_statuses"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"owner": 1}, "owner"),
    ],
)
def test_malformed_programme_settings_are_refused(db, fields, field):
    with pytest.raises(ValidationError) as error:
        loyalty.update_program(actor=None, **fields)

    assert list(error.value.message_dict) == [field]
    assert loyalty.LoyaltyProgram.current().points_per_unit == 1


def test_tiers_need_distinct_names_and_thresholds(admin_user):
    loyalty.save_tier(actor=admin_user, name="Gold", min_points=100)

    with pytest.raises(ValidationError) as error:
        loyalty.save_tier(actor=admin_user, name="Gold", min_points=100)

    assert sorted(error.value.message_dict) == ["min_points", "name"]


def test_a_stale_version_is_refused(admin_user, mug):
    loyalty.save_reward(mug, actor=admin_user, name="Big mug")

    with pytest.raises(StaleRecord):
        loyalty.save_reward(mug, actor=admin_user, expected_version=1, name="Small mug")
    assert Reward.objects.get(pk=mug.pk).name == "Big mug"


# --- at risk -------------------------------------------------------------------------------------


def test_at_risk_are_customers_whose_last_purchase_is_too_old(program, admin_user):
    def person(name, *days_ago, status="completed"):
        contact = contact_services.create_contact(actor=admin_user, first_name=name)
        for days in days_ago:
            sales.record_purchase(
                actor=admin_user,
                contact=contact,
                purchased_at=timezone.now() - datetime.timedelta(days=days),
                total_amount=10,
                status=status,
            )
        return contact

    lapsed = person("Lapsed", 200, 120)
    recent = person("Recent", 200, 10)
    person("Never bought")
    person("Only refunded", 200, status="refunded")
    trashed = person("Trashed purchase", 200, 5)
    sales.delete_purchases(
        list(
            Purchase.objects.filter(
                contact=trashed, purchased_at__gte=timezone.now() - datetime.timedelta(days=6)
            )
        ),
        actor=admin_user,
    )

    assert set(loyalty.at_risk_contacts()) == {lapsed, trashed}
    assert set(loyalty.at_risk_contacts(days=150)) == {trashed}
    assert set(loyalty.at_risk_contacts(days=5)) == {lapsed, recent, trashed}
