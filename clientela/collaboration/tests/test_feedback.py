"""Customer feedback: invitations after events, one answer per signed link, the answer on the
contact's timeline and routed (a detractor opens a case and alerts the owner; a promoter
reaches Marketing and becomes an evangelist); the feedback page and the survey screens."""

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.collaboration import jobs
from clientela.collaboration.choices import NotificationKind, Sentiment, SurveyKind
from clientela.collaboration.models import Notification, Survey, SurveyAnswer, SurveyInvitation
from clientela.collaboration.services import feedback
from clientela.contacts import services as contact_services
from clientela.contacts.models import Contact
from clientela.support.models import Case

from .conftest import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(make_team):
    return make_team("Servicio", handle="servicio")


@pytest.fixture
def marketing(make_team):
    return make_team("Marketing", handle="marketing")


@pytest.fixture
def nps(service, marketing):
    return Survey.objects.create(
        name="NPS after purchase",
        kind=SurveyKind.NPS,
        trigger="purchase.created",
        detractor_team=service,
        promoter_team=marketing,
        questions=["What should we improve?"],
    )


@pytest.fixture
def buyer(admin_user, owner, sales):
    return contact_services.create_contact(
        actor=admin_user,
        first_name="Núria",
        last_name="Puig",
        owner=owner,
        team=sales,
        lifecycle_stage="customer",
        language="ca",
        emails=[{"email": "nuria@example.com"}],
    )


def token_of(invitation):
    return feedback.path(invitation).rstrip("/").rsplit("/", 1)[1]


def answer(invitation, capture, **given):
    """Answer as the customer, then run the routing job as the worker would."""
    with capture(execute=True):
        made = feedback.answer(token_of(invitation), **given)
    run_jobs(jobs.route_feedback)
    return made


@pytest.mark.parametrize(
    ("kind", "score", "expected"),
    [
        (SurveyKind.NPS, 0, Sentiment.DETRACTOR),
        (SurveyKind.NPS, 6, Sentiment.DETRACTOR),
        (SurveyKind.NPS, 7, Sentiment.PASSIVE),
        (SurveyKind.NPS, 8, Sentiment.PASSIVE),
        (SurveyKind.NPS, 9, Sentiment.PROMOTER),
        (SurveyKind.NPS, 10, Sentiment.PROMOTER),
        (SurveyKind.CSAT, 2, Sentiment.DETRACTOR),
        (SurveyKind.CSAT, 3, Sentiment.PASSIVE),
        (SurveyKind.CSAT, 4, Sentiment.PROMOTER),
    ],
)
def test_sentiment_of_a_score(kind, score, expected):
    assert feedback.sentiment(kind, score) == expected


def test_a_detractor_opens_a_case_for_service_and_alerts_the_owner(
    nps, buyer, owner, service, django_capture_on_commit_callbacks
):
    invitation = feedback.invite(nps, buyer)
    made = answer(
        invitation,
        django_capture_on_commit_callbacks,
        score="3",
        comment="Delivery was late twice",
        answers={"What should we improve?": "Delivery", "Injected?": "no"},
    )

    made.refresh_from_db()
    assert (made.score, made.sentiment, made.team) == (3, Sentiment.DETRACTOR, service)
    assert made.answers == {"What should we improve?": "Delivery"}
    case = Case.objects.get()
    assert made.case == case and case.team == service and case.contact_id == buyer.pk
    assert "Delivery was late twice" in case.description
    alert = Notification.objects.get(recipient=owner, kind=NotificationKind.FEEDBACK)
    assert "3/10" in alert.text and "Delivery was late twice" in alert.text
    note = Activity.objects.get(contact=buyer, kind="note")
    assert "3/10" in note.subject and "Delivery" in note.body
    assert made.routed_at is not None


def test_a_promoter_reaches_marketing_and_becomes_an_evangelist(
    make_user, nps, buyer, marketing, django_capture_on_commit_callbacks
):
    marketer = make_user("marketing", username="laia", teams=[marketing], scope="all")
    answer(feedback.invite(nps, buyer), django_capture_on_commit_callbacks, score=10)

    assert Contact.objects.get(pk=buyer.pk).lifecycle_stage == "evangelist"
    assert Notification.objects.filter(recipient=marketer, kind="feedback").count() == 1
    assert not Case.objects.exists()
    assert SurveyAnswer.objects.get().team == marketing


def test_one_answer_per_link_and_forged_links_refused(
    nps, buyer, django_capture_on_commit_callbacks
):
    invitation = feedback.invite(nps, buyer)
    answer(invitation, django_capture_on_commit_callbacks, score=8)

    with pytest.raises(feedback.SurveyRefused, match="already been answered"):
        feedback.answer(token_of(invitation), score=9)
    other = feedback.invite(nps, buyer)
    forged = token_of(other)[:-2] + ("AA" if not token_of(other).endswith("AA") else "BB")
    with pytest.raises(feedback.SurveyRefused, match="not valid"):
        feedback.answer(forged, score=9)
    foreign = signing.dumps({"i": other.pk}, salt="another.salt", compress=True)
    with pytest.raises(feedback.SurveyRefused, match="not valid"):
        feedback.answer(foreign, score=9)
    with pytest.raises(feedback.SurveyRefused, match="not valid"):
        feedback.answer(signing.dumps({"i": "1"}, salt=feedback.SALT), score=9)
    assert SurveyAnswer.objects.count() == 1


@pytest.mark.parametrize("score", [None, -1, 11, "ten", "5.5", True, "9" * 50])
def test_a_bad_score_writes_nothing(nps, buyer, score):
    invitation = feedback.invite(nps, buyer)
    with pytest.raises(ValidationError):
        feedback.answer(token_of(invitation), score=score)
    invitation.refresh_from_db()
    assert invitation.answered_at is None and not SurveyAnswer.objects.exists()


def test_a_purchase_invites_its_contact_once_and_the_email_is_in_their_language(
    settings, admin_user, nps, buyer, django_capture_on_commit_callbacks
):
    from clientela.sales.services import purchases

    settings.BASE_URL = "https://crm.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        for amount in ("50.00", "20.00"):
            purchases.record_purchase(
                actor=admin_user, contact=buyer, total_amount=amount, purchased_at=timezone.now()
            )
    run_jobs(jobs.email_survey_invitations)

    assert SurveyInvitation.objects.count() == 1  # not asked twice within 30 days
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuria@example.com"]
    assert "Hola, Núria" in message.body  # Catalan
    assert "https://crm.example.com/s/" in message.body


def test_the_public_answer_page(client, nps, buyer, django_capture_on_commit_callbacks):
    invitation = feedback.invite(nps, buyer)
    url = feedback.path(invitation)

    page = client.get(url)
    assert page.status_code == 200
    assert "recomanaries" in page.content.decode()  # the question, in Catalan
    assert not SurveyAnswer.objects.exists()  # opening records nothing

    bad = client.post(url, {"score": "42", "comment": "<script>alert(1)</script>"})
    assert bad.status_code == 400
    assert "&lt;script&gt;" in bad.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        good = client.post(url, {"score": "9", "q0": "Nothing", "comment": "x" * 1999})
    assert good.status_code == 200
    assert SurveyAnswer.objects.get().answers == {"What should we improve?": "Nothing"}
    assert client.post(url, {"score": "9"}).status_code == 410
    assert client.get(url[:-5] + "abcd/").status_code == 410
    assert client.get("/s/" + "A" * 5000 + "/").status_code == 410


def test_the_feedback_page_shows_each_department_what_it_may_see(
    client, make_user, nps, buyer, service, admin_user, django_capture_on_commit_callbacks
):
    answer(feedback.invite(nps, buyer), django_capture_on_commit_callbacks, score=2, comment="Bad")
    stranger = contact_services.create_contact(actor=admin_user, first_name="Pau", owner=None)
    answer(feedback.invite(nps, stranger), django_capture_on_commit_callbacks, score=10)

    agent = make_user("service", username="elena", teams=[service], scope="all")
    client.force_login(agent)
    page = client.get(reverse("feedback:feedback"), {"team": service.pk}).content.decode()
    assert "Bad" in page and "Pau" not in page
    everyone = client.get(reverse("feedback:feedback")).content.decode()
    assert "Pau" in everyone
    assert "<dd>0 " in everyone  # NPS: one promoter, one detractor

    limited = make_user("sales", username="pablo", scope="own")
    client.force_login(limited)
    assert "Bad" not in client.get(reverse("feedback:feedback")).content.decode()
    for bad in ({"before": "9" * 40}, {"team": "x"}, {"sentiment": "<b>"}):
        assert client.get(reverse("feedback:feedback"), bad).status_code == 200


def test_surveys_are_made_and_sent_by_hand(client, make_user, buyer, admin_user):
    client.force_login(admin_user)
    new = reverse("feedback:survey_new")
    rejected = client.post(new, {"name": "", "kind": "questions", "trigger": "manual"})
    assert rejected.status_code == 400 and not Survey.objects.exists()
    too_many = "\n".join(f"Question {n}?" for n in range(6))
    assert (
        client.post(
            new, {"name": "Q", "kind": "nps", "trigger": "manual", "questions_text": too_many}
        ).status_code
        == 400
    )

    saved = client.post(
        new,
        {
            "name": "After the visit",
            "kind": "csat",
            "trigger": "manual",
            "is_active": "on",
            "questions_text": "What did you like?\n\n",
            "promoter_stage": "evangelist",
        },
    )
    survey = Survey.objects.get()
    assert saved.status_code == 302 and survey.questions == ["What did you like?"]

    invited = client.post(
        reverse("feedback:survey_invite", args=[survey.pk]), {"contact": str(buyer.pk)}
    )
    assert invited.status_code == 302
    page = client.get(reverse("feedback:survey_detail", args=[survey.pk])).content.decode()
    assert "/s/" in page
    assert SurveyInvitation.objects.filter(contact=buyer).count() == 1

    seller = make_user("sales", username="pablo", scope="own")
    client.force_login(seller)
    assert client.get(reverse("feedback:survey_list")).status_code == 403
