from django.core.management.base import BaseCommand

from clientela.analytics import rollups


class Command(BaseCommand):
    help = "Count the reports' daily rollups again from the records (e.g. after a restore)."

    def handle(self, *args, **options):
        rollups.rebuild_all(log=self.stdout.write)
