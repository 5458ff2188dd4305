from django.urls import path

from . import views_feedback as views

app_name = "feedback_public"

urlpatterns = [path("<str:token>/", views.answer, name="answer")]
