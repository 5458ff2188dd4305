"""The pipeline board in a real browser: drag a deal to another stage, and move one with the
keyboard through its own form."""

import pytest
from django.urls import reverse

from clientela.core.models import Role, User
from clientela.sales import services

PASSWORD = "Browser-pass-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board_data(pipeline):
    """A signed-up seller and two deals, made before the browser starts (see conftest)."""
    seller = User.objects.create_user(
        username="laia", password=PASSWORD, role=Role.objects.get(code="sales"), language="en"
    )
    for name in ("Cava for the summer", "Olive oil export"):
        services.create_deal(actor=seller, name=name, owner=seller, amount="1000")
    return seller


def test_dragging_a_deal_moves_it_and_the_totals_follow(live_server, board_data, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(live_server.url + reverse("core:login"))
    page.fill("#id_username", "laia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + reverse("sales:deal_board"))

    negotiation = page.get_by_role("region", name="Negotiation")
    card = page.locator(".deal-card", has_text="Cava for the summer")
    card.drag_to(negotiation)

    expect(page.locator("[data-board-status]")).to_contain_text("moved to Negotiation")
    expect(negotiation.locator(".deal-card", has_text="Cava for the summer")).to_be_visible()
    expect(negotiation.locator("header")).to_contain_text("1 deal")
    qualification = page.get_by_role("region", name="Qualification")
    expect(qualification.locator("header")).to_contain_text("1 deal")

    # The keyboard way: the card's own form.
    other = qualification.locator(".deal-card", has_text="Olive oil export")
    other.get_by_label("Move to another stage: Olive oil export").select_option(label="Won")
    other.get_by_role("button", name="Move").click()
    won = page.get_by_role("region", name="Won")
    expect(won.locator(".deal-card", has_text="Olive oil export")).to_be_visible()

    assert page.console_errors == []
