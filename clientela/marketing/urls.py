"""The marketing pages, under ``/marketing/`` in the ``marketing`` namespace."""

from django.urls import path  # noqa: F401  (each part adds its pages)

app_name = "marketing"

urlpatterns = []
