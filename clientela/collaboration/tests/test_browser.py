"""Collaboration in a real browser (Debian's Chromium, Playwright, the live test server): an
agent mentions the sales team with the autocomplete, the owner sees the bell's count and opens
the notification; a customer answers a survey from its signed link, and a reused or forged
link is refused. No page may log a script error or a Content-Security-Policy violation."""

import re

import pytest
from django.urls import reverse

from clientela.collaboration.choices import SurveyKind
from clientela.collaboration.models import Survey
from clientela.collaboration.services import feedback

PASSWORD = "Browser-pass-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Everything is created before the browser starts (see support's browser tests: ORM calls made
# while Playwright runs would hold a connection nobody closes).


@pytest.fixture
def people(make_user, sales):
    owner = make_user(
        "sales", username="jordi.ferrer", teams=[sales], scope="own", password=PASSWORD
    )
    owner.first_name, owner.last_name = "Jordi", "Ferrer"
    owner.save()
    agent = make_user("service", username="elena", scope="all", password=PASSWORD)
    return agent, owner


@pytest.fixture
def survey_link(admin_user, people, sales):
    from clientela.contacts import services as contact_services

    _agent, owner = people
    contact = contact_services.create_contact(
        actor=admin_user, first_name="Ona", owner=owner, team=sales, language="en"
    )
    survey = Survey.objects.create(name="NPS", kind=SurveyKind.NPS, questions=["Why?"])
    return contact, feedback.path(feedback.invite(survey, contact))


def sign_in(page, url, username):
    from playwright.sync_api import expect

    page.goto(url + reverse("core:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#global-search")).to_be_visible()


def test_a_mention_with_the_autocomplete_reaches_the_bell(
    live_server, people, survey_link, browser_page
):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    contact, _link = survey_link
    contact_url = url + reverse("contacts:contact_detail", args=[contact.pk])
    sign_in(page, url, "elena")
    page.goto(contact_url)

    box = page.locator("#comment-body")
    box.click()
    box.press_sequentially("They want to upgrade, @ven")
    suggestions = page.locator(".mention-list")
    expect(suggestions.get_by_role("option").first).to_contain_text("@ventas")
    box.press("Enter")
    expect(box).to_have_value("They want to upgrade, @ventas ")
    box.press_sequentially("and @jor")
    jordi = suggestions.get_by_role("option", name=re.compile("jordi.ferrer"))
    expect(jordi).to_be_visible()
    jordi.click()
    expect(box).to_have_value("They want to upgrade, @ventas and @jordi.ferrer ")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".comment__body").last).to_contain_text("@jordi.ferrer")

    page.context.clear_cookies()
    sign_in(page, url, "jordi.ferrer")
    bell = page.locator(".bell")
    expect(bell).to_contain_text("1")
    bell.click()
    page.get_by_role("link", name=re.compile("Ona")).first.click()
    page.wait_for_url(contact_url)
    expect(page.locator(".bell")).not_to_contain_text("1")
    assert page.console_errors == []


def test_a_survey_answered_once_from_its_signed_link(live_server, survey_link, browser_page):
    from playwright.sync_api import expect

    page, url = browser_page, live_server.url
    _contact, link = survey_link

    page.goto(url + link)
    expect(page.get_by_text("How likely are you to recommend us")).to_be_visible()
    page.get_by_label("9", exact=True).check()
    page.get_by_label("Why?").fill("Quick and kind")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()

    page.goto(url + link)  # reused
    expect(page.get_by_role("alert")).to_contain_text("already been answered")
    token = link.rstrip("/").rsplit("/", 1)[1]
    page.goto(url + link.replace(token, token[:-3] + "xyz"))  # forged
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    # The two refusals answer 410 (Gone), which the browser logs; nothing else may be logged.
    assert [e for e in page.console_errors if "status of 410" not in e] == []
