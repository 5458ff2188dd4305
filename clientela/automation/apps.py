from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "clientela.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self):
        # Outgoing webhooks listen to every domain event (``core.events``).
        from .services import deliveries  # noqa: F401
        from .workflows import engine  # noqa: F401  (workflow rules too)
