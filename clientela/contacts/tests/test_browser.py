"""The contact pages in a real browser: Debian's Chromium driven by Playwright against the live
test server — sign in, create, find through the header search, edit, delete, restore, and switch
the interface to Catalan; choose a contact's company with the keyboard in its picker."""

import re
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from clientela.core.models import Role, User

PASSWORD = "Browser-pass-123"
SCREENSHOTS = Path(tempfile.gettempdir())

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def person(db):
    role = Role.objects.get(code="admin")
    return User.objects.create_user(
        username="marta",
        password=PASSWORD,
        first_name="Marta",
        last_name="Puig",
        role=role,
        language="en",
    )


def catalan(text):
    with translation.override("ca"):
        return translation.gettext(text)


def test_contact_life_cycle_in_the_browser(live_server, person, browser_page):
    # ``person`` is created before the browser starts: ORM calls made while Playwright runs
    # get a connection of their own that nobody closes, which keeps PostgreSQL from dropping
    # the test database. From here on, the test only talks to the browser.
    from playwright.sync_api import expect

    page = browser_page
    url = live_server.url

    # Sign in through the real form.
    page.goto(url + reverse("core:login"))
    page.fill("#id_username", "marta")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#global-search")).to_be_visible()

    # Create a contact with an e-mail and a phone.
    page.goto(url + reverse("contacts:contact_create"))
    page.fill("#id_first_name", "Zacarías")
    page.fill("#id_last_name", "Quintanilla")
    page.fill("#id_emails-0-email", "zq@example.com")
    page.fill("#id_phones-0-number", "600 12 34 56")
    page.fill("#id_tags", "vip, Girona")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Zacarías Quintanilla")
    detail_url = page.url
    assert re.search(r"/contacts/\d+/$", detail_url)
    expect(page.get_by_role("link", name="600 12 34 56")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "clientela_contact_detail.png"), full_page=True)

    page.goto(url + reverse("contacts:contact_list"))
    expect(page.get_by_role("link", name="Zacarías Quintanilla")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "clientela_contact_list.png"), full_page=True)

    # Find it by typing a prefix into the header search and clicking the suggestion.
    page.locator("#global-search").press_sequentially("quinta", delay=30)
    option = page.get_by_role("option").filter(has_text="Zacarías Quintanilla")
    expect(option).to_be_visible()
    option.click()
    page.wait_for_url(detail_url)

    # Edit it.
    page.get_by_role("link", name="Edit").click()
    page.fill("#id_job_title", "CTO")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(detail_url)
    expect(page.locator("dl.details").first).to_contain_text("CTO")

    # Delete it (to the trash), then restore it from the trash.
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Move to trash").click()
    page.wait_for_url(url + reverse("contacts:contact_list"))
    expect(page.get_by_role("link", name="Zacarías Quintanilla")).to_have_count(0)
    page.goto(url + reverse("contacts:trash"))
    page.get_by_role("button", name="Restore Zacarías Quintanilla").click()
    page.wait_for_url(detail_url)
    expect(page.locator("h1")).to_have_text("Zacarías Quintanilla")

    # Switch the interface to Catalan.
    page.locator('.language-switch button[name="language"][value="ca"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "ca")
    if catalan("Contacts") != "Contacts":  # only once the catalogues are compiled
        expect(page.locator("#main-nav")).to_contain_text(catalan("Contacts"))
    # The choice sticks (stored on the profile): the next page is in Catalan too.
    page.goto(url + reverse("contacts:company_list"))
    expect(page.locator("html")).to_have_attribute("lang", "ca")

    assert page.console_errors == []


@pytest.fixture
def company(person):
    from clientela.contacts import services

    return services.create_company(actor=person, name="Ferrer Logística", city="Reus")


def test_company_picker_chooses_with_the_keyboard_in_the_browser(
    live_server, person, company, browser_page
):
    # ``company`` is created before the browser starts, for the same reason as ``person``.
    from playwright.sync_api import expect

    page = browser_page
    url = live_server.url
    page.goto(url + reverse("core:login"))
    page.fill("#id_username", "marta")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#global-search")).to_be_visible()

    page.goto(url + reverse("contacts:contact_create"))
    page.fill("#id_first_name", "Núria")
    page.fill("#id_last_name", "Soler")
    picker = page.get_by_role("combobox", name="Company")
    picker.press_sequentially("ferr", delay=30)
    option = page.get_by_role("option").filter(has_text="Ferrer Logística")
    expect(option).to_be_visible()
    expect(option).to_contain_text("Reus")
    expect(picker).to_have_attribute("aria-expanded", "true")

    picker.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    picker.press("Enter")  # chooses the suggestion; does not submit the form nor navigate

    expect(picker).to_have_value("Ferrer Logística")
    expect(page.locator("#id_company")).to_have_value(str(company.pk))
    expect(page.locator("#id_company_listbox")).to_be_hidden()
    expect(picker).to_have_attribute("aria-expanded", "false")
    assert page.url == url + reverse("contacts:contact_create")

    # Typing again forgets the chosen id (the text decides until a suggestion is chosen);
    # Escape closes the suggestions.
    picker.press("Backspace")
    expect(page.locator("#id_company")).to_have_value("")
    expect(option).to_be_visible()
    picker.press("Escape")
    expect(page.locator("#id_company_listbox")).to_be_hidden()
    expect(picker).to_have_value("Ferrer Logístic")

    picker.fill("")
    picker.press_sequentially("ferr", delay=30)
    expect(option).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.locator("#id_company")).to_have_value(str(company.pk))

    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Núria Soler")
    assert re.search(r"/contacts/\d+/$", page.url)
    details = page.locator("dl.details").first
    expect(details.get_by_role("link", name="Ferrer Logística")).to_have_attribute(
        "href", reverse("contacts:company_detail", args=[company.pk])
    )

    assert page.console_errors == []
