"""What each contact and company bought, kept on the record: refreshed by every write of a
purchase (recorded, refunded, moved, trashed, restored, merged away) and counted for existing
data by the migration's rebuild."""

import datetime
from decimal import Decimal

import pytest

from clientela.contacts import services as contact_services
from clientela.contacts.models import Company, Contact
from clientela.sales import rollups, services
from clientela.sales.models import Purchase

pytestmark = pytest.mark.django_db
JAN = datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)
MAR = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


def buy(actor, contact, when, total, **fields):
    purchase, _created = services.record_purchase(
        actor=actor, contact=contact, purchased_at=when, total_amount=total, **fields
    )
    return purchase


def rollup(record):
    record = type(record).all_objects.get(pk=record.pk)
    return (
        record.purchase_count,
        record.purchase_total,
        record.first_purchase_at,
        record.last_purchase_at,
    )


NOTHING = (0, Decimal(0), None, None)


def test_recording_purchases_counts_them_on_the_contact_and_the_company(admin_user, customer):
    buy(admin_user, customer, JAN, "100.50", company=customer.company)
    buy(admin_user, customer, MAR, "20")

    assert rollup(customer) == (2, Decimal("120.50"), JAN, MAR)
    assert rollup(customer.company) == (1, Decimal("100.50"), JAN, JAN)


def test_a_refund_or_a_cancelled_order_is_not_a_purchase(admin_user, customer):
    first = buy(admin_user, customer, JAN, "100")
    buy(admin_user, customer, MAR, "30", status="cancelled")

    services.update_purchase(first, actor=admin_user, status="refunded")

    assert rollup(customer) == NOTHING


def test_a_purchase_moved_to_another_contact_leaves_the_first_one(admin_user, customer):
    other = contact_services.create_contact(actor=admin_user, first_name="Pau")
    purchase = buy(admin_user, customer, JAN, "40")

    services.update_purchase(purchase, actor=admin_user, contact=other)

    assert rollup(customer) == NOTHING
    assert rollup(other) == (1, Decimal("40.00"), JAN, JAN)


def test_trashing_and_restoring_a_purchase(admin_user, customer):
    purchase = buy(admin_user, customer, JAN, "40")
    buy(admin_user, customer, MAR, "10")

    services.delete_purchases([purchase], actor=admin_user)
    assert rollup(customer) == (1, Decimal("10.00"), MAR, MAR)

    services.restore_purchases([purchase], actor=admin_user)
    assert rollup(customer) == (2, Decimal("50.00"), JAN, MAR)


def test_merging_contacts_moves_what_they_bought(admin_user, customer):
    other = contact_services.create_contact(actor=admin_user, first_name="Núria", last_name="P.")
    buy(admin_user, customer, MAR, "10")
    buy(admin_user, other, JAN, "5")

    contact_services.merge_contacts(customer, other, actor=admin_user)

    assert rollup(customer) == (2, Decimal("15.00"), JAN, MAR)
    assert rollup(other) == NOTHING  # in the trash, and restorable with nothing bought


def test_rebuild_counts_purchases_written_without_the_services(admin_user, customer):
    buy(admin_user, customer, JAN, "40")
    Purchase.objects.filter(contact=customer).update(total_base=Decimal("41"))
    Contact.all_objects.update(purchase_count=7)
    Company.all_objects.update(purchase_count=7)

    rollups.rebuild(Contact, batch=1)
    rollups.rebuild(Company)

    assert rollup(customer) == (1, Decimal("41.00"), JAN, JAN)
    assert rollup(customer.company) == NOTHING
