from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Reports, dashboards, segmentation and predictions: reads the other apps, writes none of
    their data."""

    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        from . import rollups, rules

        rollups.track()
        rules.register()
