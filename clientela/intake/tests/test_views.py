"""Assignment rule pages: managers create, change and delete rules; others may not."""

import pytest
from django.urls import reverse

from clientela.intake.models import AssignmentRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, make_user):
    client.force_login(make_user("manager"))
    return client


def test_a_manager_creates_a_rule_from_the_form(manager, make_user):
    ana = make_user("sales", username="ana")

    response = manager.post(
        reverse("intake:rule_create"),
        {
            "name": "Catalonia",
            "record_type": "contact",
            "active": "on",
            "position": "0",
            "countries": "es, ad",
            "postcode_prefixes": "08, 17, 25, 43",
            "sources": ["web_form", "event"],
            "strategy": "user",
            "user": ana.pk,
        },
    )

    assert response["Location"] == reverse("intake:rule_list")
    rule = AssignmentRule.objects.get()
    assert (rule.countries, rule.postcode_prefixes, rule.sources, rule.user) == (
        ["ES", "AD"],
        ["08", "17", "25", "43"],
        ["web_form", "event"],
        ana,
    )
    page = manager.get(reverse("intake:rule_list")).content.decode()
    assert "Catalonia" in page
    assert "08, 17, 25, 43" in page


def test_a_round_robin_rule_needs_a_team(manager):
    response = manager.post(
        reverse("intake:rule_create"),
        {"name": "RR", "record_type": "deal", "position": "0", "strategy": "round_robin"},
    )

    assert response.status_code == 400
    assert "Choose the team whose members get the records." in response.content.decode()
    assert not AssignmentRule.objects.exists()


def test_salespeople_cannot_see_or_change_rules(client, make_user):
    client.force_login(make_user("sales"))

    assert client.get(reverse("intake:rule_list")).status_code == 403
    assert client.post(reverse("intake:rule_create"), {"name": "x"}).status_code == 403
    page = client.get(reverse("contacts:contact_list")).content.decode()
    assert "Assignment rules" not in page
