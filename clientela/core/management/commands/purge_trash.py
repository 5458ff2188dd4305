from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from clientela.core.jobs import purge_expired_trash


class Command(BaseCommand):
    help = "Delete for good the records that have been in the trash longer than the retention."

    def handle(self, *args, **options):
        purged = purge_expired_trash()
        for label, count in purged.items():
            self.stdout.write(_("%(label)s: %(count)d purged") % {"label": label, "count": count})
