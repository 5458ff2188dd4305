from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "clientela.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from . import bounces, subscribers
        from .services import points

        bounces.register()  # mail intake hands over campaign bounces and complaints
        subscribers.register()  # web forms with a campaign's tag bring it leads
        points.register()  # purchases earn (and give back) loyalty points after their commit
