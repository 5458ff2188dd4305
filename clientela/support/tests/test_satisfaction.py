"""CSAT surveys: one answer per signed link, forged and reused links refused, results on the
case and the contact's timeline."""

import pytest
from django.core import signing
from django.urls import reverse

from clientela.activities.models import Activity
from clientela.contacts import services as contact_services
from clientela.support.models import SatisfactionSurvey
from clientela.support.services import cases, satisfaction


@pytest.fixture
def case(make_user):
    agent = make_user("service", username="agent")
    ana = contact_services.create_contact(actor=agent, first_name="Ana", emails=["ana@x.es"])
    return cases.create_case(actor=agent, subject="Lamp broken", description="x", contact=ana)


def test_an_answer_lands_on_the_case_and_the_contacts_timeline(client, case):
    _survey, path = satisfaction.start_survey(case)

    page = client.get(path, {"score": "4"})  # the link in the e-mail: records nothing yet
    assert page.status_code == 200 and 'value="4" checked' in page.content.decode()
    assert SatisfactionSurvey.objects.get().answered_at is None

    response = client.post(path, {"score": "4", "comment": "Quick, thanks"})

    assert response.status_code == 200
    survey = SatisfactionSurvey.objects.get()
    assert (survey.score, survey.comment) == (4, "Quick, thanks")
    note = Activity.objects.get(contact=case.contact)
    assert note.subject == f"Satisfaction with #{case.pk}: 4/5"


def test_a_link_answers_once(client, case):
    _survey, path = satisfaction.start_survey(case)
    client.post(path, {"score": "5"})
    again = client.post(path, {"score": "1"})
    assert again.status_code == 410
    assert SatisfactionSurvey.objects.get().score == 5


FORGED = {
    "garbage": lambda: "nonsense",
    "another salt": lambda: signing.dumps({"s": 1}, salt="another.salt"),
    "no salt": lambda: signing.dumps({"s": 999}),
}


@pytest.mark.parametrize("forgery", FORGED)
def test_forged_links_are_refused(client, case, forgery):
    token = FORGED[forgery]()  # made here: a signed value holds a timestamp
    satisfaction.start_survey(case)
    response = client.post(reverse("help:survey", args=[token]), {"score": "1"})
    assert response.status_code == 410
    assert SatisfactionSurvey.objects.get().answered_at is None


def test_a_link_to_another_survey_cannot_be_made_from_a_real_one(client, case):
    _survey, path = satisfaction.start_survey(case)
    other, _path = satisfaction.start_survey(case)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    tampered = token.replace(token[:3], token[:2] + ("A" if token[2] != "A" else "B"), 1)
    assert client.post(reverse("help:survey", args=[tampered]), {"score": "2"}).status_code == 410
    assert not SatisfactionSurvey.objects.filter(pk=other.pk, answered_at__isnull=False).exists()


@pytest.mark.parametrize("score", ["0", "6", "", "five", "-1", "4.5"])
def test_a_bad_score_keeps_the_comment_and_records_nothing(client, case, score):
    _survey, path = satisfaction.start_survey(case)
    response = client.post(path, {"score": score, "comment": "Keep this"})
    assert response.status_code == 400
    assert "Keep this" in response.content.decode()
    assert SatisfactionSurvey.objects.get().answered_at is None


def test_an_oversized_comment_is_cut(client, case):
    _survey, path = satisfaction.start_survey(case)
    client.post(path, {"score": "3", "comment": "x" * 50_000})
    assert len(SatisfactionSurvey.objects.get().comment) == 2000
