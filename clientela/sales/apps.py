from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "clientela.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from clientela.core import records

        from . import rollups, search  # noqa: F401  (registers the search documents)
        from .models import Purchase

        records.register_derived(Purchase, rollups.refresh_purchases)
