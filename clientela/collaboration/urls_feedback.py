from django.urls import path

from . import views_feedback as views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_page, name="feedback"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_form, name="survey_new"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/edit/", views.survey_form, name="survey_edit"),
    path("surveys/<int:pk>/invite/", views.survey_invite, name="survey_invite"),
]
