"""Customer feedback: inviting a customer to a survey (by e-mail, or a link to share), taking
their one answer from the signed link, and routing it.

The answer is saved, put on the contact's timeline and in the feed at once; its routing runs
after the commit as a job (``route``), so a customer's answer never waits for — or fails
because of — the case it opens: a detractor's answer opens a case for the survey's team
(Service) and tells the customer's owner; a promoter's is told to its team (Marketing) and
moves the contact on to the survey's lifecycle stage ("evangelist").
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.activities.choices import ActivityKind
from clientela.contacts import services as contact_services
from clientela.core import events, permissions
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context
from clientela.core.models import User
from clientela.support.choices import CaseChannel, CasePriority
from clientela.support.services import cases

from .. import jobs
from ..choices import FeedVerb, NotificationKind, Sentiment, SurveyKind
from ..models import Survey, SurveyAnswer, SurveyInvitation
from ..models_feedback import MAX_ANSWER, MAX_QUESTION, MAX_QUESTIONS
from . import feed, notifications

SALT = "clientela.collaboration.survey"
VALID_FOR = 60 * 60 * 24 * 90  # a link answered after three months says little
# A customer is asked the same survey at most once in this time, whatever happens.
QUIET_DAYS = 30


class SurveyRefused(Exception):
    """A forged, expired or already answered link (the message says which)."""


def default_question(kind):
    if kind == SurveyKind.NPS:
        return _("How likely are you to recommend us to a friend or colleague?")
    if kind == SurveyKind.CSAT:
        return _("How satisfied are you with us?")
    return ""


def sentiment(kind, score):
    """NPS: 0–6 detractor, 7–8 passive, 9–10 promoter; CSAT: 1–2, 3, 4–5."""
    if score is None:
        return ""
    low, high = {SurveyKind.NPS: (6, 9), SurveyKind.CSAT: (2, 4)}[kind]
    if score <= low:
        return Sentiment.DETRACTOR
    return Sentiment.PROMOTER if score >= high else Sentiment.PASSIVE


def clean_questions(text):
    """The survey's extra questions from one-per-line text; ``ValidationError`` when there
    are too many or one is too long."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": _("Ask at most %(max)d questions.") % {"max": MAX_QUESTIONS}}
        )
    if any(len(line) > MAX_QUESTION for line in lines):
        raise ValidationError(
            {"questions": _("Keep each question under %(max)d characters.") % {"max": MAX_QUESTION}}
        )
    return lines


# --- invitations ----------------------------------------------------------------------------------


def invite(survey, contact, *, about=None):
    """The invitation of ``contact`` to ``survey`` about record ``about`` (a case, a
    purchase; ``None`` for one sent by hand), made once per record; returns it."""
    fields = {"survey": survey, "contact": contact, "content_type": None, "object_id": None}
    if about is not None:
        fields |= {
            "content_type": ContentType.objects.get_for_model(type(about)),
            "object_id": about.pk,
        }
        existing = SurveyInvitation.objects.filter(**fields).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return SurveyInvitation.objects.create(**fields)
    except IntegrityError:  # the same record's invitation made at the same moment
        return SurveyInvitation.objects.get(**fields)


def path(invitation):
    """The answer page of ``invitation`` (a signed link: its id alone would be guessable)."""
    token = signing.dumps({"i": invitation.pk}, salt=SALT, compress=True)
    return reverse("feedback_public:answer", args=[token])


def invite_after(event_name, record):
    """Invite the record's contact to every active survey sent after ``event_name`` (a case
    resolved, a purchase) unless asked that survey lately; the e-mails go from a job."""
    contact = getattr(record, "contact", None)
    if contact is None or contact.anonymised_at is not None or not contact.primary_email:
        return []
    made = []
    since = timezone.now() - timedelta(days=QUIET_DAYS)
    for survey in Survey.objects.filter(trigger=event_name, is_active=True):
        asked = survey.invitations.filter(contact=contact, created_at__gte=since).exists()
        if not asked:
            made.append(invite(survey, contact, about=record).pk)
    if made:
        transaction.on_commit(lambda: jobs.email_survey_invitations.enqueue(made))
    return made


def send_invitations(ids):
    """E-mail the invitations with ``ids`` not e-mailed or answered yet, each in its
    contact's language; returns how many were sent."""
    sent = 0
    pending = SurveyInvitation.objects.filter(
        pk__in=ids, emailed_at__isnull=True, answered_at__isnull=True
    ).select_related("survey", "contact")
    for invitation in pending:
        contact = invitation.contact
        address = contact.primary_email
        if not address or contact.anonymised_at is not None:
            continue
        with translation.override(contact.language or settings.LANGUAGE_CODE):
            context = {
                "contact": contact,
                "survey": invitation.survey,
                "question": invitation.survey.question or default_question(invitation.survey.kind),
                "link": settings.BASE_URL.rstrip("/") + path(invitation),
            }
            subject = render_to_string("collaboration/email/survey_subject.txt", context).strip()
            body = render_to_string("collaboration/email/survey.txt", context)
        send_mail(subject[:200], body, None, [address])
        SurveyInvitation.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@events.subscribe("case.resolved")
@events.subscribe("purchase.created")
def _invite_after_event(event_name, *, record, **payload):
    invite_after(event_name, record)


# --- answering ------------------------------------------------------------------------------------


def invitation_for(token):
    """The unanswered invitation a link names; ``SurveyRefused`` otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.SignatureExpired:
        raise SurveyRefused(_("This survey link has expired.")) from None
    except signing.BadSignature:
        raise SurveyRefused(_("This survey link is not valid.")) from None
    pk = data.get("i") if isinstance(data, dict) else None
    invitation = (
        SurveyInvitation.objects.select_related("survey", "contact")
        .filter(pk=pk if isinstance(pk, int) else None)
        .first()
    )
    if invitation is None or not invitation.survey.is_active:
        raise SurveyRefused(_("This survey link is not valid."))
    if invitation.answered_at is not None:
        raise SurveyRefused(_("This survey has already been answered. Thank you!"))
    return invitation


@transaction.atomic
def answer(token, *, score=None, comment="", answers=None):
    """Take the customer's answer to the invitation ``token`` names; returns the
    ``SurveyAnswer``. ``SurveyRefused`` for a bad or used link, ``ValidationError`` (per
    field) for a bad answer, with nothing written."""
    invitation = invitation_for(token)
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:  # two answers sent at the same moment
        raise SurveyRefused(_("This survey has already been answered. Thank you!"))
    survey = Survey.objects.get(pk=invitation.survey_id)
    score = _clean_score(survey, score)
    comment = (comment or "").strip()
    if len(comment) > MAX_ANSWER:
        raise ValidationError(
            {"comment": _("Keep it under %(max)d characters.") % {"max": MAX_ANSWER}}
        )
    given = {
        question: str(value).strip()[:MAX_ANSWER]
        for question, value in (answers or {}).items()
        if question in survey.questions and str(value).strip()
    }
    now = timezone.now()
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    made = SurveyAnswer.objects.create(
        invitation=invitation,
        survey=survey,
        contact_id=invitation.contact_id,
        score=score,
        sentiment=sentiment(survey.kind, score) if score is not None else "",
        comment=comment,
        answers=given,
        created_at=now,
    )
    _on_timeline(made, invitation.contact)
    transaction.on_commit(lambda: jobs.route_feedback.enqueue(made.pk))
    return made


def _clean_score(survey, score):
    if survey.scale is None:
        return None
    low, high = survey.scale
    if isinstance(score, str):
        score = int(score) if score.strip().isdigit() and len(score.strip()) <= 2 else None
    if not isinstance(score, int) or isinstance(score, bool) or not low <= score <= high:
        raise ValidationError(
            {"score": _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )
    return score


def summary(made):
    """One line for people: "NPS 9/10 (promoter)", "Satisfaction 2/5 (detractor)"."""
    survey = made.survey
    if made.score is None:
        return _("%(survey)s answered") % {"survey": survey}
    return _("%(survey)s: %(score)d/%(high)d (%(sentiment)s)") % {
        "survey": survey,
        "score": made.score,
        "high": survey.scale[1],
        "sentiment": made.get_sentiment_display(),
    }


def _on_timeline(made, contact):
    """A note on the contact's timeline (their owner's and team's), and a feed entry."""
    lines = [made.comment] if made.comment else []
    lines += [f"{question}\n{text}" for question, text in made.answers.items()]
    with change_context(source=ChangeSource.AUTOMATION):
        activity_services.log_activity(
            actor=None,
            kind=ActivityKind.NOTE,
            subject=summary(made)[:200],
            body="\n\n".join(lines),
            contact=contact,
            owner=contact.owner,
            team=contact.team,
        )


# --- routing --------------------------------------------------------------------------------------


@transaction.atomic
def route(answer_id):
    """Act on an answer once (the job ``answer`` queues): see the module's docstring."""
    made = (
        SurveyAnswer.objects.select_for_update()
        .filter(pk=answer_id, routed_at__isnull=True)
        .first()
    )
    if made is None:
        return None
    survey, contact = made.survey, made.contact
    text = made.comment[:300]
    if made.sentiment == Sentiment.DETRACTOR:
        made.case = _open_case(made) if survey.detractor_team_id else None
        made.team_id = survey.detractor_team_id
        if survey.alert_owner and contact.owner_id:
            notifications.notify(
                [contact.owner_id],
                kind=NotificationKind.FEEDBACK,
                actor=None,
                record=contact,
                text=f"{summary(made)} — {text}" if text else summary(made),
            )
    elif made.sentiment == Sentiment.PROMOTER:
        made.team_id = survey.promoter_team_id
        if survey.promoter_team_id:
            members = User.objects.filter(teams=survey.promoter_team_id, is_active=True)
            notifications.notify(
                [u.pk for u in permissions.who_can_view(list(members), contact)],
                kind=NotificationKind.FEEDBACK,
                actor=None,
                record=contact,
                text=summary(made),
            )
        if survey.promoter_stage:
            contact_services.promote_lifecycle([contact], survey.promoter_stage, actor=None)
    feed.add(contact, FeedVerb.FEEDBACK, actor=None, detail=summary(made))
    made.routed_at = timezone.now()
    made.save(update_fields=["case", "team", "routed_at"])
    return made


def _open_case(made):
    with change_context(source=ChangeSource.AUTOMATION):
        return cases.create_case(
            actor=None,
            from_customer=False,
            subject=summary(made)[:200],
            description=made.comment or summary(made),
            contact=made.contact,
            team=made.survey.detractor_team,
            channel=CaseChannel.WEB_FORM,
            priority=CasePriority.HIGH,
        )
