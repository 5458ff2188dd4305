"""The customer-service settings pages (case and article categories, working calendars, SLA
policies, service mailboxes), under
``/cases/settings/`` in the ``support`` namespace."""

from django.urls import path

from . import views_settings as views

urlpatterns = [
    path("", views.settings_home, name="settings"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/new/", views.category_form, name="category_create"),
    path("categories/<int:pk>/", views.category_form, name="category_edit"),
    path("article-categories/", views.article_category_list, name="article_category_list"),
    path("article-categories/new/", views.article_category_form, name="article_category_create"),
    path("article-categories/<int:pk>/", views.article_category_form, name="article_category_edit"),
    path(
        "article-categories/<int:pk>/delete/",
        views.article_category_delete,
        name="article_category_delete",
    ),
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_form, name="calendar_create"),
    path("calendars/<int:pk>/", views.calendar_form, name="calendar_edit"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/holidays/", views.holiday_add, name="holiday_add"),
    path("calendars/<int:pk>/holidays/load/", views.holiday_load, name="holiday_load"),
    path(
        "calendars/<int:pk>/holidays/<int:holiday_pk>/remove/",
        views.holiday_remove,
        name="holiday_remove",
    ),
    path("mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("mailboxes/<int:pk>/", views.mailbox_form, name="mailbox_edit"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_form, name="policy_create"),
    path("policies/<int:pk>/", views.policy_form, name="policy_edit"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
]
