from django.urls import path

from . import views, views_library, views_predictions

app_name = "analytics"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("segments/new/", views.make_marketing_segment, name="make_segment"),
    path("predictions/", views_predictions.predictions, name="predictions"),
    # the builder and saved reports
    path("builder/", views_library.builder, name="builder"),
    path("saved/<int:pk>/", views_library.saved_report, name="saved_report"),
    path("saved/<int:pk>/edit/", views_library.builder, name="builder_edit"),
    path("saved/<int:pk>/delete/", views_library.saved_report_delete, name="saved_report_delete"),
    path(
        "saved/<int:pk>/export.csv",
        views_library.saved_report_export,
        {"fmt": "csv"},
        name="saved_report_csv",
    ),
    path(
        "saved/<int:pk>/export.xlsx",
        views_library.saved_report_export,
        {"fmt": "xlsx"},
        name="saved_report_xlsx",
    ),
    # dashboards
    path("dashboards/", views_library.dashboard, name="my_dashboard"),
    path("dashboards/new/", views_library.dashboard_create, name="dashboard_create"),
    path("dashboards/pin/", views_library.pin, name="pin"),
    path("dashboards/tiles/<int:pk>/", views_library.tile_change, name="tile_change"),
    path("dashboards/<int:pk>/", views_library.dashboard, name="dashboard"),
    path("dashboards/<int:pk>/delete/", views_library.dashboard_delete, name="dashboard_delete"),
    path("dashboards/<slug:key>/", views_library.dashboard, name="builtin_dashboard"),
    # e-mailed reports
    path("subscriptions/new/", views_library.subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/stop/", views_library.unsubscribe, name="unsubscribe"),
    # built-in reports (last: their key is any slug)
    path("<slug:key>/", views.report_page, name="report"),
    path("<slug:key>/export.csv", views.report_export, {"fmt": "csv"}, name="report_csv"),
    path("<slug:key>/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="report_xlsx"),
]
