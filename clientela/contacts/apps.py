from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "clientela.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from clientela.core import records

        from . import quality, search  # noqa: F401  (registers the search documents)
        from .models import Company, Contact

        records.register_derived(Contact, quality.refresh_records, fill=quality.fill_new)
        records.register_derived(Company, quality.refresh_records, fill=quality.fill_new)
