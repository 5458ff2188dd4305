from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "clientela.collaboration"
    label = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self):
        from clientela.contacts.privacy import erasure
        from clientela.core import history

        from .services import alerts, changes, feedback, forgetting  # noqa: F401 (subscribers)

        history.add_listener(changes.record_history)
        erasure.add_scrubber(forgetting.scrub_person)
