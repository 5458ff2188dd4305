"""Deals through their services: stages and status, time in stage, lifecycle, money, history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.models import Contact
from clientela.core.models import ChangeRecord
from clientela.core.records import StaleRecord
from clientela.sales import services
from clientela.sales.models import Deal, DealStageChange

pytestmark = pytest.mark.django_db


def lifecycle_history(contact):
    return list(
        ChangeRecord.objects.filter(object_id=contact.pk, content_type__model="contact")
        .exclude(action="create")
        .values_list("changes", "source")
    )


def test_new_deal_starts_in_the_first_open_stage_of_the_default_pipeline(stages, seller, customer):
    deal = services.create_deal(
        actor=seller, name="Vins Puig renewal", amount="1200.50", contacts=[customer]
    )

    assert (deal.pipeline.name, deal.stage, deal.status) == (
        "New business",
        stages["Qualification"],
        "open",
    )
    assert deal.amount == Decimal("1200.50")
    assert deal.amount_base == Decimal("1200.50")
    assert deal.expected_close_date == datetime.date.today() + datetime.timedelta(days=30)
    assert list(
        DealStageChange.objects.filter(deal=deal).values_list("to_stage__name", flat=True)
    ) == ["Qualification"]
    assert (
        ChangeRecord.objects.get(object_id=deal.pk, content_type__model="deal").action == "create"
    )


def test_an_open_deal_makes_its_contacts_opportunities_recorded_as_automation(
    stages, seller, customer
):
    services.create_deal(actor=seller, name="First order", contacts=[customer])

    customer.refresh_from_db()
    assert customer.lifecycle_stage == "opportunity"
    assert lifecycle_history(customer) == [
        ({"lifecycle_stage": ["lead", "opportunity"]}, "automation")
    ]


def test_winning_closes_the_deal_and_makes_the_contacts_customers(stages, seller, customer):
    deal = services.create_deal(actor=seller, name="First order", contacts=[customer])

    deal = services.move_deal(deal, stages["Won"], actor=seller)

    assert (deal.status, deal.is_won) == ("won", True)
    assert deal.closed_at is not None
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "customer"
    moves = DealStageChange.objects.filter(deal=deal).order_by("changed_at", "id")
    assert [(m.from_stage and m.from_stage.name, m.to_stage.name) for m in moves] == [
        (None, "Qualification"),
        ("Qualification", "Won"),
    ]


def test_reopening_a_won_deal_clears_its_close_and_keeps_the_customer(stages, seller, customer):
    deal = services.create_deal(actor=seller, name="Order", contacts=[customer])
    deal = services.move_deal(deal, stages["Won"], actor=seller)

    deal = services.move_deal(deal, stages["Negotiation"], actor=seller)

    assert (deal.status, deal.closed_at) == ("open", None)
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "customer"  # the lifecycle never moves back


def test_losing_keeps_the_reason_and_the_lifecycle(stages, seller, customer):
    from clientela.sales.models import LostReason

    reason = LostReason.objects.get_or_create(name="Price")[0]
    deal = services.create_deal(actor=seller, name="Order", contacts=[customer])

    deal = services.move_deal(
        deal, stages["Lost"], actor=seller, lost_reason=reason, lost_note="Too dear"
    )

    assert (deal.status, deal.lost_reason, deal.lost_note) == ("lost", reason, "Too dear")
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "opportunity"


def test_evangelists_and_others_keep_their_lifecycle(stages, seller, admin_user):
    from clientela.contacts import services as contact_services

    fan = contact_services.create_contact(
        actor=admin_user, first_name="Fan", lifecycle_stage="evangelist"
    )
    other = contact_services.create_contact(
        actor=admin_user, first_name="Partner", lifecycle_stage="other"
    )
    deal = services.create_deal(actor=seller, name="Order", contacts=[fan, other])

    services.move_deal(deal, stages["Won"], actor=seller)

    assert dict(Contact.objects.values_list("first_name", "lifecycle_stage")) == {
        "Fan": "evangelist",
        "Partner": "other",
    }


def test_a_stage_of_another_pipeline_is_refused_and_nothing_changes(stages, other_pipeline, seller):
    deal = services.create_deal(actor=seller, name="Order")
    foreign = other_pipeline.stages.first()

    with pytest.raises(ValidationError) as error:
        services.move_deal(deal, foreign, actor=seller)

    assert error.value.message_dict == {"stage": ["This stage belongs to another pipeline."]}
    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["Qualification"], 1)
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_changing_pipeline_moves_to_its_first_stage(stages, other_pipeline, seller):
    deal = services.create_deal(actor=seller, name="Order")

    deal = services.update_deal(deal, actor=seller, pipeline=other_pipeline)

    assert (deal.pipeline, deal.stage.name) == (other_pipeline, "Due")


def test_two_people_moving_one_deal_at_once_the_second_is_refused(stages, seller):
    deal = services.create_deal(actor=seller, name="Order")
    seen_by_both = deal.version

    services.move_deal(deal, stages["Proposal"], actor=seller, expected_version=seen_by_both)
    with pytest.raises(StaleRecord):
        services.move_deal(deal, stages["Lost"], actor=seller, expected_version=seen_by_both)

    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stages["Proposal"], 2)


def test_time_in_stage_is_recorded_when_leaving_it(stages, seller):
    deal = services.create_deal(actor=seller, name="Order")
    Deal.objects.filter(pk=deal.pk).update(
        stage_entered_at=deal.stage_entered_at - datetime.timedelta(days=3)
    )

    services.move_deal(deal, stages["Proposal"], actor=seller)

    move = DealStageChange.objects.get(deal=deal, from_stage=stages["Qualification"])
    assert 3 * 86400 <= move.seconds_in_from_stage < 3 * 86400 + 60


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1e15"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"currency": "EUROS"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"expected_close_date": datetime.date(1, 1, 1)}, "expected_close_date"),
        ({"expected_close_date": datetime.date(9999, 12, 31)}, "expected_close_date"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_deal_input_is_refused_and_writes_nothing(stages, seller, fields, field):
    data = {"name": "Order", **fields}

    with pytest.raises(ValidationError) as error:
        services.create_deal(actor=seller, **data)

    assert field in error.value.message_dict
    assert not Deal.all_objects.exists()
    assert not ChangeRecord.objects.filter(content_type__model="deal").exists()


def test_another_currency_needs_a_rate_and_is_converted_with_the_rate_of_the_close_date(
    stages, seller, admin_user
):
    close = datetime.date(2026, 6, 30)
    with pytest.raises(ValidationError) as error:
        services.create_deal(
            actor=seller, name="US order", amount="1000", currency="usd", expected_close_date=close
        )
    assert "no exchange rate for USD" in error.value.message_dict["currency"][0]

    services.set_exchange_rate(
        actor=admin_user, currency="USD", valid_from=datetime.date(2026, 1, 1), rate="0.90"
    )
    services.set_exchange_rate(
        actor=admin_user, currency="USD", valid_from=datetime.date(2026, 7, 1), rate="0.80"
    )
    deal = services.create_deal(
        actor=seller, name="US order", amount="1000", currency="usd", expected_close_date=close
    )

    assert (deal.currency, deal.amount_base) == ("USD", Decimal("900.00"))
    deal = services.update_deal(deal, actor=seller, expected_close_date=datetime.date(2026, 7, 15))
    assert deal.amount_base == Decimal("800.00")


def test_qualifying_a_lead_creates_a_deal_with_them_as_decision_maker(stages, seller, customer):
    deal = services.qualify_contact(customer, actor=seller, amount="300")

    assert deal.name == "Deal with Núria Puig"
    assert (deal.owner, deal.company) == (seller, customer.company)
    assert list(deal.contact_links.values_list("contact_id", "role")) == [
        (customer.pk, "decision_maker")
    ]
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "opportunity"


def test_deal_history_shows_contacts_with_their_roles(stages, seller, customer, admin_user):
    from clientela.contacts import services as contact_services

    other = contact_services.create_contact(actor=admin_user, first_name="Pere")
    deal = services.create_deal(actor=seller, name="Order", contacts=[(customer, "champion")])

    services.update_deal(deal, actor=seller, contacts=[(customer, "champion"), (other, "billing")])

    change = ChangeRecord.objects.filter(object_id=deal.pk, content_type__model="deal").first()
    assert change.changes == {
        "contacts": [
            [f"{customer.pk} (champion)"],
            [f"{customer.pk} (champion)", f"{other.pk} (billing)"],
        ]
    }


def test_a_pipeline_needs_an_open_stage_and_one_won_at_most(admin_user, db):
    with pytest.raises(ValidationError):
        services.create_pipeline(actor=admin_user, name="Odd", stages=[("Won", 100, "won")])
    with pytest.raises(ValidationError):
        services.create_pipeline(
            actor=admin_user,
            name="Odd",
            stages=[("Open", 10, "open"), ("Won", 100, "won"), ("Won again", 100, "won")],
        )


@pytest.mark.django_db(transaction=True)
def test_renaming_the_company_keeps_its_deals_findable(admin_user):
    from clientela.contacts import services as contact_services
    from clientela.core import search

    services.create_pipeline(actor=admin_user, name="P", stages=[("Open", 10, "open")])
    company = contact_services.create_company(actor=admin_user, name="Vins Puig")
    services.create_deal(actor=admin_user, name="Summer order", company=company)

    contact_services.update_company(company, actor=admin_user, name="Cellers Montsant")

    found = search.search(admin_user, "montsant", entity_names=["deal"])
    assert [e.title for e in found] == ["Summer order"]
