from django.urls import path

from . import help

app_name = "help"

urlpatterns = [
    path("", help.index, name="index"),
    path("survey/<str:token>/", help.survey, name="survey"),
    path("<str:language>/<slug:slug>/", help.article, name="article"),
    path("<str:language>/<slug:slug>/vote/", help.vote, name="vote"),
]
