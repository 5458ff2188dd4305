"""Statistics read from whole tables where 0006 read a sample on SQLite.

With ``PRAGMA analysis_limit`` SQLite estimates each index's size from a few pages, and for
partial indexes the estimate can be a quarter of the truth: on a million contacts the planner
then read the contact list through the completeness index and sorted it (two seconds) instead
of walking the sort index (milliseconds). A full ANALYZE takes about a second per million rows.
"""

from django.db import migrations


def analyze(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 0")
        cursor.execute("ANALYZE contacts_contact")
        cursor.execute("ANALYZE contacts_company")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0007_duplicate_candidates")]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True)]
