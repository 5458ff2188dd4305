"""Workflow rule pages without JavaScript: create with errors shown where they are, the list,
the detail with its dry run and run log, turning off, deleting; roles without automation
writes get 403."""

import json

import pytest
from django.test import Client

from clientela.automation import services
from clientela.automation.models import WorkflowRule, WorkflowRun
from clientela.contacts import services as contact_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def form(**fields):
    return {
        "name": "Welcome",
        "active": "on",
        "entity": "contact",
        "trigger": "field_changed",
        "watched_field": "city",
        "conditions": "",
        "actions": json.dumps([{"kind": "tag", "add": ["moved"]}]),
        **fields,
    }


def test_a_rule_made_on_the_page_is_saved_with_its_trigger_options(browser):
    answer = browser.post("/automation/rules/new/", form())
    rule = WorkflowRule.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/automation/rules/{rule.pk}/"
    assert (rule.trigger_options, rule.actions) == (
        {"field": "city"},
        [{"kind": "tag", "add": ["moved"], "remove": []}],
    )
    listed = browser.get("/automation/rules/")
    assert "Welcome" in listed.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"watched_field": "password"}, "Choose a field of this record type."),
        ({"actions": "[{"}, "This is not valid JSON."),
        ({"actions": '{"kind": "tag"}'}, "This JSON has the wrong shape."),
        ({"actions": json.dumps([{"kind": "tag"}])}, "Name a tag to add or remove."),
        (
            {"conditions": json.dumps({"op": "and", "rules": [{"field": "x", "operator": "eq"}]})},
            "Unknown field.",
        ),
        ({"actions": "[" + "1," * 40000 + "1]"}, "Ensure this value has at most"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_saved(browser, fields, message):
    answer = browser.post("/automation/rules/new/", form(**fields))
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert WorkflowRule.objects.count() == 0


def test_the_detail_shows_the_dry_run_and_the_log_filtered(browser, admin_user):
    rule = services.create_rule(
        actor=admin_user,
        **{
            "name": "Vic",
            "entity": "contact",
            "trigger": "created",
            "conditions": {
                "op": "and",
                "rules": [{"field": "city", "operator": "eq", "value": "Vic"}],
            },
            "actions": [{"kind": "tag", "add": ["x"]}],
        },
    )
    contact_services.create_contact(
        actor=admin_user, first_name="Pere", last_name="Vila", city="Vic"
    )
    WorkflowRun.objects.create(
        rule=rule, entity="contact", record_id=1, status="failed", error="Boom"
    )
    page = browser.get(f"/automation/rules/{rule.pk}/?dry_run=1").content.decode()
    assert "1 record matches." in page
    assert "Pere Vila" in page
    assert "Boom" in page
    filtered = browser.get(f"/automation/rules/{rule.pk}/?status=succeeded").content.decode()
    assert "Boom" not in filtered


def test_turn_off_and_delete(browser, admin_user):
    rule = services.create_rule(
        actor=admin_user,
        name="R",
        entity="contact",
        trigger="created",
        actions=[{"kind": "tag", "add": ["x"]}],
    )
    browser.post(f"/automation/rules/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert rule.active is False
    assert browser.post(f"/automation/rules/{rule.pk}/delete/").status_code == 302
    assert WorkflowRule.objects.count() == 0


@pytest.mark.parametrize("role", ["sales", "marketing", "service", "read_only"])
def test_roles_without_automation_writes_get_403(make_user, admin_user, role):
    rule = services.create_rule(
        actor=admin_user,
        name="R",
        entity="contact",
        trigger="created",
        actions=[{"kind": "tag", "add": ["x"]}],
    )
    client = Client()
    client.force_login(make_user(role))
    for url in ("/automation/rules/", "/automation/rules/new/", f"/automation/rules/{rule.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/automation/rules/{rule.pk}/toggle/").status_code == 403
