"""The rule builder in a real browser (Debian's Chromium, Playwright, the live test server):
conditions and a nested group are built with the script, the live count follows, and saving
stores the tree (the segment's page says it in words). No script error, no
Content-Security-Policy violation."""

import pytest
from django.urls import reverse

from . import world as w

PASSWORD = "Browser-pass-123"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marketer(make_user):
    user = make_user("marketing", username="mia", password=PASSWORD)
    w.contact("Ana", region="Girona", lifecycle_stage="customer")
    w.contact("Bea", region="Girona", lifecycle_stage="lead")
    w.contact("Cai", region="Madrid", lifecycle_stage="customer")
    return user


def test_build_a_segment_with_the_script(live_server, marketer, browser_page):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    page.goto(url + reverse("core:login"))
    page.fill("#id_username", "mia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url + reverse("marketing:segment_create"))
    page.fill("#id_name", "Girona customers")

    builder = page.locator("[data-rule-tree]")
    expect(builder).to_be_visible()
    expect(page.locator("[data-rule-rows]")).to_be_hidden()
    builder.get_by_role("button", name="Add condition").first.click()
    builder.get_by_label("Field").first.select_option("region")
    builder.get_by_label("Value").first.fill("Girona")
    status = page.locator("[data-live-count]")
    expect(status).to_have_text("2 contacts match.")

    builder.get_by_role("button", name="Add group").first.click()
    group = builder.locator("fieldset fieldset")
    group.get_by_label("Field").select_option("lifecycle_stage")
    group.get_by_label("Value").select_option("customer")
    expect(status).to_have_text("1 contact matches.")

    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{url}/marketing/segments/*/")
    assert page.console_errors == []
    # The detail page (read by the browser: no ORM call while it runs) says the tree.
    expect(
        page.get_by_text("Region / province is Girona and (Lifecycle stage is Customer)")
    ).to_be_visible()
    expect(page.locator("[data-segment-count]")).to_have_text("1")
