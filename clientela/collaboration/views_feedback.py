"""Customer feedback pages: the feedback page of each department, the surveys and their
invitations (staff), and the answer page a customer opens from a signed link (public)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.choices import RecordScope
from clientela.core.models import Team

from . import jobs
from .choices import Sentiment, SurveyKind
from .forms import SurveyForm
from .models import Survey, SurveyAnswer
from .services import feedback
from .views import cursor_from

PAGE_SIZE = 30
WINDOW_DAYS = 90
MANAGE_AREA = "marketing"


def _answers_seen_by(user):
    """Answers of the customers ``user`` may see."""
    if not permissions.can_read(user, "contacts"):
        raise PermissionDenied
    condition = permissions.scope_q(user, "contact__owner_id", "contact__team_id")
    answers = SurveyAnswer.objects.all()
    return answers if condition is None else answers.filter(condition)


@never_cache
@login_required
def feedback_page(request):
    """What customers said, for one department (``?team=``: the answers routed to it) or
    everyone: the NPS and satisfaction of the last 90 days and the answers, newest first."""
    answers = _answers_seen_by(request.user)
    teams = Team.objects.all()
    if permissions.scope_of(request.user) != RecordScope.ALL:
        teams = teams.filter(pk__in=request.user.team_ids())
    teams = {str(t.pk): t for t in teams}
    team = teams.get(request.GET.get("team", ""))
    if team is not None:
        answers = answers.filter(team=team)
    sentiment = request.GET.get("sentiment", "")
    if sentiment in Sentiment.values:
        answers = answers.filter(sentiment=sentiment)
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    page_rows = answers.select_related("survey", "contact", "case").order_by("-id")
    before = cursor_from(request.GET.get("before", ""))
    if before is not None:
        page_rows = page_rows.filter(pk__lt=before)
    rows = list(page_rows[: PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "collaboration/feedback.html",
        {
            "team": team,
            "teams": teams.values(),
            "sentiment": sentiment,
            "sentiments": Sentiment.choices,
            "scores": _scores(answers.filter(created_at__gte=since)),
            "answers": rows[:PAGE_SIZE],
            "next_before": rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
            "query": query.urlencode(),
            "may_manage": permissions.can_write(request.user, MANAGE_AREA),
        },
    )


def _scores(answers):
    """NPS (promoters' share minus detractors', -100..100) and average satisfaction."""
    nps = answers.filter(survey__kind=SurveyKind.NPS).aggregate(
        total=Count("id"),
        promoters=Count("id", filter=Q(sentiment=Sentiment.PROMOTER)),
        detractors=Count("id", filter=Q(sentiment=Sentiment.DETRACTOR)),
    )
    csat = answers.filter(survey__kind=SurveyKind.CSAT).aggregate(
        total=Count("id"), average=Avg("score")
    )
    score = None
    if nps["total"]:
        score = round(100 * (nps["promoters"] - nps["detractors"]) / nps["total"])
    return {
        "nps": score,
        "nps_answers": nps["total"],
        "csat": csat["average"],
        "csat_answers": csat["total"],
    }


def _require_manage(user):
    if not permissions.can_write(user, MANAGE_AREA):
        raise PermissionDenied


@login_required
def survey_list(request):
    _require_manage(request.user)
    surveys = Survey.objects.annotate(
        sent=Count("invitations", distinct=True), answered=Count("answers", distinct=True)
    )
    return render(request, "collaboration/survey_list.html", {"surveys": surveys})


@login_required
@require_http_methods(["GET", "POST"])
def survey_form(request, pk=None):
    _require_manage(request.user)
    survey = get_object_or_404(Survey, pk=pk) if pk else Survey(created_by=request.user)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Survey “%(name)s” saved.") % {"name": survey.name})
            return redirect("feedback:survey_detail", pk=survey.pk)
        return render(request, "collaboration/survey_form.html", {"form": form}, status=400)
    return render(request, "collaboration/survey_form.html", {"form": form, "survey": survey})


@login_required
def survey_detail(request, pk):
    """A survey, the link of its latest invitation and the form to invite a contact."""
    _require_manage(request.user)
    survey = get_object_or_404(Survey, pk=pk)
    return render(
        request,
        "collaboration/survey_detail.html",
        {
            "survey": survey,
            "link": request.session.pop("survey_link", ""),
            "question": survey.question or feedback.default_question(survey.kind),
        },
    )


@login_required
@require_POST
def survey_invite(request, pk):
    """Invite one contact the user may see (``contact`` id): an e-mail when ``send`` is
    on, and the answer link shown to copy in any case."""
    _require_manage(request.user)
    survey = get_object_or_404(Survey, pk=pk, is_active=True)
    contact_id = request.POST.get("contact", "")
    contact = None
    if contact_id.isdigit() and len(contact_id) <= 18:
        contact = permissions.visible(request.user, Contact.objects).filter(pk=contact_id).first()
    if contact is None:
        messages.error(request, _("Choose a contact you can see, by its number."))
        return redirect("feedback:survey_detail", pk=survey.pk)
    invitation = feedback.invite(survey, contact)
    request.session["survey_link"] = request.build_absolute_uri(feedback.path(invitation))
    if request.POST.get("send") == "on":
        jobs.email_survey_invitations.enqueue([invitation.pk])
        messages.success(request, _("Invitation e-mailed to %(name)s.") % {"name": contact})
    return redirect("feedback:survey_detail", pk=survey.pk)


# --- the public answer page -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """The survey a signed link names, in the customer's language. Opening it (a mail
    scanner may) records nothing; sending does, once."""
    try:
        invitation = feedback.invitation_for(token)
    except feedback.SurveyRefused as refused:
        return _refused(request, refused)
    survey = invitation.survey
    with translation.override(invitation.contact.language or translation.get_language()):
        context = {
            "survey": survey,
            "question": survey.question or feedback.default_question(survey.kind),
            "scores": range(survey.scale[0], survey.scale[1] + 1) if survey.scale else [],
            "score": request.POST.get("score") or request.GET.get("score", ""),
            "questions": [
                (question, request.POST.get(f"q{n}", "")[:2000])
                for n, question in enumerate(survey.questions)
            ],
        }
        if request.method == "GET":
            return render(request, "collaboration/feedback_answer.html", context)
        try:
            feedback.answer(
                token,
                score=context["score"][:3] or None,
                comment=request.POST.get("comment", ""),
                answers={q: text for q, text in context["questions"]},
            )
        except feedback.SurveyRefused as refused:
            return _refused(request, refused)
        except ValidationError as error:
            context["errors"] = error.messages
            context["comment"] = request.POST.get("comment", "")[:2000]
            return render(request, "collaboration/feedback_answer.html", context, status=400)
        return render(request, "collaboration/feedback_answer.html", {"thanks": True})


def _refused(request, refused):
    return render(
        request, "collaboration/feedback_answer.html", {"refused": str(refused)}, status=410
    )
