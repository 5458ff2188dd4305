from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("assignment/", views.rule_list, name="rule_list"),
    path("assignment/new/", views.rule_form, name="rule_create"),
    path("assignment/<int:pk>/", views.rule_form, name="rule_edit"),
    path("assignment/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
