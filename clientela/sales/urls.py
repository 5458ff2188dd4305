from django.urls import path

from .views import deals as views
from .views import setup

app_name = "sales"

urlpatterns = [
    path("", views.DealListView.as_view(), name="deal_list"),
    path("board/", views.DealBoardView.as_view(), name="deal_board"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("quotas/", views.QuotaView.as_view(), name="quotas"),
    path("settings/pipelines/", setup.pipeline_list, name="pipeline_list"),
    path("settings/pipelines/new/", setup.pipeline_form, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", setup.pipeline_form, name="pipeline_edit"),
    path("settings/lost-reasons/", setup.lost_reasons, name="lost_reasons"),
    path(
        "settings/lost-reasons/<int:pk>/toggle/",
        setup.lost_reason_toggle,
        name="lost_reason_toggle",
    ),
    path("settings/exchange-rates/", setup.exchange_rates, name="exchange_rates"),
    path(
        "settings/exchange-rates/<int:pk>/delete/",
        setup.exchange_rate_delete,
        name="exchange_rate_delete",
    ),
    path("new/", views.DealFormView.as_view(), name="deal_create"),
    path("bulk/", views.DealBulkView.as_view(), name="deal_bulk"),
    path("views/", views.DealSavedViewSave.as_view(), name="deal_view_save"),
    path("views/<int:pk>/delete/", views.DealSavedViewDelete.as_view(), name="deal_view_delete"),
    path("<int:pk>/", views.DealDetailView.as_view(), name="deal_detail"),
    path("<int:pk>/edit/", views.DealFormView.as_view(), name="deal_edit"),
    path("<int:pk>/move/", views.DealMoveView.as_view(), name="deal_move"),
    path("<int:pk>/delete/", views.DealDeleteView.as_view(), name="deal_delete"),
    path("<int:pk>/restore/", views.DealRestoreView.as_view(), name="deal_restore"),
    path("<int:pk>/purge/", views.DealPurgeView.as_view(), name="deal_purge"),
]
