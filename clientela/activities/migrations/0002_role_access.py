"""Activities access for the built-in roles of an existing database (a new database gets the
roles, with activities access, from ``core.roles`` after migrate)."""

from django.db import migrations

from clientela.core.roles import BUILTIN_ROLES


def forwards(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(code__in=BUILTIN_ROLES):
        level = BUILTIN_ROLES[role.code][2].get("activities")
        if level and "activities" not in role.access:
            role.access = {**role.access, "activities": level}
            role.save(update_fields=["access"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial"), ("core", "0003_search_words_postgresql")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
