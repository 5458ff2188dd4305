from django.urls import path, re_path

from . import views, views_quick_call

app_name = "activities"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("today/", views.my_day, name="today"),
    path("today/reminders/read/", views.reminders_read, name="reminders_read"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/feed/", views.CalendarFeedSettingsView.as_view(), name="calendar_feed"),
    re_path(r"^calendar/(?P<secret>[A-Za-z0-9_-]{20,100})\.ics$", views.calendar_feed, name="feed"),
    path("new/", views.ActivityFormView.as_view(), name="activity_create"),
    path("quick-call/", views_quick_call.quick_call, name="quick_call"),
    path("bulk/", views.ActivityBulkView.as_view(), name="activity_bulk"),
    path("views/", views.ActivitySavedViewSave.as_view(), name="activity_view_save"),
    path(
        "views/<int:pk>/delete/",
        views.ActivitySavedViewDelete.as_view(),
        name="activity_view_delete",
    ),
    path("trash/", views.ActivityTrashView.as_view(), name="trash"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_edit"),
    path("<int:pk>/done/", views.TaskStateView.as_view(done=True), name="activity_complete"),
    path("<int:pk>/reopen/", views.TaskStateView.as_view(done=False), name="activity_reopen"),
    path("<int:pk>/meeting.ics", views.MeetingIcsView.as_view(), name="activity_ics"),
    path("<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path("<int:pk>/restore/", views.ActivityRestoreView.as_view(), name="activity_restore"),
    path("<int:pk>/purge/", views.ActivityPurgeView.as_view(), name="activity_purge"),
]
