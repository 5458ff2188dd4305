"""The automation pages, under ``/automation/`` in the ``automation`` namespace."""

from django.urls import path

from . import views_webhooks as webhooks
from . import views_workflows as workflows

app_name = "automation"

urlpatterns = [
    path("rules/", workflows.rule_list, name="rule_list"),
    path("rules/new/", workflows.rule_edit, name="rule_create"),
    path("rules/<int:pk>/", workflows.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", workflows.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/toggle/", workflows.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/delete/", workflows.rule_delete, name="rule_delete"),
    path("webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/new/", webhooks.webhook_edit, name="webhook_create"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/secret/", webhooks.webhook_secret, name="webhook_secret"),
    path("webhooks/<int:pk>/test/", webhooks.webhook_test, name="webhook_test"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/",
        webhooks.delivery_detail,
        name="delivery_detail",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        webhooks.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
