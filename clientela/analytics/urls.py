from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("segments/new/", views.make_marketing_segment, name="make_segment"),
    path("<slug:key>/", views.report_page, name="report"),
    path("<slug:key>/export.csv", views.report_export, {"fmt": "csv"}, name="report_csv"),
    path("<slug:key>/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="report_xlsx"),
]
