from django.urls import path

from . import portal

app_name = "portal"

urlpatterns = [
    path("", portal.start, name="start"),
    path("in/<str:secret>/", portal.login, name="login"),
    path("out/", portal.logout, name="logout"),
    path("cases/", portal.case_list, name="cases"),
    path("cases/new/", portal.case_new, name="case_new"),
    path("cases/<int:pk>/", portal.case_detail, name="case"),
]
