"""The automation pages, under ``/automation/`` in the ``automation`` namespace."""

from django.urls import path  # noqa: F401  (each part adds its pages)

app_name = "automation"

urlpatterns = []
