from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "clientela.intake"
    label = "intake"
    verbose_name = _("Collection")

    def ready(self):
        from clientela.core import settings_cache

        from .models import AssignmentRule

        settings_cache.watch(AssignmentRule)
