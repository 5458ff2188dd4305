"""Deal pages: list, detail, create and edit through the form, permissions."""

import pytest
from django.urls import reverse

from clientela.sales import services
from clientela.sales.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller)
    return client


def test_list_shows_deals_with_stage_amount_and_close_date(signed_in, stages, seller, customer):
    services.create_deal(
        actor=seller,
        name="Cava for the summer",
        amount="1500",
        company=customer.company,
        owner=seller,
    )

    html = signed_in.get(reverse("sales:deal_list")).content.decode()

    assert "Cava for the summer" in html
    assert ">Vins Puig SL</a>" in html
    assert "Qualification" in html
    assert "1500.00 EUR" in html


def test_detail_shows_contacts_stage_history_and_record_history(
    signed_in, stages, seller, customer
):
    deal = services.create_deal(
        actor=seller, name="Cava", contacts=[(customer, "champion")], owner=seller
    )
    services.move_deal(deal, stages["Proposal"], actor=seller)

    html = signed_in.get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()

    assert 'Núria Puig</a> <span class="muted small">Champion</span>' in html
    assert "Qualification → <strong>Proposal</strong>" in html
    assert "40% likely" in html


def test_creating_a_deal_through_the_form(signed_in, stages, seller):
    response = signed_in.post(
        reverse("sales:deal_create"),
        {
            "name": "Olive oil for export",
            "amount": "2500.00",
            "currency": "EUR",
            "expected_close_date": "2026-12-31",
            "forecast_category": "commit",
            "owner": seller.pk,
            "tags": "export",
        },
    )

    deal = Deal.objects.get()
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk])
    assert (deal.stage, deal.forecast_category, deal.owner) == (
        stages["Qualification"],
        "commit",
        seller,
    )


def test_a_stage_of_another_pipeline_in_the_form_is_a_field_error(
    signed_in, stages, other_pipeline, seller
):
    response = signed_in.post(
        reverse("sales:deal_create"),
        {
            "name": "Mixed up",
            "amount": "10",
            "currency": "EUR",
            "pipeline": stages["Proposal"].pipeline_id,
            "stage": other_pipeline.stages.first().pk,
            "forecast_category": "pipeline",
        },
    )

    assert "This stage belongs to another pipeline." in response.content.decode()
    assert not Deal.objects.exists()


def test_people_without_sales_access_cannot_see_deals(client, make_user, stages, seller):
    from clientela.core.models import Role

    role = Role.objects.get(code="service")
    role.access = {"contacts": "write"}
    role.save()
    client.force_login(make_user("service"))

    assert client.get(reverse("sales:deal_list")).status_code == 403


def test_the_company_is_picked_by_typing_its_name(client, admin_user, stages, customer):
    client.force_login(admin_user)

    response = client.post(
        reverse("sales:deal_create"),
        {
            "name": "Cava",
            "company_search": "vins puig sl",
            "amount": "10",
            "currency": "EUR",
            "forecast_category": "pipeline",
        },
    )

    assert response.status_code == 302
    assert Deal.objects.get().company == customer.company
    html = client.get(reverse("sales:deal_create")).content.decode()
    assert "Vins Puig SL</option>" not in html


def test_a_lead_is_qualified_from_its_page_into_a_new_deal(signed_in, stages, seller, customer):
    from clientela.contacts import services as contact_services

    contact_services.update_contact(customer, actor=seller, owner=seller)
    page = signed_in.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()
    assert "Create a deal" in page

    response = signed_in.post(reverse("sales:qualify", args=[customer.pk]))

    deal = Deal.objects.get()
    assert response["Location"] == reverse("sales:deal_edit", args=[deal.pk])
    assert (deal.name, deal.owner) == ("Deal with Núria Puig", seller)
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "opportunity"


def test_readers_cannot_qualify_and_see_no_button(client, make_user, customer):
    client.force_login(make_user("marketing"))

    page = client.get(reverse("contacts:contact_detail", args=[customer.pk])).content.decode()
    assert "Create a deal" not in page
    assert client.post(reverse("sales:qualify", args=[customer.pk])).status_code == 403
    assert not Deal.objects.exists()
