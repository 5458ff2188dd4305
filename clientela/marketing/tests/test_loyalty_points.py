"""Points from purchases: exact rounding, awarded once whoever counts (event, catch-up job,
both), taken back on refund, cancellation or trash, tiers up and down, expiry."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.contacts import services as contact_services
from clientela.core import bulk
from clientela.marketing import jobs
from clientela.marketing.choices import PointsKind
from clientela.marketing.models import LoyaltyAccount, LoyaltyProgram, PointsEntry
from clientela.marketing.services import loyalty, points
from clientela.sales import services as sales
from clientela.sales.models import Purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(db):
    return loyalty.update_program(actor=None, active=True, points_per_unit=Decimal("1.5"))


@pytest.fixture
def anna(admin_user):
    return contact_services.create_contact(actor=admin_user, first_name="Anna", last_name="Puig")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``committed(service, ...)``: call it and run what waits for the commit (the events)."""

    def call(service, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return call


@pytest.fixture
def buy(committed):
    def record(contact, total, *, actor, days_ago=1, **fields):
        purchase, _ = committed(
            sales.record_purchase,
            actor=actor,
            contact=contact,
            purchased_at=timezone.now() - datetime.timedelta(days=days_ago),
            total_amount=total,
            **fields,
        )
        return purchase

    return record


def imported(contact, total):
    """A purchase as an import writes it (in bulk, without events)."""
    imported.count = getattr(imported, "count", 0) + 1
    return Purchase(
        number=f"IMP-{imported.count}",
        contact=contact,
        purchased_at=timezone.now(),
        channel="api",
        total_amount=total,
        total_base=total,
    )


def ledger(contact):
    return list(
        PointsEntry.objects.filter(account__contact=contact)
        .order_by("id")
        .values_list("kind", "points")
    )


def account(contact):
    return LoyaltyAccount.objects.get(contact=contact)


@pytest.mark.parametrize(
    ("total", "rate", "expected"),
    [
        ("10.00", "1", 10),
        ("10.99", "1", 10),
        ("0.99", "1", 0),
        ("33.33", "1.5", 49),  # 49.995
        ("100.00", "0.0333", 3),  # 3.33
        ("19.99", "2", 39),  # 39.98
        ("0.00", "5", 0),
    ],
)
def test_points_are_rounded_down(total, rate, expected):
    assert points.points_for(Decimal(total), Decimal(rate)) == expected


def test_a_purchase_earns_its_points_after_its_commit(program, anna, admin_user, buy):
    purchase = buy(anna, "33.33", actor=admin_user)

    assert ledger(anna) == [(PointsKind.PURCHASE, 49)]
    entry = PointsEntry.objects.get(account__contact=anna)
    assert entry.purchase_id == purchase.pk
    assert (account(anna).balance, account(anna).lifetime_points) == (49, 49)
    assert account(anna).last_purchase_at == purchase.purchased_at


def test_an_inactive_programme_gives_no_points_but_keeps_the_last_purchase(anna, admin_user, buy):
    purchase = buy(anna, "50", actor=admin_user)

    assert ledger(anna) == []
    assert account(anna).last_purchase_at == purchase.purchased_at
    assert account(anna).balance == 0


def test_counting_again_awards_nothing(program, anna, admin_user, buy):
    purchase = buy(anna, "20", actor=admin_user)

    assert points.award_points([purchase]) == {"awarded": 0, "reversed": 0}
    assert points.catch_up() == {"awarded": 0, "reversed": 0}
    assert ledger(anna) == [(PointsKind.PURCHASE, 30)]
    assert account(anna).balance == 30


def test_event_and_catch_up_job_together_award_once(program, anna, admin_user, settings):
    """The job counts the purchase first (as if its event were late), then the event comes."""
    purchase = imported(anna, 10)
    bulk.create_records(Purchase, [purchase], actor=admin_user)  # an import: no event

    assert jobs.update_loyalty.call() == {"awarded": 1, "reversed": 0, "expired": 0}
    points.on_purchase_event("purchase.created", record=purchase)
    assert jobs.update_loyalty.call() == {"awarded": 0, "reversed": 0, "expired": 0}

    assert ledger(anna) == [(PointsKind.PURCHASE, 15)]
    assert account(anna).balance == 15


def test_a_refund_takes_the_points_back_once(program, anna, admin_user, buy, committed):
    purchase = buy(anna, "40", actor=admin_user)
    buy(anna, "10", actor=admin_user, days_ago=3)

    committed(sales.update_purchase, purchase, actor=admin_user, status="refunded")
    points.catch_up()
    committed(sales.update_purchase, purchase, actor=admin_user, note="Refunded by bank transfer")

    assert ledger(anna) == [
        (PointsKind.PURCHASE, 60),
        (PointsKind.PURCHASE, 15),
        (PointsKind.REVERSAL, -60),
    ]
    assert (account(anna).balance, account(anna).lifetime_points) == (15, 15)
    # The last purchase that counts is now the older one.
    assert account(anna).last_purchase_at.date() == (timezone.now() - datetime.timedelta(3)).date()


def test_a_cancelled_or_trashed_purchase_gives_its_points_back(
    program, anna, admin_user, buy, committed
):
    cancelled = buy(anna, "10", actor=admin_user)
    trashed = buy(anna, "20", actor=admin_user)

    committed(sales.update_purchase, cancelled, actor=admin_user, status="cancelled")
    committed(sales.delete_purchases, [trashed], actor=admin_user)

    assert sorted(ledger(anna)) == sorted(
        [
            (PointsKind.PURCHASE, 15),
            (PointsKind.PURCHASE, 30),
            (PointsKind.REVERSAL, -15),
            (PointsKind.REVERSAL, -30),
        ]
    )
    assert account(anna).balance == 0
    assert account(anna).last_purchase_at is None


def test_the_catch_up_job_reverses_refunds_it_missed(program, anna, admin_user, buy):
    purchase = buy(anna, "10", actor=admin_user)
    Purchase.all_objects.filter(pk=purchase.pk).update(status="refunded")  # no event

    assert points.catch_up() == {"awarded": 0, "reversed": 1}
    assert account(anna).balance == 0


def test_the_catch_up_counts_purchases_of_many_customers_in_batches(program, admin_user):
    people = [
        contact_services.create_contact(actor=admin_user, first_name=f"Client {n}")
        for n in range(5)
    ]
    purchases = [imported(person, n) for n, person in enumerate(people * 3, start=1)]
    bulk.create_records(Purchase, purchases, actor=admin_user)

    assert points.catch_up(batch_size=4) == {"awarded": 15, "reversed": 0}
    # Person n bought n, n+5 and n+10 at 1.5 points each, rounded down per purchase: the
    # first 1 + 9 + 16.
    assert [account(person).balance for person in people] == [26, 31, 35, 40, 44]


def test_tiers_go_up_and_down_with_lifetime_points(program, anna, admin_user, buy, committed):
    silver = loyalty.save_tier(actor=admin_user, name="Silver", min_points=50)
    gold = loyalty.save_tier(actor=admin_user, name="Gold", min_points=150)
    first = buy(anna, "40", actor=admin_user)  # 60
    assert account(anna).tier == silver

    second = buy(anna, "80", actor=admin_user)  # 120: 180 in all
    assert account(anna).tier == gold

    committed(sales.update_purchase, second, actor=admin_user, status="refunded")
    assert account(anna).tier == silver
    committed(sales.update_purchase, first, actor=admin_user, status="refunded")
    assert account(anna).tier is None


def test_spending_points_does_not_lower_the_tier(program, anna, admin_user, buy):
    silver = loyalty.save_tier(actor=admin_user, name="Silver", min_points=50)
    reward = loyalty.save_reward(actor=admin_user, name="Tote bag", points_cost=50)
    buy(anna, "40", actor=admin_user)

    loyalty.redeem_reward(anna, reward, actor=admin_user)

    assert (account(anna).balance, account(anna).lifetime_points) == (10, 60)
    assert account(anna).tier == silver


def test_changing_tiers_moves_every_account(program, anna, admin_user, buy):
    buy(anna, "40", actor=admin_user)  # 60
    bronze = loyalty.save_tier(actor=admin_user, name="Bronze", min_points=10)
    assert account(anna).tier == bronze

    loyalty.save_tier(bronze, actor=admin_user, min_points=100)
    assert account(anna).tier is None
    loyalty.save_tier(bronze, actor=admin_user, min_points=60)
    assert account(anna).tier == bronze
    loyalty.delete_tier(bronze, actor=admin_user)
    assert account(anna).tier is None


def test_old_points_expire_oldest_spent_first(program, anna, admin_user, buy):
    loyalty.update_program(actor=admin_user, expiry_days=365)
    reward = loyalty.save_reward(actor=admin_user, name="Coffee", points_cost=20)
    buy(anna, "40", actor=admin_user)  # 60
    loyalty.redeem_reward(anna, reward, actor=admin_user)  # 40 left, from those 60
    PointsEntry.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    buy(anna, "10", actor=admin_user)  # 15, recent

    assert points.expire_points() == 1
    assert points.expire_points() == 0  # nothing left to expire

    assert ledger(anna)[-1] == (PointsKind.EXPIRY, -40)
    assert (account(anna).balance, account(anna).lifetime_points) == (15, 75)


def test_points_never_expire_without_an_expiry(program, anna, admin_user, buy):
    buy(anna, "40", actor=admin_user)
    PointsEntry.objects.update(created_at=timezone.now() - datetime.timedelta(days=4000))

    assert points.expire_points() == 0
    assert account(anna).balance == 60


def test_reversed_old_points_do_not_expire_twice(program, anna, admin_user, buy, committed):
    loyalty.update_program(actor=admin_user, expiry_days=30)
    old = buy(anna, "40", actor=admin_user)  # 60
    PointsEntry.objects.update(created_at=timezone.now() - datetime.timedelta(days=40))
    buy(anna, "10", actor=admin_user)  # 15
    committed(sales.update_purchase, old, actor=admin_user, status="refunded")

    assert points.expire_points() == 0
    assert account(anna).balance == 15


def test_program_statuses_decide_what_earns(program, anna, admin_user, buy):
    loyalty.update_program(actor=admin_user, earning_statuses=["completed", "refunded"])
    buy(anna, "10", actor=admin_user, status="refunded")

    assert ledger(anna) == [(PointsKind.PURCHASE, 15)]
    assert LoyaltyProgram.current().earning_statuses == ["completed", "refunded"]
