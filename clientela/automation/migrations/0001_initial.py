from django.db import migrations

from clientela.core.roles import grant_new_areas


def grant(apps, schema_editor):
    grant_new_areas(apps, schema_editor, ["automation"])


class Migration(migrations.Migration):
    """The automation area in the built-in roles of a database that predates it."""

    dependencies = [("core", "0003_search_words_postgresql")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
