from django.urls import path

from . import public, views, views_imports, views_webhooks

app_name = "intake"

urlpatterns = [
    path("assignment/", views.rule_list, name="rule_list"),
    path("assignment/new/", views.rule_form, name="rule_create"),
    path("assignment/<int:pk>/", views.rule_form, name="rule_edit"),
    path("assignment/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/new/", views_imports.import_new, name="import_new"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", views_imports.import_report, name="import_report"),
    path("imports/<int:pk>/undo/", views_imports.import_undo, name="import_undo"),
    path("imports/<int:pk>/again/", views_imports.import_again, name="import_again"),
    path("forms/", views.form_list, name="form_list"),
    path("forms/new/", views.form_edit, name="form_create"),
    path("forms/<int:pk>/", views.form_edit, name="form_edit"),
    path("webhooks/", views_webhooks.webhook_list, name="webhook_list"),
    path("webhooks/new/", views_webhooks.webhook_edit, name="webhook_create"),
    path("webhooks/<int:pk>/", views_webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/secret/", views_webhooks.webhook_secret, name="webhook_secret"),
    # public: no sign-in
    path("f/<slug:slug>/", public.form_page, name="form_page"),
    path("confirm/<str:token>/", public.confirm_consent, name="confirm_consent"),
    path("hooks/<str:token>/", public.webhook, name="webhook"),
]
