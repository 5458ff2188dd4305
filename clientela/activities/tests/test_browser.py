"""Logging a call from a contact's page in a real browser, and seeing it on the timeline."""

import pytest
from django.urls import reverse

from clientela.contacts import services as contact_services
from clientela.core.models import Role, User

PASSWORD = "Browser-pass-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer():
    """A seller and their customer, made before the browser starts (see conftest)."""
    seller = User.objects.create_user(
        username="laia", password=PASSWORD, role=Role.objects.get(code="sales"), language="en"
    )
    company = contact_services.create_company(actor=seller, name="Vins Puig SL", owner=seller)
    return contact_services.create_contact(
        actor=seller, first_name="Núria", last_name="Puig", company=company, owner=seller
    )


def test_logging_a_call_from_a_contact_shows_it_on_the_timeline(
    live_server, customer, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(live_server.url + reverse("core:login"))
    page.fill("#id_username", "laia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    contact_url = live_server.url + reverse("contacts:contact_detail", args=[customer.pk])
    page.goto(contact_url)
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("No activities yet.")

    timeline.get_by_role("link", name="Log a call").click()
    expect(page.locator("h1")).to_have_text("New call")
    page.get_by_label("Subject").fill("Asked for the Christmas prices")
    page.get_by_label("Duration (minutes)").fill("12")
    page.get_by_label("Outcome").select_option(label="Connected")
    page.get_by_label("Description").fill("Wants 200 bottles\nbefore Friday")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(contact_url)
    expect(page.locator(".messages")).to_contain_text("logged")
    entry = timeline.locator(".activity").first
    expect(entry).to_contain_text("Asked for the Christmas prices")
    expect(entry).to_contain_text("12 min")
    expect(entry).to_contain_text("Connected")
    expect(entry.locator(".activity__body")).to_contain_text("before Friday")

    timeline.get_by_role("link", name="Calls").click()
    expect(timeline.locator(".activity")).to_have_count(1)
    assert page.console_errors == []
