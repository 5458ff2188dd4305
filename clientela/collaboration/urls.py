from django.urls import path

from . import views

app_name = "collaboration"

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
    path("read/", views.notification_read_all, name="notification_read_all"),
    path("feed/", views.feed_page, name="feed"),
    path("mentions/", views.mention_suggestions, name="mention_suggestions"),
    path("settings/", views.notification_settings, name="notification_settings"),
    path("comment/<int:content_type_id>/<int:pk>/", views.comment_add, name="comment_add"),
    path("handoff/<int:content_type_id>/<int:pk>/", views.hand_over, name="hand_over"),
    path("follow/<int:content_type_id>/<int:pk>/", views.follow, name="follow"),
]
