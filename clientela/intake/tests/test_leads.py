"""Leads from any door: values checked, people recognised, nothing the team knows overwritten."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts import services as contact_services
from clientela.intake.services import leads

pytestmark = pytest.mark.django_db
WEB = {"source": "web_form", "source_detail": "Test", "language": "es"}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.500", "1500.00"),
        ("1.500,50 €", "1500.50"),
        ("1,500.50", "1500.50"),
        ("1500,5", "1500.50"),
        ("EUR 12.5", "12.50"),
        ("12.345.678", "12345678.00"),
    ],
)
def test_amounts_are_read_the_spanish_or_the_english_way(typed, amount):
    assert leads.parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["1e9", "-5", "NaN", "1.5.0", "9" * 20, "=1+1", "diez"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(ValueError):
        leads.parse_amount(typed)


def test_values_are_normalised_and_bad_ones_named():
    assert leads.clean_values({"email": " Ana@Example.COM ", "phone": "600 123 456"}) == {
        "email": "ana@example.com",
        "phone": "+34600123456",
    }
    with pytest.raises(ValidationError) as error:
        leads.clean_values({"phone": "12", "first_name": "x" * 101, "deal_amount": "mucho"})
    assert set(error.value.message_dict) == {"phone", "first_name", "deal_amount"}
    with pytest.raises(ValidationError) as error:
        leads.clean_values({"first_name": "Ana"})
    assert "email" in error.value.message_dict  # neither an address nor a number


def test_a_lead_with_only_a_phone_finds_its_contact_and_fills_what_is_missing(admin_user):
    known = contact_services.create_contact(
        actor=admin_user, first_name="Pere", city="Reus", phones=["+34600123456"]
    )

    contact, created = leads.upsert_contact(
        {"phone": "+34600123456", "city": "Tarragona", "job_title": "Gerent"}, **WEB
    )

    assert (contact.pk, created) == (known.pk, False)
    assert (contact.city, contact.job_title) == ("Reus", "Gerent")


def test_a_lead_with_an_address_is_not_taken_for_whoever_shares_its_phone(admin_user):
    contact_services.create_contact(
        actor=admin_user, first_name="Centraleta", phones=["+34977123456"]
    )

    contact, created = leads.upsert_contact(
        {"email": "laia@example.com", "phone": "+34977123456"}, **WEB
    )

    assert created and contact.first_name == "laia"
