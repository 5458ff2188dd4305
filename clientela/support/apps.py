from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "clientela.support"
    label = "support"
    verbose_name = _("Customer service")

    def ready(self):
        from clientela.core import settings_cache
        from clientela.intake.models import Mailbox

        from . import search  # noqa: F401  (registers the search documents)
        from .models import BusinessCalendar, CaseCategory, Holiday, ServiceMailbox, SlaPolicy
        from .services import email_to_case

        email_to_case.register()  # mail captured by intake opens and joins cases
        settings_cache.watch(
            SlaPolicy, BusinessCalendar, Holiday, ServiceMailbox, CaseCategory, Mailbox
        )
