"""Merging duplicates: nothing linked to either record is lost."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from clientela.activities import services as activity_services
from clientela.activities.models import Activity
from clientela.contacts import services
from clientela.contacts.models import Company, Contact
from clientela.core.history import history_for
from clientela.sales import services as sales_services
from clientela.sales.models import Deal, DealContact, Purchase


@pytest.fixture
def pair(admin_user):
    keep = services.create_contact(
        actor=admin_user,
        first_name="José",
        last_name="García",
        job_title="Buyer",
        emails=["jose@example.es"],
        phones=["600123456"],
        tags=["wine"],
    )
    other = services.create_contact(
        actor=admin_user,
        first_name="Pepe",
        last_name="García",
        second_last_name="López",
        job_title="Head buyer",
        emails=["pepe@example.es", "JOSE@example.es"],
        phones=["+34 600 123 456", "611222333"],
        tags=["wine", "vip"],
    )
    return keep, other


def test_merge_moves_emails_phones_and_tags(admin_user, pair):
    keep, other = pair

    services.merge_contacts(keep, other, actor=admin_user)

    keep.refresh_from_db()
    assert sorted(keep.emails.values_list("email", flat=True)) == [
        "jose@example.es",
        "pepe@example.es",
    ]
    assert sorted(keep.phones.values_list("number", flat=True)) == ["+34600123456", "+34611222333"]
    assert keep.emails.filter(is_primary=True).count() == 1
    assert sorted(keep.tags.values_list("name", flat=True)) == ["vip", "wine"]


def test_merge_takes_the_chosen_field_values(admin_user, pair):
    keep, other = pair

    services.merge_contacts(
        keep,
        other,
        actor=admin_user,
        values={"second_last_name": "other", "job_title": "keep", "first_name": "keep"},
    )

    keep.refresh_from_db()
    assert (keep.first_name, keep.second_last_name, keep.job_title) == ("José", "López", "Buyer")


def test_merge_sends_the_other_to_the_trash_and_both_histories_say_so(admin_user, pair):
    keep, other = pair

    services.merge_contacts(keep, other, actor=admin_user)

    assert Contact.objects.filter(pk=other.pk).exists() is False
    assert Contact.all_objects.get(pk=other.pk).deleted_at is not None
    assert history_for(keep)[0].changes["merged"] == [None, f"Pepe García López (#{other.pk})"]
    assert history_for(other)[0].changes["merged_into"] == [None, f"José García (#{keep.pk})"]
    assert history_for(other).filter(action="create").count() == 1


def test_merge_keeps_every_activity_deal_and_purchase(admin_user, pair):
    keep, other = pair
    deal = sales_services.create_deal(actor=admin_user, name="Cava 2026", contacts=[other])
    purchase, _ = sales_services.record_purchase(
        actor=admin_user, contact=other, purchased_at=datetime.date(2026, 1, 5), total_amount=50
    )
    note = activity_services.log_activity(
        actor=admin_user, kind="note", body="Likes cava", contact=other
    )
    meeting = activity_services.log_activity(
        actor=admin_user,
        kind="meeting",
        subject="Tasting",
        starts_at=datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC),
        attendee_contacts=[other],
    )

    services.merge_contacts(keep, other, actor=admin_user)

    assert list(Deal.objects.filter(contacts=keep)) == [deal]
    assert Purchase.objects.get(pk=purchase.pk).contact_id == keep.pk
    assert Activity.objects.get(pk=note.pk).contact_id == keep.pk
    assert list(Activity.objects.get(pk=meeting.pk).attendee_contacts.all()) == [keep]


def test_a_deal_linked_to_both_contacts_ends_with_one_link(admin_user, pair):
    keep, other = pair
    deal = sales_services.create_deal(actor=admin_user, name="Cava 2026", contacts=[keep, other])

    services.merge_contacts(keep, other, actor=admin_user)

    assert list(DealContact.objects.filter(deal=deal).values_list("contact_id", flat=True)) == [
        keep.pk
    ]


def test_merging_companies_moves_contacts_and_deals(admin_user):
    keep = services.create_company(actor=admin_user, name="Acme SL", tax_id="B12345674")
    other = services.create_company(actor=admin_user, name="ACME", domain="acme.es")
    person = services.create_contact(
        actor=admin_user, first_name="Ana", last_name="Vidal", company=other
    )
    deal = sales_services.create_deal(actor=admin_user, name="Big one", company=other)

    services.merge_companies(keep, other, actor=admin_user, values={"domain": "other"})

    keep.refresh_from_db()
    assert keep.domain == "acme.es"
    assert Contact.objects.get(pk=person.pk).company_id == keep.pk
    assert Deal.objects.get(pk=deal.pk).company_id == keep.pk
    assert list(person.employments.values_list("company_id", flat=True)) == [keep.pk]
    assert Company.objects.filter(pk=other.pk).exists() is False


def test_merge_refuses_unknown_fields_and_itself(admin_user, pair):
    keep, other = pair
    with pytest.raises(ValidationError):
        services.merge_contacts(keep, other, actor=admin_user, values={"sort_name": "other"})
    with pytest.raises(ValidationError):
        services.merge_contacts(keep, keep, actor=admin_user)
    assert Contact.objects.filter(pk=other.pk).exists() is True
