from django.urls import include, path

from clientela.core.views.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("api/v1/", include("clientela.api")),
    path("contacts/", include("clientela.contacts.urls")),
    path("deals/", include("clientela.sales.urls")),
    path("intake/", include("clientela.intake.urls")),
    path("activities/", include("clientela.activities.urls")),
    path("cases/", include("clientela.support.urls")),
    path("help/", include("clientela.support.help_urls")),
    path("portal/", include("clientela.support.portal_urls")),
    path("marketing/", include("clientela.marketing.urls")),
    path("automation/", include("clientela.automation.urls")),
    path("notifications/", include("clientela.collaboration.urls")),
    path("feedback/", include("clientela.collaboration.urls_feedback")),
    path("reports/", include("clientela.analytics.urls")),
    path("s/", include("clientela.collaboration.urls_feedback_public")),
    path("m/", include("clientela.marketing.public_urls")),
    path("", include("clientela.core.urls")),
]
