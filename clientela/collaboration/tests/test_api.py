"""The collaboration API: comments, notifications, follows, the feed, surveys and answers, with
the pages' permissions (a record one may not see is 404, a mention never reveals one)."""

import pytest

from clientela.collaboration.models import Comment, Notification, Survey, SurveyAnswer
from clientela.collaboration.services import feedback, follows
from clientela.contacts import services as contact_services

pytestmark = pytest.mark.django_db


def record(customer):
    return f"contact:{customer.pk}"


def test_comment_mention_and_the_mentioned_persons_notifications(api, agent, owner, customer):
    as_agent, as_owner = api(agent), api(owner)

    made = as_agent.post(
        "/api/v1/comments/",
        {"record": record(customer), "body": "@jordi.ferrer <script>x</script> they want more"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert "<script>" not in made.json()["body_html"]

    listed = as_owner.get("/api/v1/comments/", {"record": record(customer)}).json()["results"]
    assert [c["id"] for c in listed] == [made.json()["id"]]
    inbox = as_owner.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [n["kind"] for n in inbox] == ["mention"]
    assert inbox[0]["record"] == record(customer)
    assert as_owner.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert as_owner.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert as_owner.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    # nobody reads another's notifications
    assert as_agent.get(f"/api/v1/notifications/{inbox[0]['id']}/").status_code == 404


def test_records_one_may_not_see_are_404_and_bad_names_400(api, make_user, customer):
    stranger = api(make_user("sales", username="pablo", scope="own"))
    for value in (record(customer), "contact:99999999"):
        assert stranger.get("/api/v1/comments/", {"record": value}).status_code == 404
        assert (
            stranger.post("/api/v1/follows/", {"record": value}, format="json").status_code == 404
        )
    for value in ("", "user:1", "contact:x", "contact:" + "9" * 40, "<script>:1"):
        assert stranger.get("/api/v1/comments/", {"record": value}).status_code == 400
    posted = stranger.post(
        "/api/v1/comments/", {"record": record(customer), "body": "hi"}, format="json"
    )
    assert posted.status_code == 404 and not Comment.objects.exists()


def test_editing_and_deleting_only_ones_own_comment(api, agent, owner, customer):
    made = (
        api(agent)
        .post("/api/v1/comments/", {"record": record(customer), "body": "First"}, format="json")
        .json()
    )
    url = f"/api/v1/comments/{made['id']}/"

    assert api(owner).patch(url, {"body": "Hijack"}, format="json").status_code == 403
    assert api(agent).patch(url, {"body": ""}, format="json").status_code == 400
    assert api(agent).patch(url, {"body": "x" * 30_000}, format="json").status_code == 400
    edited = api(agent).patch(url, {"body": "Second"}, format="json")
    assert edited.status_code == 200 and edited.json()["edited_at"]
    assert api(agent).delete(url).status_code == 204
    listed = api(owner).get("/api/v1/comments/", {"record": record(customer)}).json()["results"]
    assert listed[0]["body"] == "" and listed[0]["deleted_at"]


def test_follows_and_the_feed(api, make_user, admin_user, owner, customer):
    reader = make_user("manager", username="marta")
    client = api(reader)
    followed = client.post("/api/v1/follows/", {"record": record(customer)}, format="json")
    assert followed.status_code == 201
    contact_services.update_contact(customer, actor=admin_user, job_title="CEO")

    page = client.get("/api/v1/feed/").json()
    assert [(e["verb"], e["changed"]) for e in page["results"]][0] == ("updated", ["job title"])
    assert client.get("/api/v1/feed/", {"verb": "comment"}).json()["results"] == []
    assert client.get("/api/v1/feed/", {"before": "-3"}).status_code == 400
    assert client.get("/api/v1/feed/", {"team": "999999"}).status_code == 404

    assert client.delete(f"/api/v1/follows/{followed.json()['id']}/").status_code == 204
    assert not follows.is_following(customer, reader)


def test_surveys_invitations_and_answers(api, make_user, admin_user, owner, customer):
    manager = api(admin_user)
    made = manager.post(
        "/api/v1/surveys/",
        {"name": "NPS", "kind": "nps", "questions": ["Why?"], "trigger": "manual"},
        format="json",
    )
    assert made.status_code == 201, made.content
    bad = manager.post(
        "/api/v1/surveys/", {"name": "X", "kind": "nps", "questions": "Why?"}, format="json"
    )
    assert bad.status_code == 400
    survey = Survey.objects.get()

    invited = manager.post(
        f"/api/v1/surveys/{survey.pk}/invite/",
        {"contact": customer.pk, "send": False},
        format="json",
    )
    assert invited.status_code == 201
    link = invited.json()["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    feedback.answer(token, score=4, comment="Slow")

    seller = api(make_user("sales", username="pablo", scope="own"))
    assert seller.get("/api/v1/survey-answers/").json()["results"] == []
    assert seller.post("/api/v1/surveys/", {"name": "Y", "kind": "nps"}).status_code == 403
    answers = api(owner).get("/api/v1/survey-answers/", {"sentiment": "detractor"}).json()
    assert [(a["score"], a["comment"]) for a in answers["results"]] == [(4, "Slow")]
    assert api(owner).get("/api/v1/survey-answers/", {"sentiment": "<b>"}).status_code == 400
    assert SurveyAnswer.objects.count() == 1
    assert Notification.objects.count() == 0  # routed by the job, not here
