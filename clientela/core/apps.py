from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "clientela.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import (
            checks,  # noqa: F401  (registers system checks)
            settings_cache,
        )
        from .models import CustomField

        settings_cache.watch(CustomField)

        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="clientela_builtin_roles")


def _ensure_roles(sender, using="default", **kwargs):
    from .roles import ensure_builtin_roles

    ensure_builtin_roles(using=using)
