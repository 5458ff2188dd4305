"""Knowledge-base pages for the team: the articles (drafts and internal ones included), one
article with its versions and translations, and the editor."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clientela.core import permissions
from clientela.core.forms import add_service_errors
from clientela.core.records import StaleRecord
from clientela.core.views.records import page_links, page_or_first

from . import markdown
from .filtersets import ArticleFilterSet
from .models import Article, ArticleCategory
from .services import knowledge

AREA = "support"


class ArticleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Article
        fields = ["title", "language", "category", "status", "internal", "slug", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}
        help_texts = {
            "slug": gettext_lazy(
                "The end of its address in the help centre; made from the title when left empty."
            ),
            "body": gettext_lazy(
                "Markdown: **bold**, *italics*, # headings, lists, [links](https://…)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["category"].queryset = ArticleCategory.objects.all()


class _ArticleView(LoginRequiredMixin, View):
    def require(self, write=False):
        allowed = permissions.can_write if write else permissions.can_read
        if not allowed(self.request.user, AREA):
            raise PermissionDenied


class ArticleListView(_ArticleView):
    page_size = 50

    def get(self, request):
        self.require()
        filterset = ArticleFilterSet(
            request.GET, queryset=Article.objects.select_related("category"), request=request
        )
        page = page_or_first(
            filterset.qs, ["title", "id"], request.GET.get("cursor"), self.page_size
        )
        context = {
            "page": page,
            "articles": page.items,
            "page_links": page_links(request, page),
            "query": request.GET.get("q", "")[:200],
            "can_write": permissions.can_write(request.user, AREA),
        }
        return render(request, "support/article_list.html", context)


class ArticleDetailView(_ArticleView):
    def get(self, request, pk):
        self.require()
        article = get_object_or_404(Article.objects.select_related("category", "updated_by"), pk=pk)
        context = {
            "article": article,
            "html": markdown.render(article.body),
            "versions": article.versions.select_related("saved_by")[:50],
            "translations": knowledge.translations_of(article),
            "can_write": permissions.can_write(request.user, AREA),
        }
        return render(request, "support/article_detail.html", context)


class ArticleFormView(_ArticleView):
    """Write a new article (``?translation_of=<id>`` starts its translation) or edit one."""

    def load(self, pk):
        self.require(write=True)
        return get_object_or_404(Article, pk=pk) if pk else None

    def get(self, request, pk=None):
        article = self.load(pk)
        initial = {"version": article.version} if article else {}
        source = self._source(request) if article is None else None
        if source is not None:
            initial.update(category=source.category_id, internal=source.internal)
        form = ArticleForm(instance=article, initial=initial)
        return self._render(form, article, source)

    def post(self, request, pk=None):
        article = self.load(pk)
        source = self._source(request) if article is None else None
        form = ArticleForm(request.POST, instance=article or Article())
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                if article is None:
                    saved = knowledge.create_article(
                        actor=request.user, translation_of=source, **data
                    )
                else:
                    saved = knowledge.update_article(
                        article, actor=request.user, expected_version=version, **data
                    )
            except StaleRecord:
                form.add_error(None, _("Someone saved this article meanwhile; reload it first."))
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved})
                return HttpResponseRedirect(reverse("support:article_detail", args=[saved.pk]))
        return self._render(form, article, source, status=status)

    def _source(self, request):
        pk = request.GET.get("translation_of", "")
        return Article.objects.filter(pk=int(pk)).first() if pk.isdigit() else None

    def _render(self, form, article, source, status=200):
        context = {"form": form, "article": article, "source": source}
        return render(self.request, "support/article_form.html", context, status=status)


class ArticleRevertView(_ArticleView):
    http_method_names = ["post"]

    def post(self, request, pk, number):
        self.require(write=True)
        article = get_object_or_404(Article, pk=pk)
        try:
            knowledge.revert_article(article, number, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Version %(n)d brought back.") % {"n": number})
        return HttpResponseRedirect(reverse("support:article_detail", args=[pk]))
