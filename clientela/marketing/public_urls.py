"""The links in campaign e-mail, under ``/m/`` (short: they are in every message)."""

from django.urls import path

from . import public

app_name = "track"

urlpatterns = [
    path("o/<str:token>/", public.open_pixel, name="open"),
    path("c/<str:token>/", public.click, name="click"),
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("p/<str:token>/", public.preferences, name="preferences"),
    path("v/<str:token>/", public.web_version, name="web_version"),
    path("s/<str:token>/", public.sequence_unsubscribe, name="sequence_unsubscribe"),
]
