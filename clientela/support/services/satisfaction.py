"""CSAT surveys: one per resolution, a signed link, one answer, the result on the case and on
the contact's timeline."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activity_services
from clientela.activities.choices import ActivityKind
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context

from ..models import SatisfactionSurvey
from ..models.satisfaction import MAX_COMMENT

SALT = "clientela.support.csat"
VALID_FOR = 60 * 60 * 24 * 60  # two months: an answer after that says little about the case


class SurveyRefused(Exception):
    """A forged, expired or already answered link (the message says which)."""


def start_survey(case):
    """The survey of this resolution (created once) and its answer link (a path)."""
    survey = SatisfactionSurvey.objects.create(case=case, created_at=timezone.now())
    return survey, survey_path(survey)


def survey_path(survey):
    token = signing.dumps({"s": survey.pk}, salt=SALT, compress=True)
    return reverse("help:survey", args=[token])


def survey_for(token):
    """The unanswered survey a link names; ``SurveyRefused`` otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.SignatureExpired:
        raise SurveyRefused(_("This survey link has expired.")) from None
    except signing.BadSignature:
        raise SurveyRefused(_("This survey link is not valid.")) from None
    survey = (
        SatisfactionSurvey.objects.select_related("case__contact")
        .filter(pk=data.get("s") if isinstance(data, dict) else None)
        .first()
    )
    if survey is None:
        raise SurveyRefused(_("This survey link is not valid."))
    if survey.answered_at is not None:
        raise SurveyRefused(_("This survey has already been answered. Thank you!"))
    return survey


@transaction.atomic
def answer_survey(token, *, score, comment=""):
    survey = survey_for(token)
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.answered_at is not None:  # two answers sent at the same moment
        raise SurveyRefused(_("This survey has already been answered. Thank you!"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": [_("Choose a score from 1 to 5.")]})
    comment = (comment or "").strip()[:MAX_COMMENT]
    survey.score, survey.comment, survey.answered_at = score, comment, timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    case = survey.case
    if case.contact_id:
        subject = _("Satisfaction with %(case)s: %(score)d/5") % {
            "case": case.reference,
            "score": score,
        }
        with change_context(source=ChangeSource.AUTOMATION):
            activity_services.log_activity(
                actor=None,
                kind=ActivityKind.NOTE,
                subject=subject,
                body=comment,
                contact=case.contact,
                company=case.company,
                owner=case.owner,
                team=case.team,
            )
    return survey
