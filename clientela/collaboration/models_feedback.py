"""Customer feedback: surveys (NPS, CSAT, short questions), the invitations sent (each a
signed link answered once) and the answers, routed to the departments that act on them."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import LifecycleStage

from .choices import Sentiment, SurveyKind, SurveyTrigger

MAX_QUESTIONS = 5
MAX_QUESTION = 200
MAX_ANSWER = 2000


class Survey(models.Model):
    """What to ask, when to ask it and where each kind of answer goes."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    question = models.CharField(
        _("main question"),
        max_length=MAX_QUESTION,
        blank=True,
        help_text=_("Leave empty for the usual question in the customer's language."),
    )
    # Short questions asked after the score: one per line, answered with free text.
    questions = models.JSONField(_("more questions"), default=list, blank=True)
    trigger = models.CharField(
        _("sent"), max_length=20, choices=SurveyTrigger.choices, default=SurveyTrigger.MANUAL
    )
    is_active = models.BooleanField(_("active"), default=True)
    detractor_team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("a detractor's answer opens a case for"),
    )
    alert_owner = models.BooleanField(
        _("tell the customer's owner of a detractor's answer"), default=True
    )
    promoter_team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("a promoter's answer is told to"),
    )
    promoter_stage = models.CharField(
        _("a promoter becomes"),
        max_length=20,
        choices=LifecycleStage.choices,
        blank=True,
        default=LifecycleStage.EVANGELIST,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.name

    @property
    def scale(self):
        """The lowest and highest score (``None`` for questions only)."""
        return {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}.get(self.kind)


class SurveyInvitation(models.Model):
    """One contact asked one survey, about one record (the case resolved, the purchase):
    the signed link names it, and it takes one answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "contact", "content_type", "object_id"],
                name="invitation_once_per_record",
            )
        ]

    def __str__(self):
        return f"{self.survey} → {self.contact_id}"


class SurveyAnswer(models.Model):
    """A customer's answer: the score, what they wrote, and where it was routed."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answer"
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="survey_answers"
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True, max_length=MAX_ANSWER)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("answered"), default=timezone.now)
    routed_at = models.DateTimeField(null=True)
    case = models.ForeignKey("support.Case", on_delete=models.SET_NULL, null=True, related_name="+")
    # The teams the answer went to (a detractor's: Service; a promoter's: Marketing).
    team = models.ForeignKey("core.Team", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [
            models.Index(fields=["team", "-id"], name="answer_team_idx"),
            models.Index(fields=["survey", "-id"], name="answer_survey_idx"),
        ]

    def __str__(self):
        return f"{self.survey}: {self.score}"
