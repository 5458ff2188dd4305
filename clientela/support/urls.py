from django.urls import include, path

from . import views, views_articles, views_canned

app_name = "support"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseFormView.as_view(), name="case_create"),
    path("bulk/", views.CaseBulkView.as_view(), name="case_bulk"),
    path("trash/", views.CaseTrashView.as_view(), name="trash"),
    path("settings/", include("clientela.support.settings_urls")),
    path("canned/", views_canned.canned_list, name="canned_list"),
    path("canned/new/", views_canned.canned_form, name="canned_create"),
    path("canned/<int:pk>/", views_canned.canned_form, name="canned_edit"),
    path("articles/", views_articles.ArticleListView.as_view(), name="article_list"),
    path("articles/new/", views_articles.ArticleFormView.as_view(), name="article_create"),
    path("articles/<int:pk>/", views_articles.ArticleDetailView.as_view(), name="article_detail"),
    path("articles/<int:pk>/edit/", views_articles.ArticleFormView.as_view(), name="article_edit"),
    path(
        "articles/<int:pk>/versions/<int:number>/revert/",
        views_articles.ArticleRevertView.as_view(),
        name="article_revert",
    ),
    path("views/", views.CaseSavedViewSave.as_view(), name="case_view_save"),
    path("views/<int:pk>/delete/", views.CaseSavedViewDelete.as_view(), name="case_view_delete"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/edit/", views.CaseFormView.as_view(), name="case_edit"),
    path("<int:pk>/articles/", views.CaseArticlesView.as_view(), name="case_articles"),
    path("<int:pk>/messages/", views.CaseMessageView.as_view(), name="case_message"),
    path("<int:pk>/status/", views.CaseStatusView.as_view(), name="case_status"),
    path("<int:pk>/merge/", views.CaseMergeView.as_view(), name="case_merge"),
    path("<int:pk>/split/", views.CaseSplitView.as_view(), name="case_split"),
    path("<int:pk>/delete/", views.CaseDeleteView.as_view(), name="case_delete"),
    path("<int:pk>/restore/", views.CaseRestoreView.as_view(), name="case_restore"),
    path("<int:pk>/purge/", views.CasePurgeView.as_view(), name="case_purge"),
]
