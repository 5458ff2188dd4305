"""``/api/v1/assignment-rules/``."""

import pytest

from clientela.intake.models import AssignmentRule

pytestmark = pytest.mark.django_db
URL = "/api/v1/assignment-rules/"


def test_managers_create_rules_and_salespeople_read_them(api, make_user, make_team):
    team = make_team("Vendes")
    make_user("sales", username="ana", teams=[team])
    manager = api(make_user("manager"))

    created = manager.post(
        URL,
        {
            "name": "Web leads",
            "record_type": "contact",
            "sources": ["web_form"],
            "countries": ["es"],
            "strategy": "round_robin",
            "team": team.pk,
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["countries"] == ["ES"]
    reader = api(make_user("sales"))
    assert [r["name"] for r in reader.get(URL).json()["results"]] == ["Web leads"]
    assert reader.post(URL, {"name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "R", "record_type": "contact", "strategy": "user"},
        {"name": "R", "record_type": "invoice", "strategy": "user"},
        {"name": "R", "record_type": "contact", "strategy": "user", "countries": ["ESP"]},
        {"name": "R", "record_type": "contact", "strategy": "user", "sources": ["x"] * 201},
    ],
)
def test_bad_rules_are_400_and_nothing_is_stored(api, make_user, body):
    response = api(make_user("manager")).post(URL, body, format="json")

    assert response.status_code == 400
    assert not AssignmentRule.objects.exists()
