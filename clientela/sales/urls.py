from django.urls import path

from .views import deals as views

app_name = "sales"

urlpatterns = [
    path("", views.DealListView.as_view(), name="deal_list"),
    path("board/", views.DealBoardView.as_view(), name="deal_board"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("quotas/", views.QuotaView.as_view(), name="quotas"),
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
