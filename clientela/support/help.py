"""The public help centre: published, public articles in the reader's language, searchable,
with "was this helpful?". No sign-in; nothing here reveals drafts or internal articles."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core import search

from . import markdown
from .models import Article, ArticleCategory, ArticleStatus
from .services import knowledge, satisfaction

RESULTS = 20


def _public(language):
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, internal=False, language=language)


def _language(request):
    return (getattr(request, "LANGUAGE_CODE", None) or get_language() or "en")[:2]


@require_http_methods(["GET", "HEAD"])
def index(request):
    language = _language(request)
    query = request.GET.get("q", "").strip()[:200]
    articles = _public(language).select_related("category")
    context = {"query": query, "language": language}
    if query:
        found = articles.filter(pk__in=search.matching_ids(Article, query))
        context["results"] = list(found.order_by("title", "id")[:RESULTS])
    else:
        listed = list(articles.order_by("category__position", "title", "id")[:500])
        groups = {}
        for article in listed:
            groups.setdefault(article.category, []).append(article)
        context["groups"] = [(c, groups[c]) for c in groups]
        context["categories"] = ArticleCategory.objects.all()
    return render(request, "support/help/index.html", context)


@require_http_methods(["GET", "HEAD"])
def article(request, language, slug):
    found = _public(language).filter(slug=slug).select_related("category").first()
    if found is None:
        raise Http404
    others = _public_translations(found)
    context = {"article": found, "html": markdown.render(found.body), "translations": others}
    return render(request, "support/help/article.html", context)


@require_POST
def vote(request, language, slug):
    found = _public(language).filter(slug=slug).first()
    if found is None:
        raise Http404
    if not request.session.session_key:
        request.session.save()
    helpful = request.POST.get("helpful") == "yes"
    knowledge.vote_on_article(
        found, voter=knowledge.voter_key(request.session.session_key), helpful=helpful
    )
    messages.success(request, _("Thank you for telling us."))
    return HttpResponseRedirect(request.path.rsplit("vote/", 1)[0])


def _public_translations(article):
    return Article.objects.filter(
        translation_group=article.translation_group,
        status=ArticleStatus.PUBLISHED,
        internal=False,
    ).exclude(pk=article.pk)


@require_http_methods(["GET", "POST"])
def survey(request, token):
    """A CSAT survey from its signed link. Opening it (a mail scanner may) records nothing; the
    button does, once."""
    try:
        found = satisfaction.survey_for(token)
    except satisfaction.SurveyRefused as refused:
        return render(request, "support/help/survey.html", {"refused": str(refused)}, status=410)
    score = request.POST.get("score") or request.GET.get("score", "")
    context = {"survey": found, "case": found.case, "score": score, "scores": range(1, 6)}
    if request.method == "POST":
        try:
            satisfaction.answer_survey(
                token,
                score=int(score) if score.isdigit() else None,
                comment=request.POST.get("comment", ""),
            )
        except satisfaction.SurveyRefused as refused:
            return render(
                request, "support/help/survey.html", {"refused": str(refused)}, status=410
            )
        except ValidationError as error:
            context["errors"] = error.messages
            context["comment"] = request.POST.get("comment", "")[:2000]
            return render(request, "support/help/survey.html", context, status=400)
        return render(request, "support/help/survey.html", {"thanks": True})
    return render(request, "support/help/survey.html", context)
