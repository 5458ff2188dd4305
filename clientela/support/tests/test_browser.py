"""Customer service in a real browser: Debian's Chromium driven by Playwright against the live
test server — an agent answers a case from the queue with a canned reply, adds a note and
changes the status; customers sign in to the portal with an e-mailed link, see and answer their
own cases only; the help centre finds, shows and takes votes on an article. No page may log a
script error or a Content-Security-Policy violation."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from clientela.contacts import services as contact_services
from clientela.support.choices import CaseStatus
from clientela.support.models import ArticleStatus
from clientela.support.services import canned, cases, knowledge

PASSWORD = "Browser-pass-123"
LINK = re.compile(r"https?://[^/\s]+(/portal/in/\S+/)")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Everything the tests need is created by fixtures before the browser starts: ORM calls made
# while Playwright runs get a connection of their own that nobody closes, which keeps
# PostgreSQL from dropping the test database. From then on, the tests only talk to the browser.


@pytest.fixture
def agent(make_user):
    return make_user("service", username="agent", password=PASSWORD)


@pytest.fixture
def ana(agent):
    return contact_services.create_contact(
        actor=agent, first_name="Ana", last_name="Soler", emails=["ana@x.es"], language="en"
    )


@pytest.fixture
def jordi(agent):
    return contact_services.create_contact(
        actor=agent, first_name="Jordi", last_name="Vidal", emails=["jordi@x.es"], language="en"
    )


@pytest.fixture
def lamp_case(agent, ana):
    case = cases.create_case(
        actor=agent, subject="Lamp flickers", description="It flickers.", contact=ana, owner=agent
    )
    cases.add_note(case, "She is a difficult customer.", actor=agent)
    cases.reply_to_case(case, "Try a new bulb.", actor=agent)
    return case


@pytest.fixture
def jordi_case(agent, jordi):
    return cases.create_case(
        actor=agent, subject="Router is down", description="No light.", contact=jordi
    )


def sign_in_agent(page, url):
    from playwright.sync_api import expect

    page.goto(url + reverse("core:login"))
    page.fill("#id_username", "agent")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#global-search")).to_be_visible()


@pytest.fixture
def canned_reply(agent):
    return canned.save_canned_reply(
        actor=agent,
        title="Waiting for a photo",
        body="Hello {first_name}, could you send us a photo of {subject}?",
        set_status=CaseStatus.PENDING_CUSTOMER,
    )


def test_an_agent_answers_a_case_with_a_canned_reply_in_the_browser(
    live_server, lamp_case, jordi_case, canned_reply, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    url = live_server.url
    sign_in_agent(page, url)

    # The "My cases" queue lists her case, not the unassigned one.
    page.goto(url + reverse("support:case_list"))
    page.get_by_role("link", name="My cases").click()
    page.wait_for_url(re.compile(r"queue=mine"))
    expect(page.get_by_role("link", name=re.compile("Router is down"))).to_have_count(0)
    page.get_by_role("link", name=re.compile("Lamp flickers")).click()
    page.wait_for_url(url + reverse("support:case_detail", args=[lamp_case.pk]))
    thread = page.locator("#thread .thread")

    # Pick the canned reply: the form is filled in, placeholders replaced.
    page.select_option("#canned-choice", str(canned_reply.pk))
    expect(page.locator("#canned-choice option:checked")).to_contain_text("Waiting for a photo")
    page.get_by_role("button", name="Use").click()
    body = page.locator("#id_body")
    expect(body).to_have_value("Hello Ana, could you send us a photo of Lamp flickers?")
    body.fill("Hello Ana, could you send us a photo of the lamp, please?")
    page.get_by_label("Reply to the customer").check()
    page.get_by_label("Then set the status to").select_option(CaseStatus.PENDING_CUSTOMER)
    page.locator("#thread").get_by_role("button", name="Send").click()
    expect(page.locator(".message-success")).to_have_text("Reply sent.")
    expect(thread).to_contain_text("could you send us a photo of the lamp, please?")
    status = page.locator("dl.details dt:text-is('Status') + dd").first
    expect(status).to_have_text("Pending customer")

    # An internal note.
    page.get_by_label("Internal note").check()
    page.fill("#id_body", "Asked for a photo; check the warranty.")
    page.locator("#thread").get_by_role("button", name="Send").click()
    expect(page.locator(".thread__message--note").last).to_contain_text("check the warranty")

    # The status form.
    # (Its label names its own select: the message form's "status" has another id.)
    expect(page.locator("[id=id_status]")).to_have_count(1)
    page.get_by_label("Status", exact=True).select_option(CaseStatus.RESOLVED)
    page.get_by_role("button", name="Change").click()
    expect(page.locator(".message-success")).to_have_text("Status changed.")
    expect(status).to_have_text("Resolved")

    assert page.console_errors == []


def portal_link(address):
    """The path of the last sign-in link e-mailed to ``address`` (locmem backend)."""
    sent = [m for m in mail.outbox if address in m.to]
    return LINK.search(sent[-1].body).group(1)


def portal_sign_in(page, url, address):
    from playwright.sync_api import expect

    page.goto(url + reverse("portal:start"))
    page.get_by_label("Your e-mail address").fill(address)
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    # Opening the link (as a mail scanner would) signs nobody in: the button does.
    page.goto(url + portal_link(address))
    expect(page.locator("h1")).to_have_text("Customer portal")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + reverse("portal:cases"))


def test_customers_use_the_portal_in_the_browser(
    live_server, settings, lamp_case, jordi_case, browser_page
):
    from playwright.sync_api import expect

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = browser_page
    url = live_server.url
    portal_sign_in(page, url, "ana@x.es")

    # Only her own case, without the agents' internal note.
    expect(page.locator("h1")).to_have_text("Your requests")
    expect(page.get_by_role("link", name=re.compile("Router is down"))).to_have_count(0)
    page.get_by_role("link", name=re.compile("Lamp flickers")).click()
    case_url = page.url
    assert case_url.endswith(reverse("portal:case", args=[lamp_case.pk]))
    expect(page.locator(".thread")).to_contain_text("Try a new bulb.")
    expect(page.locator("body")).not_to_contain_text("difficult customer")

    # She answers it.
    page.get_by_label("Your answer").fill("A new bulb did not help.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you: your answer is with our team.")).to_be_visible()
    expect(page.locator(".thread__message--customer").last).to_contain_text("did not help")

    # And opens a new request.
    page.get_by_role("link", name="Your requests").click()
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Subject").fill("Wrong VAT on my invoice")
    page.get_by_label("How can we help?").fill("It says 10% instead of 21%.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_contain_text("Wrong VAT on my invoice")
    expect(page.get_by_text(re.compile("Thank you: we have your request"))).to_be_visible()
    page.get_by_role("link", name="Your requests").click()
    expect(page.get_by_role("link", name=re.compile("Wrong VAT"))).to_be_visible()
    assert page.console_errors == []

    # Another customer, in a browser context of their own, cannot open her case.
    other = page.context.browser.new_context(locale="en-GB")
    try:
        jordi_page = other.new_page()
        jordi_page.set_default_timeout(10_000)
        errors = []
        jordi_page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        jordi_page.on("pageerror", lambda error: errors.append(str(error)))
        portal_sign_in(jordi_page, url, "jordi@x.es")
        expect(jordi_page.get_by_role("link", name=re.compile("Router is down"))).to_be_visible()
        expect(jordi_page.get_by_role("link", name=re.compile("Lamp flickers"))).to_have_count(0)
        response = jordi_page.goto(case_url)
        assert response.status == 404
        expect(jordi_page.locator("body")).not_to_contain_text("Lamp flickers")
        # The only complaint is the browser's own note of the 404.
        assert all("404" in error for error in errors), errors
    finally:
        other.close()


@pytest.fixture
def article(agent):
    knowledge.create_article(
        actor=agent,
        title="Returning a lamp",
        body="Send it back **within 30 days**.\n\n- Keep the box\n- Keep the receipt",
        language="en",
        status=ArticleStatus.PUBLISHED,
    )
    knowledge.create_article(
        actor=agent,
        title="Lamp discounts for staff",
        body="Internal.",
        language="en",
        status=ArticleStatus.PUBLISHED,
        internal=True,
    )


def test_the_help_centre_finds_shows_and_takes_votes_in_the_browser(
    live_server, article, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    url = live_server.url
    page.goto(url + reverse("help:index"))
    page.get_by_role("searchbox").fill("lamp")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("h1")).to_contain_text("lamp")
    expect(page.get_by_role("link", name="Lamp discounts for staff")).to_have_count(0)
    page.get_by_role("link", name="Returning a lamp").click()

    expect(page.locator("h1")).to_have_text("Returning a lamp")
    expect(page.locator(".article-body strong")).to_have_text("within 30 days")
    expect(page.locator(".article-body li")).to_have_count(2)

    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_role("status")).to_have_text("Thank you for telling us.")
    expect(page.locator("h1")).to_have_text("Returning a lamp")
    assert page.console_errors == []
